//! Reading stored documents back for hits: the record and the text straight from the bytes of
//! tantivy's doc store. tantivy's own deserializer checks a stored text as UTF-8 with the
//! standard library, and copies it; here the text is borrowed and checked with SIMD, many
//! times faster (BENCHMARKS.md measures both, and the public-API reader). A document's bytes are a slice of
//! the mapped doc-store file (`store_in_place`; no block cache: each search reads its own
//! hits), and a hit borrows its text from them.
//!
//! The layout read is tantivy 0.27's stored document: a VInt count, then per value a u32
//! (little-endian) field id, a one-byte type code and, for text and bytes, a VInt length and
//! the bytes.
//! Anything else (another field, another type, bytes left over) falls back to tantivy's
//! deserializer, so a change of layout costs speed, never correctness; a test checks that the
//! fast path is the one taken.

use std::sync::Arc;

use tantivy::directory::OwnedBytes;
use tantivy::schema::{Field, Value};
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::Fields;
use super::store_in_place::{InPlaceStore, InPlaceStores};
use super::stored::StoredDoc;
use crate::model::CaseDoc;
use crate::{Error, Result};

/// tantivy's type codes of a text and of a bytes value.
const TEXT_CODE: u8 = 0;
const BYTES_CODE: u8 = 4;

/// A segment's doc store: read in place, or through tantivy.
enum Store {
    InPlace(Arc<InPlaceStore>),
    Tantivy(StoreReader),
}

/// Loads stored documents of one searcher, opening each segment's store once.
pub struct DocLoader<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    in_place: &'a InPlaceStores,
    stores: Vec<Option<Store>>,
}

impl<'a> DocLoader<'a> {
    /// A loader for `searcher`, taking the segments' in-place stores from `in_place` (kept by
    /// the caller for as long as the index is open).
    pub fn new(
        searcher: &'a Searcher,
        fields: &'a Fields,
        in_place: &'a InPlaceStores,
    ) -> DocLoader<'a> {
        DocLoader {
            searcher,
            fields,
            in_place,
            stores: (0..searcher.segment_readers().len())
                .map(|_| None)
                .collect(),
        }
    }

    /// The stored document at `addr`, whole.
    pub fn load(&mut self, addr: DocAddress) -> Result<CaseDoc> {
        self.load_with(addr, |stored| stored.into_case_doc())
    }

    /// `f` of the stored document at `addr`, its text borrowed from the doc-store bytes (a
    /// hit reads the text without copying it).
    pub fn load_with<T>(&mut self, addr: DocAddress, f: impl FnOnce(StoredDoc) -> T) -> Result<T> {
        let bytes = self.document_bytes(addr)?;
        match record_and_text(&bytes, self.fields) {
            Some((record, text)) => Ok(f(StoredDoc::decode(record, text)?)),
            None => self.load_slow(addr, f),
        }
    }

    fn document_bytes(&mut self, addr: DocAddress) -> Result<OwnedBytes> {
        let ord = addr.segment_ord as usize;
        let store = match &mut self.stores[ord] {
            Some(store) => store,
            slot => {
                let segment = self.searcher.segment_reader(addr.segment_ord);
                let store = match self.in_place.get(self.searcher, segment) {
                    Some(in_place) => Store::InPlace(in_place),
                    None => Store::Tantivy(
                        segment
                            .get_store_reader(0)
                            .map_err(|e| Error::io("cannot open the index's document store", e))?,
                    ),
                };
                slot.insert(store)
            }
        };
        match store {
            Store::InPlace(store) => store.document(addr.doc_id).ok_or_else(|| {
                Error::internal(format!("the document store has no document {addr:?}"))
            }),
            Store::Tantivy(store) => Ok(store.get_document_bytes(addr.doc_id)?),
        }
    }

    /// Through tantivy's own deserializer.
    fn load_slow<T>(&self, addr: DocAddress, f: impl FnOnce(StoredDoc) -> T) -> Result<T> {
        let stored: TantivyDocument = self.searcher.doc(addr)?;
        let record = stored
            .get_first(self.fields.record)
            .and_then(|v| v.as_bytes());
        let text = stored.get_first(self.fields.text).and_then(|v| v.as_str());
        match (record, text) {
            (Some(record), Some(text)) => Ok(f(StoredDoc::decode(record, text.as_bytes())?)),
            _ => Err(Error::internal(
                "a stored document has no record or no text",
            )),
        }
    }
}

/// The record's and the text's bytes in a stored document's bytes, if laid out as expected.
fn record_and_text<'b>(mut bytes: &'b [u8], fields: &Fields) -> Option<(&'b [u8], &'b [u8])> {
    let count = vint(&mut bytes)?;
    let (mut record, mut text) = (None, None);
    for _ in 0..count {
        let (id, rest) = bytes.split_first_chunk::<4>()?;
        let (&code, rest) = rest.split_first()?;
        bytes = rest;
        // A text and a bytes value are both a VInt length and the bytes.
        let len = usize::try_from(vint(&mut bytes)?).ok()?;
        let (value, rest) = bytes.split_at_checked(len)?;
        bytes = rest;
        let field = Field::from_field_id(u32::from_le_bytes(*id));
        match (code, field) {
            (BYTES_CODE, f) if f == fields.record => record = Some(value),
            (TEXT_CODE, f) if f == fields.text => text = Some(value),
            (TEXT_CODE, f) if f == fields.id => {}
            _ => return None,
        }
    }
    if !bytes.is_empty() {
        return None;
    }
    Some((record?, text?))
}

