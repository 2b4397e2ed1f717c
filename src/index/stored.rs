//! How a `CaseDoc` is kept in the index's document store: its text as one stored value, and
//! everything else as a small JSON record. In the record each passage is only its byte length
//! and its measures when the passages tile the text (they do: `text` is the passages joined with
//! `\n`) and their ids are the usual `<doc id>-p<n>`; otherwise its id and text are kept too.
//! A hit parses only this record and slices the passages it shows out of the text.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::model::{CaseDoc, Passage};
use crate::{Error, Result};

/// The JSON record: the document without its text and passages, and the passages apart, as
/// flat arrays (dozens of passages per document: objects would cost more to parse than the rest).
#[derive(Serialize, Deserialize)]
struct Record {
    doc: CaseDoc,
    /// Each passage's byte length, when the passages tile the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passage_bytes: Option<Vec<usize>>,
    /// Each passage's text, when they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passage_texts: Option<Vec<String>>,
    /// The measures of the passages that have any, by passage index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    passage_measures: Vec<(usize, Vec<String>)>,
    /// The passages' ids, when they are not `<doc id>-p<n>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passage_ids: Option<Vec<String>>,
}

fn usual_passage_id(doc_id: &str, i: usize) -> String {
    format!("{doc_id}-p{}", i + 1)
}

/// The stored record of `doc` (its text is stored apart).
pub fn encode_record(doc: &CaseDoc) -> Result<String> {
    let passages = &doc.passages;
    let tiles = tiles(doc);
    let usual_ids = passages
        .iter()
        .enumerate()
        .all(|(i, p)| p.id == usual_passage_id(&doc.id, i));
    let record = Record {
        doc: CaseDoc {
            id: doc.id.clone(),
            title: doc.title.clone(),
            region: doc.region.clone(),
            year: doc.year,
            years_mentioned: doc.years_mentioned.clone(),
            measures: doc.measures.clone(),
            source: doc.source.clone(),
            duplicates: doc.duplicates.clone(),
            duplicate_of: doc.duplicate_of.clone(),
            text: String::new(),
            passages: Vec::new(),
        },
        passage_bytes: tiles.then(|| passages.iter().map(|p| p.text.len()).collect()),
        passage_texts: (!tiles).then(|| passages.iter().map(|p| p.text.clone()).collect()),
        passage_measures: passages
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.measures.is_empty())
            .map(|(i, p)| (i, p.measures.clone()))
            .collect(),
        passage_ids: (!usual_ids).then(|| passages.iter().map(|p| p.id.clone()).collect()),
    };
    Ok(serde_json::to_string(&record)?)
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

/// A document as read from the store: its fields and text, and its passages apart.
pub struct StoredDoc {
    /// The document, with no passages (see `passage_count`, `passage_text`...).
    pub doc: CaseDoc,
    /// Each passage's byte range in the text, when they tile it.
    spans: Vec<Range<usize>>,
    texts: Option<Vec<String>>,
    measures: Vec<(usize, Vec<String>)>,
    ids: Option<Vec<String>>,
}

impl StoredDoc {
    /// Rebuilds the document from its stored record and text bytes.
    pub fn decode(record: &str, text: &[u8]) -> Result<StoredDoc> {
        let record: Record = serde_json::from_str(record)?;
        let mut doc = record.doc;
        doc.text = simdutf8::basic::from_utf8(text)
            .map_err(|_| Error::internal("a stored document's text is not UTF-8"))?
            .to_string();
        let spans = match &record.passage_bytes {
            Some(lengths) => passage_spans(&doc.text, lengths)?,
            None => Vec::new(),
        };
        let count = record.passage_texts.as_ref().map_or(spans.len(), Vec::len);
        let consistent = record.passage_bytes.is_some() != record.passage_texts.is_some()
            && record
                .passage_ids
                .as_ref()
                .is_none_or(|ids| ids.len() == count)
            && record.passage_measures.iter().all(|(i, _)| *i < count);
        if !consistent {
            return Err(corrupt());
        }
        Ok(StoredDoc {
            doc,
            spans,
            texts: record.passage_texts,
            measures: record.passage_measures,
            ids: record.passage_ids,
        })
    }

    pub fn passage_count(&self) -> usize {
        self.texts.as_ref().map_or(self.spans.len(), Vec::len)
    }

    /// The text of passage `i`.
    pub fn passage_text(&self, i: usize) -> &str {
        match &self.texts {
            Some(texts) => &texts[i],
            None => &self.doc.text[self.spans[i].clone()],
        }
    }

    /// The measures of passage `i`.
    pub fn passage_measures(&self, i: usize) -> &[String] {
        match self.measures.binary_search_by_key(&i, |(at, _)| *at) {
            Ok(found) => &self.measures[found].1,
            Err(_) => &[],
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
                measures: self.passage_measures(i).to_vec(),
                text: self.passage_text(i).to_string(),
            })
            .collect();
        CaseDoc {
            passages,
            ..self.doc
        }
    }
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
                    text: t.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn tiling_passages_round_trip_without_storing_their_text_twice() {
        let original = doc(
            &["网格员巡逻", "视频监控\n全覆盖"],
            "网格员巡逻\n视频监控\n全覆盖",
        );
        let record = encode_record(&original).unwrap();
        assert!(!record.contains("视频监控"), "{record}");
        let stored = StoredDoc::decode(&record, original.text.as_bytes()).unwrap();
        assert_eq!(stored.passage_text(1), "视频监控\n全覆盖");
        assert_eq!(stored.into_case_doc(), original);
    }

    #[test]
    fn passages_that_do_not_tile_are_stored_whole() {
        let original = doc(&["甲", "乙"], "甲乙丙");
        let record = encode_record(&original).unwrap();
        let stored = StoredDoc::decode(&record, original.text.as_bytes()).unwrap();
        assert_eq!(stored.passage_text(1), "乙");
        assert_eq!(stored.into_case_doc(), original);
    }

    #[test]
    fn a_text_that_is_not_utf8_or_too_short_is_an_error_not_a_panic() {
        let original = doc(&["网格员巡逻", "视频监控"], "网格员巡逻\n视频监控");
        let record = encode_record(&original).unwrap();
        assert!(StoredDoc::decode(&record, &[0xE7, 0xBD]).is_err());
        assert!(StoredDoc::decode(&record, "网格员巡逻".as_bytes()).is_err());
        let longer = "网格员巡逻\n视频监控。多出来的字";
        assert!(StoredDoc::decode(&record, longer.as_bytes()).is_err());
        let no_separator = "网格员巡逻。视频监控";
        assert!(StoredDoc::decode(&record, no_separator.as_bytes()).is_err());
        let huge = record.replace("[15,12]", &format!("[15,{}]", usize::MAX));
        assert_ne!(huge, record);
        assert!(StoredDoc::decode(&huge, original.text.as_bytes()).is_err());
        let neither = record.replace(",\"passage_bytes\":[15,12]", "");
        assert_ne!(neither, record);
        assert!(StoredDoc::decode(&neither, original.text.as_bytes()).is_err());
    }
}
