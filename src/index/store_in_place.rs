//! Reading documents straight from the mapped doc-store file. zhili writes the doc store
//! uncompressed (`Compressor::None`), yet tantivy's `StoreReader` still "decompresses" each
//! block it reads, which for an uncompressed store is a copy of the whole block, for each
//! hit's text (the cost is in BENCHMARKS.md). Here a document's bytes
//! are a slice of the mapped file, found through the store's block index, which is read once
//! per segment and kept until a commit drops the segment (segments never change).
//!
//! The layout read is tantivy 0.27's doc store:
//! - the file: the blocks, then the skip index (from byte `offset`), then a 28-byte footer:
//!   the store version (u32), `offset` (u64), the compressor id (u8, 0 for none) and 15 bytes
//!   reserved (all integers little-endian);
//! - the skip index: a VInt count and that many VInt end offsets of its layers, then the
//!   layers; the last layer lists every block, in runs: a VInt number of blocks, VInts of the
//!   run's first document and first byte, then per block VInts of its document count and
//!   byte length;
//! - a block: the documents' bytes, then a u32 start offset per document, then the count.
//!
//! Anything else (compression, another version, an index that does not add up) makes
//! `InPlaceStore::open` answer `None`, and documents are read through tantivy: a change of
//! layout costs speed, never correctness. A test checks every document of an index against
//! tantivy's reader.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tantivy::directory::{Directory, OwnedBytes};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use super::docstore::vint;

const FOOTER_LEN: usize = 28;
/// The doc store versions whose block layout is the one above.
const VERSIONS: [u32; 2] = [1, 2];
const COMPRESSOR_NONE: u8 = 0;

/// One block of the store: its documents end before `docs_end`, its bytes are `bytes`.
#[derive(Debug)]
struct Block {
    docs_end: DocId,
    bytes: Range<usize>,
}

/// An uncompressed doc store, mapped, with its block index.
pub struct InPlaceStore {
    data: OwnedBytes,
    blocks: Vec<Block>,
}

impl InPlaceStore {
    /// The store of `segment`, or `None` when it is not laid out as this module reads it.
    fn open(searcher: &Searcher, segment: &SegmentReader) -> Option<InPlaceStore> {
        let path = PathBuf::from(format!("{}.store", segment.segment_id().uuid_string()));
        let file = searcher.index().directory().open_read(&path).ok()?;
        let store = InPlaceStore::parse(file.read_bytes().ok()?)?;
        let covers = store.blocks.last().map_or(0, |b| b.docs_end) == segment.max_doc();
        covers.then_some(store)
    }

    fn parse(file: OwnedBytes) -> Option<InPlaceStore> {
        let body_len = file.len().checked_sub(FOOTER_LEN)?;
        let mut footer = &file.as_slice()[body_len..];
        let version = u32::from_le_bytes(*take::<4>(&mut footer)?);
        let offset = usize::try_from(u64::from_le_bytes(*take::<8>(&mut footer)?)).ok()?;
        let compressor = take::<1>(&mut footer)?[0];
        if !VERSIONS.contains(&version) || compressor != COMPRESSOR_NONE || offset > body_len {
            return None;
        }
        let blocks = block_index(&file.as_slice()[offset..body_len], offset)?;
        Some(InPlaceStore {
            data: file.slice(0..offset),
            blocks,
        })
    }

    #[cfg(test)]
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// The stored bytes of `doc`, a slice of the mapped file.
    pub fn document(&self, doc: DocId) -> Option<OwnedBytes> {
        let at = self.blocks.partition_point(|b| b.docs_end <= doc);
        let block = self.blocks.get(at)?;
        let first = at.checked_sub(1).map_or(0, |i| self.blocks[i].docs_end);
        let range = doc_range(&self.data.as_slice()[block.bytes.clone()], doc - first)?;
        let start = block.bytes.start;
        Some(self.data.slice(start + range.start..start + range.end))
    }
}

/// The blocks listed by the last layer of the skip index `index`; `None` unless they follow
/// one another from document 0 and byte 0 and end within `data_len` bytes.
fn block_index(mut index: &[u8], data_len: usize) -> Option<Vec<Block>> {
    let layers = usize::try_from(vint(&mut index)?).ok()?;
    let mut ends = Vec::with_capacity(layers.min(64));
    for _ in 0..layers {
        ends.push(usize::try_from(vint(&mut index)?).ok()?);
    }
    let start = if layers > 1 { ends[layers - 2] } else { 0 };
    let mut layer = index.get(start..*ends.last()?)?;
    let mut blocks: Vec<Block> = Vec::new();
    while !layer.is_empty() {
        let count = vint(&mut layer)?;
        if count == 0 {
            continue;
        }
        let mut doc = DocId::try_from(vint(&mut layer)?).ok()?;
        let mut byte = usize::try_from(vint(&mut layer)?).ok()?;
        if blocks.last().map_or((0, 0), |b| (b.docs_end, b.bytes.end)) != (doc, byte) {
            return None;
        }
        for _ in 0..count {
            let docs = DocId::try_from(vint(&mut layer)?).ok()?;
            let len = usize::try_from(vint(&mut layer)?).ok()?;
            doc = doc.checked_add(docs)?;
            blocks.push(Block {
                docs_end: doc,
                bytes: byte..byte.checked_add(len)?,
            });
            byte += len;
        }
    }
    (blocks.last().map_or(0, |b| b.bytes.end) <= data_len).then_some(blocks)
}

