//! How a `CaseDoc` is kept in the index's document store: its text as one stored value, and
//! everything else as a small binary record (`codec`). In the record each passage is only its
//! byte length when the passages tile the text (they do: `text` is the passages joined with
//! `\n`), and its id only when it is not the usual `<doc id>-p<n>`; passage measures are
//! references into one table of the measure ids the document uses. A hit decodes only this
//! record and slices the passages it shows out of the text.

use std::ops::Range;

use super::codec::{Decoder, Encoder};
use crate::model::{Added, CaseDoc, Passage, Region, Source, Version};
use crate::{Error, Result};

/// The first byte of a record; bumped (with the schema version) when the layout changes.
const RECORD_VERSION: u8 = 3;

fn usual_passage_id(doc_id: &str, i: usize) -> String {
    format!("{doc_id}-p{}", i + 1)
}

/// The stored record of `doc` (its text is stored apart).
pub fn encode_record(doc: &CaseDoc) -> Vec<u8> {
    // Destructured so that a new field of `CaseDoc` cannot be forgotten here.
    let CaseDoc {
        id,
        title,
        region,
        year,
        years_mentioned,
        measures,
        source,
        duplicates,
        duplicate_of,
        versions,
        added,
        text: _,
        passages: _,
    } = doc;
    let mut out = Encoder::default();
    out.u8(RECORD_VERSION);
    out.str(id);
    out.str(title);
    encode_region(&mut out, region);
    out.opt_i32(*year);
    out.list(years_mentioned, |out, year| out.i32(*year));
    out.list(measures, |out, measure| out.str(measure));
    encode_source(&mut out, source);
    out.list(duplicates, encode_source);
    out.opt_str(duplicate_of.as_deref());
    out.list(versions, encode_version);
    // Seconds since 1970: never negative for a time zhili stamped.
    out.flag(added.is_some());
    if let Some(added) = added {
        out.usize(usize::try_from(added.0).unwrap_or_default());
    }
    encode_passages(&mut out, doc);
    out.into_bytes()
}

fn encode_region(out: &mut Encoder, region: &Region) {
    let Region {
        province,
        city,
        county,
        path,
    } = region;
    for level in [province, city, county, path] {
        out.opt_str(level.as_deref());
    }
}

pub(super) fn encode_source(out: &mut Encoder, source: &Source) {
    let Source {
        path,
        url,
        publisher,
        published,
    } = source;
    out.str(path);
    out.opt_str(url.as_deref());
    out.opt_str(publisher.as_deref());
    out.opt_str(published.as_deref());
}

/// Passage texts (as lengths when they tile the text), ids when unusual, and measures as
/// (passage index, references into a table of measure ids) for the passages that have any.
fn encode_passages(out: &mut Encoder, doc: &CaseDoc) {
    let passages = &doc.passages;
    let tiles = tiles(doc);
    out.flag(tiles);
    if tiles {
        out.list(passages, |out, p| out.usize(p.text.len()));
    } else {
        out.list(passages, |out, p| out.str(&p.text));
    }
    let usual_ids = passages
        .iter()
        .enumerate()
        .all(|(i, p)| p.id == usual_passage_id(&doc.id, i));
    out.flag(!usual_ids);
    if !usual_ids {
        out.list(passages, |out, p| out.str(&p.id));
    }
    let mut table: Vec<&str> = Vec::new();
    for measure in passages.iter().flat_map(|p| &p.measures) {
        if !table.contains(&measure.as_str()) {
            table.push(measure);
        }
    }
    out.list(&table, |out, measure| out.str(measure));
    let measured: Vec<(usize, &Passage)> = passages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.measures.is_empty())
        .collect();
    out.list(&measured, |out, (i, passage)| {
        out.usize(*i);
        out.list(&passage.measures, |out, measure| {
            let at = table.iter().position(|m| m == measure);
            out.usize(at.unwrap_or_default());
        });
        out.list(&passage.measures, |out, measure| {
            let words = passage.evidence.get(measure).map_or(&[][..], Vec::as_slice);
            out.list(words, |out, word| out.str(word));
        });
    });
}

/// True when the text is the passages' texts joined by `\n`.
fn tiles(doc: &CaseDoc) -> bool {
    let mut at = 0;
    for (i, passage) in doc.passages.iter().enumerate() {
        let sep = usize::from(i > 0);
        if sep == 1 && doc.text.get(at..at + 1) != Some("\n") {
            return false;
        }
        at += sep;
        if doc.text.get(at..at + passage.text.len()) != Some(passage.text.as_str()) {
            return false;
        }
        at += passage.text.len();
    }
    at == doc.text.len()
}