/// tantivy's VInt: 7 bits a byte, low bits first, the last byte's high bit set.
pub(super) fn vint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 != 0 {
            *bytes = &bytes[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{IndexDir, build_index, open_index};
    use crate::model::{CaseDoc, Passage, Region, Source};

    fn case(id: &str, text: &str) -> CaseDoc {
        CaseDoc {
            id: id.into(),
            title: format!("标题{id}"),
            region: Region::default(),
            year: Some(2021),
            years_mentioned: vec![2021],
            measures: vec!["grid".into()],
            source: Source::default(),
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: text.into(),
            passages: text
                .split('\n')
                .enumerate()
                .map(|(i, t)| Passage {
                    id: format!("{id}-p{}", i + 1),
                    measures: vec![],
                    evidence: Default::default(),
                    text: t.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_fast_path_reads_what_tantivy_reads() {
        let dir = tempfile::tempdir().unwrap();
        // Small documents share blocks; a long one (over 16 KB) has a block of its own; more
        // than 8 blocks make a second layer in the store's block index.
        let mut docs: Vec<CaseDoc> = (0..60)
            .map(|i| case(&format!("s{i:02}"), &format!("网格员第{i}次巡逻\n视频监控")))
            .collect();
        for i in 0..24 {
            docs.insert(
                i * 3,
                case(&format!("l{i:02}"), &"长文本<&>\"'。".repeat(1000)),
            );
        }
        build_index(dir.path(), &docs).unwrap();
        let generation = IndexDir::new(dir.path()).current().unwrap().unwrap();
        let index = open_index(&generation).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let fields = Fields::resolve(&index.schema()).unwrap();
        let in_place = InPlaceStores::default();
        let mut loader = DocLoader::new(&searcher, &fields, &in_place);
        let mut seen = Vec::new();
        let mut most_blocks = 0;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let store = in_place.get(&searcher, segment).expect("read in place");
            most_blocks = most_blocks.max(store.block_count());
            for doc in 0..segment.max_doc() {
                let addr = DocAddress::new(ord as u32, doc);
                let bytes = loader.document_bytes(addr).unwrap();
                let (record, text) =
                    record_and_text(&bytes, &fields).expect("the fast path is taken");
                let fast = StoredDoc::decode(record, text).unwrap();
                let last_text =
                    |doc: StoredDoc| doc.passage_text(doc.passage_count() - 1).to_string();
                assert_eq!(
                    last_text(StoredDoc::decode(record, text).unwrap()),
                    loader.load_slow(addr, last_text).unwrap()
                );
                let fast = fast.into_case_doc();
                let slow = loader.load_slow(addr, |slow| slow.into_case_doc());
                assert_eq!(fast, slow.unwrap());
                assert_eq!(fast, loader.load(addr).unwrap());
                seen.push(fast);
            }
        }
        assert!(most_blocks > 8, "{most_blocks} blocks: one layer");
        seen.sort_by(|a, b| a.id.cmp(&b.id));
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(seen, docs);
    }

    #[test]
    fn unexpected_layouts_are_refused_not_misread() {
        let fields = Fields::resolve(&crate::index::schema::build()).unwrap();
        let text_id = fields.text.field_id().to_le_bytes();
        let mut one = vec![0x81];
        one.extend_from_slice(&text_id);
        one.extend_from_slice(&[TEXT_CODE, 0x82, b'o', b'k']);
        assert!(record_and_text(&one, &fields).is_none(), "no record");
        let mut bytes_code = one.clone();
        bytes_code[5] = 4;
        assert!(record_and_text(&bytes_code, &fields).is_none());
        let mut short = one.clone();
        short.pop();
        assert!(record_and_text(&short, &fields).is_none());
        assert!(record_and_text(&[], &fields).is_none());
    }

    #[test]
    fn vints_are_read_as_tantivy_writes_them() {
        // tantivy-common's VInt: 7 bits a byte, low first, stop bit on the last byte.
        let cases: [(&[u8], u64); 5] = [
            (&[0x80], 0),
            (&[0xff], 127),
            (&[0x00, 0x81], 128),
            (&[0x7f, 0xff], 16_383),
            (&[0x00, 0x00, 0x81], 16_384),
        ];
        for (encoded, n) in cases {
            let mut buf = encoded.to_vec();
            buf.push(0xAA);
            let mut slice = buf.as_slice();
            assert_eq!(vint(&mut slice), Some(n));
            assert_eq!(slice, &[0xAA]);
        }
        assert_eq!(vint(&mut &[0x01, 0x02][..]), None, "no stop bit");
    }
}
