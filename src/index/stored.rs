//! How a `CaseDoc` is kept in the index's document store: as JSON, with the passages' texts
//! replaced by their byte lengths when they tile the text (they do: `text` is the passages
//! joined with `\n`). That halves what every hit has to read and parse.

use serde::{Deserialize, Serialize};

use crate::model::{CaseDoc, Passage};
use crate::{Error, Result};

#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    doc: CaseDoc,
    /// Byte length of each passage when the passages' texts were left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passage_bytes: Option<Vec<usize>>,
}

/// The stored form of `doc`.
pub fn encode(doc: &CaseDoc) -> Result<String> {
    let tiles = doc
        .passages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
        == doc.text;
    if !tiles {
        return Ok(serde_json::to_string(&Stored {
            doc: doc.clone(),
            passage_bytes: None,
        })?);
    }
    let mut slim = doc.clone();
    let lengths = slim
        .passages
        .iter_mut()
        .map(|p| std::mem::take(&mut p.text).len())
        .collect();
    Ok(serde_json::to_string(&Stored {
        doc: slim,
        passage_bytes: Some(lengths),
    })?)
}

/// The document back from its stored form.
pub fn decode(json: &str) -> Result<CaseDoc> {
    let stored: Stored = serde_json::from_str(json)?;
    let mut doc = stored.doc;
    if let Some(lengths) = stored.passage_bytes {
        fill_passages(&doc.text, &mut doc.passages, &lengths)?;
    }
    Ok(doc)
}

fn fill_passages(text: &str, passages: &mut [Passage], lengths: &[usize]) -> Result<()> {
    let corrupt = || Error::internal("a stored document's passages do not match its text");
    if passages.len() != lengths.len() {
        return Err(corrupt());
    }
    let mut at = 0;
    for (passage, &len) in passages.iter_mut().zip(lengths) {
        passage.text = text.get(at..at + len).ok_or_else(corrupt)?.to_string();
        at += len + 1;
    }
    Ok(())
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
                    id: format!("x-p{i}"),
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
        let stored = encode(&original).unwrap();
        assert_eq!(stored.matches("视频监控").count(), 1);
        assert_eq!(decode(&stored).unwrap(), original);
    }

    #[test]
    fn passages_that_do_not_tile_are_stored_whole() {
        let original = doc(&["甲", "乙"], "甲乙丙");
        assert_eq!(decode(&encode(&original).unwrap()).unwrap(), original);
    }
}