/// A document as read from the store: its fields, its text (borrowed from the stored bytes),
/// and its passages apart.
pub struct StoredDoc<'t> {
    /// The document, with no text and no passages (see `text`, `passage_text`...).
    pub doc: CaseDoc,
    text: &'t str,
    /// Each passage's byte range in the text, when they tile it.
    spans: Vec<Range<usize>>,
    texts: Option<Vec<String>>,
    ids: Option<Vec<String>>,
    /// The measure ids the passages use.
    measure_table: Vec<String>,
    /// (passage index, range of `measure_refs`), ascending by passage.
    measured: Vec<(usize, Range<usize>)>,
    /// Indexes into `measure_table`.
    measure_refs: Vec<usize>,
    /// Per measured passage, per measure, the phrases that decided it.
    evidence: Vec<Vec<Vec<String>>>,
}

/// The passage part of a record, before it is checked against the text.
struct StoredPassages {
    lengths: Option<Vec<usize>>,
    texts: Option<Vec<String>>,
    ids: Option<Vec<String>>,
    measure_table: Vec<String>,
    measured: Vec<(usize, Range<usize>)>,
    measure_refs: Vec<usize>,
    evidence: Vec<Vec<Vec<String>>>,
}

impl<'t> StoredDoc<'t> {
    /// Rebuilds the document from its stored record and text bytes.
    pub fn decode(record: &[u8], text: &'t [u8]) -> Result<StoredDoc<'t>> {
        let mut read = Decoder::new(record);
        if read.u8() != Some(RECORD_VERSION) {
            return Err(Error::internal(
                "a stored record has another layout: rebuild the index with `zhili ingest --full`",
            ));
        }
        let (doc, passages) = decode_fields(&mut read)
            .filter(|_| read.is_done())
            .ok_or_else(|| Error::internal("a stored record is truncated or corrupt"))?;
        let text = simdutf8::basic::from_utf8(text)
            .map_err(|_| Error::internal("a stored document's text is not UTF-8"))?;
        let spans = match &passages.lengths {
            Some(lengths) => passage_spans(text, lengths)?,
            None => Vec::new(),
        };
        let stored = StoredDoc {
            doc,
            text,
            spans,
            texts: passages.texts,
            ids: passages.ids,
            measure_table: passages.measure_table,
            measured: passages.measured,
            measure_refs: passages.measure_refs,
            evidence: passages.evidence,
        };
        stored.check()?;
        Ok(stored)
    }

    /// Ids, measured passages and measure references all point inside their tables.
    fn check(&self) -> Result<()> {
        let count = self.passage_count();
        let ids_fit = self.ids.as_ref().is_none_or(|ids| ids.len() == count);
        let ascending = self.measured.windows(2).all(|w| w[0].0 < w[1].0);
        let passages_fit = self.measured.last().is_none_or(|(i, _)| *i < count);
        let refs_fit = self
            .measure_refs
            .iter()
            .all(|&r| r < self.measure_table.len());
        let evidence_fits = self.evidence.len() == self.measured.len()
            && (self.measured.iter().zip(&self.evidence)).all(|((_, r), e)| e.len() == r.len());
        if ids_fit && ascending && passages_fit && refs_fit && evidence_fits {
            Ok(())
        } else {
            Err(corrupt())
        }
    }

    /// The document's text.
    pub fn text(&self) -> &'t str {
        self.text
    }

    /// True when the passages, joined by `\n`, are the text: each passage's place in the text
    /// is then known without comparing.
    pub fn passages_tile(&self) -> bool {
        self.texts.is_none()
    }

    pub fn passage_count(&self) -> usize {
        self.texts.as_ref().map_or(self.spans.len(), Vec::len)
    }

    /// The text of passage `i`.
    pub fn passage_text(&self, i: usize) -> &str {
        match &self.texts {
            Some(texts) => &texts[i],
            None => &self.text[self.spans[i].clone()],
        }
    }

