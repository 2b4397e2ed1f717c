//! How a `CaseDoc` is kept in the index's document store: its text as one stored value, and
//! everything else as a small JSON record. In the record each passage is only its byte length
//! and its measures when the passages tile the text (they do: `text` is the passages joined with
//! `\n`) and their ids are the usual `<doc id>-p<n>`; otherwise its id and text are kept too.
//! A hit parses only this record and slices the passages it shows out of the text.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::model::{CaseDoc, Passage};
use crate::{Error, Result};

/// The JSON record: the document without its text and passages, and the passages apart.
#[derive(Serialize, Deserialize)]
struct Record {
    doc: CaseDoc,
    passages: Vec<StoredPassage>,
}

/// A passage in the record, with short keys: there are dozens per document.
#[derive(Serialize, Deserialize)]
struct StoredPassage {
    /// Byte length, when the passages tile the text.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    bytes: Option<usize>,
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    measures: Vec<String>,
    /// The id, when it is not `<doc id>-p<n>`.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    /// The text, when the passages do not tile the text.
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

fn usual_passage_id(doc_id: &str, i: usize) -> String {
    format!("{doc_id}-p{}", i + 1)
}

/// The stored record of `doc` (its text is stored apart).
pub fn encode_record(doc: &CaseDoc) -> Result<String> {
    let tiles = tiles(doc);
    let passages = doc
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| StoredPassage {
            bytes: tiles.then_some(p.text.len()),
            measures: p.measures.clone(),
            id: (p.id != usual_passage_id(&doc.id, i)).then(|| p.id.clone()),
            text: (!tiles).then(|| p.text.clone()),
        })
        .collect();
    let slim = CaseDoc {
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
    };
    Ok(serde_json::to_string(&Record {
        doc: slim,
        passages,
    })?)
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
    passages: Vec<StoredPassage>,
    /// Each passage's byte range in the text, when they tile it.
    spans: Option<Vec<Range<usize>>>,
}

impl StoredDoc {
    /// Rebuilds the document from its stored record and text bytes.
    pub fn decode(record: &str, text: &[u8]) -> Result<StoredDoc> {
        let Record { mut doc, passages } = serde_json::from_str(record)?;
        doc.text = simdutf8::basic::from_utf8(text)
            .map_err(|_| Error::internal("a stored document's text is not UTF-8"))?
            .to_string();
        let spans = passage_spans(&doc.text, &passages)?;
        Ok(StoredDoc {
            doc,
            passages,
            spans,
        })
    }

    pub fn passage_count(&self) -> usize {
        self.passages.len()
    }

    /// The text of passage `i`.
    pub fn passage_text(&self, i: usize) -> &str {
        match &self.spans {
            Some(spans) => &self.doc.text[spans[i].clone()],
            None => self.passages[i].text.as_deref().unwrap_or_default(),
        }
    }

    /// The measures of passage `i`.
    pub fn passage_measures(&self, i: usize) -> &[String] {
        &self.passages[i].measures
    }

    /// The whole document, passages filled in.
    pub fn into_case_doc(self) -> CaseDoc {
        let passages = (0..self.passages.len())
            .map(|i| Passage {
                id: self.passages[i]
                    .id
                    .clone()
                    .unwrap_or_else(|| usual_passage_id(&self.doc.id, i)),
                measures: self.passages[i].measures.clone(),
                text: self.passage_text(i).to_string(),
            })
            .collect();
        CaseDoc {
            passages,
            ..self.doc
        }
    }
}

/// Each passage's byte range, checked against the text; `None` when they were stored whole.
fn passage_spans(text: &str, passages: &[StoredPassage]) -> Result<Option<Vec<Range<usize>>>> {
    let corrupt = || Error::internal("a stored document's passages do not match its text");
    if passages.iter().any(|p| p.bytes.is_none()) {
        return match passages.iter().all(|p| p.text.is_some()) {
            true => Ok(None),
            false => Err(corrupt()),
        };
    }
    let mut at = 0;
    let mut spans = Vec::with_capacity(passages.len());
    for len in passages.iter().filter_map(|p| p.bytes) {
        text.get(at..at + len).ok_or_else(corrupt)?;
        spans.push(at..at + len);
        at += len + 1;
    }
    Ok(Some(spans))
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
    }
}