/// The range of the `pos`-th document within `block`.
fn doc_range(block: &[u8], pos: DocId) -> Option<Range<usize>> {
    let u32_at = |at: usize| -> Option<usize> {
        let bytes = block.get(at..at.checked_add(4)?)?;
        usize::try_from(u32::from_le_bytes(bytes.try_into().ok()?)).ok()
    };
    let count_at = block.len().checked_sub(4)?;
    let count = u32_at(count_at)?;
    let pos = usize::try_from(pos).ok()?;
    let offsets_at = count_at.checked_sub(count.checked_mul(4)?)?;
    if pos >= count {
        return None;
    }
    let start = u32_at(offsets_at + 4 * pos)?;
    let end = if pos + 1 < count {
        u32_at(offsets_at + 4 * (pos + 1))?
    } else {
        offsets_at
    };
    (start <= end && end <= offsets_at).then_some(start..end)
}

fn take<'b, const N: usize>(bytes: &mut &'b [u8]) -> Option<&'b [u8; N]> {
    let (head, rest) = bytes.split_first_chunk::<N>()?;
    *bytes = rest;
    Some(head)
}

/// The in-place stores of an open index's live segments, opened on first use (`None` for a
/// segment read through tantivy).
#[derive(Default)]
pub struct InPlaceStores(Mutex<HashMap<SegmentId, Option<Arc<InPlaceStore>>>>);

impl InPlaceStores {
    pub fn get(&self, searcher: &Searcher, segment: &SegmentReader) -> Option<Arc<InPlaceStore>> {
        let id = segment.segment_id();
        if let Some(store) = self.0.lock().expect("store map poisoned").get(&id) {
            return store.clone();
        }
        let store = InPlaceStore::open(searcher, segment).map(Arc::new);
        let mut map = self.0.lock().expect("store map poisoned");
        // A new segment means a new commit: forget the segments it dropped, so that their
        // deleted files are unmapped.
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        map.retain(|id, _| live.contains(id));
        map.insert(id, store.clone());
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store file as tantivy 0.27 writes one: `docs` in blocks of `per_block`, one layer.
    fn store_file(docs: &[&[u8]], per_block: usize, compressor: u8) -> Vec<u8> {
        let mut data = Vec::new();
        let mut layer = Vec::new();
        let chunks: Vec<&[&[u8]]> = docs.chunks(per_block).collect();
        push_vint(&mut layer, chunks.len() as u64);
        push_vint(&mut layer, 0);
        push_vint(&mut layer, 0);
        for chunk in chunks {
            let start = data.len();
            let mut offsets = Vec::new();
            for doc in chunk {
                offsets.push((data.len() - start) as u32);
                data.extend_from_slice(doc);
            }
            for offset in &offsets {
                data.extend_from_slice(&offset.to_le_bytes());
            }
            data.extend_from_slice(&(offsets.len() as u32).to_le_bytes());
            push_vint(&mut layer, chunk.len() as u64);
            push_vint(&mut layer, (data.len() - start) as u64);
        }
        let offset = data.len() as u64;
        push_vint(&mut data, 1);
        push_vint(&mut data, layer.len() as u64);
        data.extend_from_slice(&layer);
        data.extend_from_slice(&2u32.to_le_bytes());
        data.extend_from_slice(&offset.to_le_bytes());
        data.push(compressor);
        data.extend_from_slice(&[0; 15]);
        data
    }

    fn push_vint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n & 0x7f) as u8);
            n >>= 7;
        }
        out.push(n as u8 | 0x80);
    }

    #[test]
    fn documents_are_found_in_their_blocks() {
        let docs: [&[u8]; 5] = [b"one", b"", b"three", b"four!", b"5"];
        let store = InPlaceStore::parse(OwnedBytes::new(store_file(&docs, 2, 0))).unwrap();
        assert_eq!(store.blocks.len(), 3);
        for (doc, bytes) in docs.iter().enumerate() {
            assert_eq!(store.document(doc as DocId).unwrap().as_slice(), *bytes);
        }
        assert!(store.document(5).is_none());
    }

    #[test]
    fn compressed_or_damaged_stores_are_left_to_tantivy() {
        let docs: [&[u8]; 2] = [b"a", b"b"];
        assert!(InPlaceStore::parse(OwnedBytes::new(store_file(&docs, 1, 1))).is_none());
        let mut truncated = store_file(&docs, 1, 0);
        truncated.drain(..3);
        assert!(InPlaceStore::parse(OwnedBytes::new(truncated)).is_none());
        assert!(InPlaceStore::parse(OwnedBytes::new(vec![0; 10])).is_none());
        assert!(doc_range(&[0, 0, 0], 0).is_none(), "shorter than its count");
        let lying_count = [9, 0, 0, 0, 5, 0, 0, 0];
        assert!(doc_range(&lying_count, 0).is_none());
    }
}