    /// The measures of passage `i`.
    pub fn passage_measures(&self, i: usize) -> Vec<String> {
        match self.measured.binary_search_by_key(&i, |(at, _)| *at) {
            Ok(found) => self.measure_refs[self.measured[found].1.clone()]
                .iter()
                .map(|&r| self.measure_table[r].clone())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Why passage `i` has its measures: measure id → the phrases that decided it.
    pub fn passage_evidence(&self, i: usize) -> crate::model::Evidence {
        match self.measured.binary_search_by_key(&i, |(at, _)| *at) {
            Ok(found) => self.measure_refs[self.measured[found].1.clone()]
                .iter()
                .zip(&self.evidence[found])
                .filter(|(_, words)| !words.is_empty())
                .map(|(&r, words)| (self.measure_table[r].clone(), words.clone()))
                .collect(),
            Err(_) => Default::default(),
        }
    }

    /// The whole document, passages filled in.
    pub fn into_case_doc(self) -> CaseDoc {
        let passages = (0..self.passage_count())
            .map(|i| Passage {
                id: match &self.ids {
                    Some(ids) => ids[i].clone(),
                    None => usual_passage_id(&self.doc.id, i),
                },
                measures: self.passage_measures(i),
                evidence: self.passage_evidence(i),
                text: self.passage_text(i).to_string(),
            })
            .collect();
        CaseDoc {
            text: self.text.to_string(),
            passages,
            ..self.doc
        }
    }
}

/// The record after its version byte: the document's fields (no text, no passages) and the
/// passages' part. `None` when the bytes run out or hold something impossible.
fn decode_fields(read: &mut Decoder) -> Option<(CaseDoc, StoredPassages)> {
    let doc = CaseDoc {
        id: read.string()?,
        title: read.string()?,
        region: decode_region(read)?,
        year: read.opt_i32()?,
        years_mentioned: read.list(Decoder::i32)?,
        measures: read.list(Decoder::string)?,
        source: decode_source(read)?,
        duplicates: read.list(decode_source)?,
        duplicate_of: read.opt_string()?,
        versions: read.list(decode_version)?,
        added: match read.flag()? {
            true => Some(Added(i64::try_from(read.usize()?).ok()?)),
            false => None,
        },
        text: String::new(),
        passages: Vec::new(),
    };
    Some((doc, decode_passages(read)?))
}

fn decode_region(read: &mut Decoder) -> Option<Region> {
    Some(Region {
        province: read.opt_string()?,
        city: read.opt_string()?,
        county: read.opt_string()?,
        path: read.opt_string()?,
    })
}

pub(super) fn decode_source(read: &mut Decoder) -> Option<Source> {
    Some(Source {
        path: read.string()?,
        url: read.opt_string()?,
        publisher: read.opt_string()?,
        published: read.opt_string()?,
    })
}

pub(super) fn encode_version(out: &mut Encoder, version: &Version) {
    out.str(&version.id);
    out.str(&version.title);
    out.opt_i32(version.year);
}

pub(super) fn decode_version(read: &mut Decoder) -> Option<Version> {
    Some(Version {
        id: read.string()?,
        title: read.string()?,
        year: read.opt_i32()?,
    })
}

fn decode_passages(read: &mut Decoder) -> Option<StoredPassages> {
    let (lengths, texts) = if read.flag()? {
        (Some(read.list(Decoder::usize)?), None)
    } else {
        (None, Some(read.list(Decoder::string)?))
    };
    let ids = if read.flag()? {
        Some(read.list(Decoder::string)?)
    } else {
        None
    };
    let measure_table = read.list(Decoder::string)?;
    let mut measure_refs = Vec::new();
    let mut evidence = Vec::new();
    let measured = read.list(|read| {
        let passage = read.usize()?;
        let start = measure_refs.len();
        let count = read.usize()?;
        for _ in 0..count {
            measure_refs.push(read.usize()?);
        }
        evidence.push(read.list(|read| read.list(Decoder::string))?);
        Some((passage, start..measure_refs.len()))
    })?;
    Some(StoredPassages {
        lengths,
        texts,
        ids,
        measure_table,
        measured,
        measure_refs,
        evidence,
    })
}

fn corrupt() -> Error {
    Error::internal("a stored document's passages do not match its text")
}

/// Each passage's byte range, checked against the text: the passages joined by `\n` are
/// exactly the text.
fn passage_spans(text: &str, lengths: &[usize]) -> Result<Vec<Range<usize>>> {
    let mut at = 0;
    let mut spans = Vec::with_capacity(lengths.len());
    for (i, &len) in lengths.iter().enumerate() {
        if i > 0 {
            text.get(at..at + 1)
                .filter(|s| *s == "\n")
                .ok_or_else(corrupt)?;
            at += 1;
        }
        let end = at.checked_add(len).ok_or_else(corrupt)?;
        text.get(at..end).ok_or_else(corrupt)?;
        spans.push(at..end);
        at = end;
    }
    if at != text.len() {
        return Err(corrupt());
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, Source};

    fn doc(passages: &[&str], text: &str) -> CaseDoc {
        CaseDoc {
            id: "x".into(),
            title: "t".into(),
            region: Region::default(),
            year: None,
            years_mentioned: vec![],
            measures: vec![],
            source: Source::default(),
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: text.into(),
            passages: passages
                .iter()
                .enumerate()
                .map(|(i, t)| Passage {
                    id: if i == 0 {
                        "x-p1".into()
                    } else {
                        format!("own-{i}")
                    },
                    measures: vec!["grid".into()],
                    evidence: [("grid".to_string(), vec!["网格员".to_string()])].into(),
                    text: t.to_string(),
                })
                .collect(),
        }
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[test]
    fn tiling_passages_round_trip_without_storing_their_text_twice() {
        let original = doc(
            &["网格员巡逻", "视频监控\n全覆盖"],
            "网格员巡逻\n视频监控\n全覆盖",
        );
        let record = encode_record(&original);
        assert!(!contains(&record, "视频监控"));
        let stored = StoredDoc::decode(&record, original.text.as_bytes()).unwrap();
        assert_eq!(stored.passage_text(1), "视频监控\n全覆盖");
        assert_eq!(stored.into_case_doc(), original);
    }

    #[test]
    fn passages_that_do_not_tile_are_stored_whole() {
        let original = doc(&["甲", "乙"], "甲乙丙");
        let record = encode_record(&original);
        let stored = StoredDoc::decode(&record, original.text.as_bytes()).unwrap();
        assert_eq!(stored.passage_text(1), "乙");
        assert_eq!(stored.into_case_doc(), original);
    }

    #[test]
    fn every_field_round_trips() {
        let mut original = doc(&["网格员巡逻", "视频监控"], "网格员巡逻\n视频监控");
        original.region = Region::from_levels(Some("浙江省".into()), Some("杭州市".into()), None);
        original.year = Some(2019);
        original.years_mentioned = vec![2017, 2019];
        original.measures = vec!["grid".into(), "video".into()];
        original.source = Source {
            path: "浙江/a.md".into(),
            url: Some("https://example.org/a".into()),
            publisher: Some("临泽县融媒体中心".into()),
            published: Some("2019-05-06".into()),
        };
        original.duplicates = vec![Source {
            path: "浙江/b.md".into(),
            url: None,
            ..Default::default()
        }];
        original.duplicate_of = Some("0123456789abcdef".into());
        original.passages[0].measures = vec![];
        original.passages[0].evidence.clear();
        original.passages[1].measures = vec!["video".into(), "grid".into()];
        original.passages[1].evidence =
            [("video".to_string(), vec!["视频监控".to_string()])].into();
        let record = encode_record(&original);
        let stored = StoredDoc::decode(&record, original.text.as_bytes()).unwrap();
        assert_eq!(stored.passage_measures(0), Vec::<String>::new());
        assert_eq!(stored.passage_measures(1), ["video", "grid"]);
        assert_eq!(stored.into_case_doc(), original);
    }

    #[test]
    fn a_text_that_is_not_utf8_or_too_short_is_an_error_not_a_panic() {
        let original = doc(&["网格员巡逻", "视频监控"], "网格员巡逻\n视频监控");
        let record = encode_record(&original);
        assert!(StoredDoc::decode(&record, &[0xE7, 0xBD]).is_err());
        assert!(StoredDoc::decode(&record, "网格员巡逻".as_bytes()).is_err());
        let longer = "网格员巡逻\n视频监控。多出来的字";
        assert!(StoredDoc::decode(&record, longer.as_bytes()).is_err());
        let no_separator = "网格员巡逻。视频监控";
        assert!(StoredDoc::decode(&record, no_separator.as_bytes()).is_err());
    }

    #[test]
    fn a_corrupt_record_is_an_error_not_a_panic() {
        let original = doc(&["网格员巡逻", "视频监控"], "网格员巡逻\n视频监控");
        let text = original.text.as_bytes();
        let record = encode_record(&original);
        for cut in 0..record.len() {
            assert!(
                StoredDoc::decode(&record[..cut], text).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = record.clone();
        longer.push(0);
        assert!(StoredDoc::decode(&longer, text).is_err());
        for at in 0..record.len() {
            for byte in [0x00, 0x7f, 0xff] {
                let mut changed = record.clone();
                changed[at] = byte;
                // Any outcome but a panic; when it decodes, its passages still fit the text.
                if let Ok(stored) = StoredDoc::decode(&changed, text) {
                    let doc = stored.into_case_doc();
                    assert!(doc.passages.iter().all(|p| text.len() >= p.text.len()));
                }
            }
        }
        let mut other_version = record.clone();
        other_version[0] = RECORD_VERSION + 1;
        let err = StoredDoc::decode(&other_version, text).err().unwrap();
        assert!(err.to_string().contains("--full"), "{err}");
    }
}
