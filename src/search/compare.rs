//! Side-by-side comparison (the body of `GET /api/compare` and `zhili compare --json`).
//! Input: the documents to compare, in the order asked for. Output: one row per measure type in
//! taxonomy order, each cell a document's passages (plain text) for that measure. A passage
//! tagged with several measures is shown once, under the one it is most about (the one with
//! the most evidence in it; the first listed on a tie), and a cell's passages come best first
//! (most evidence, then text order). Pure: no index access, no HTML.

use serde::{Deserialize, Serialize};

use crate::model::{CaseDoc, Passage, Region, Source};
use crate::render::label::citation;
use crate::taxonomy::Taxonomy;

/// A compared document, as the header of its column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareDoc {
    pub id: String,
    pub title: String,
    pub region: Region,
    pub year: Option<i32>,
    pub measures: Vec<String>,
    pub source: Source,
    /// A one-line reference to the case, ready to paste into a report.
    pub citation: String,
}

/// One measure type across the compared documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRow {
    pub measure: String,
    pub label: String,
    /// `cells[i]`: document `i`'s passages for this measure (possibly none).
    pub cells: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub docs: Vec<CompareDoc>,
    pub rows: Vec<CompareRow>,
}

/// Aligns `docs` by measure type: one row for every measure of the taxonomy (in its order),
/// then rows for any measure id a document carries that the taxonomy does not know.
pub fn compare(docs: &[CaseDoc]) -> Comparison {
    let taxonomy = Taxonomy::get();
    let mut ids: Vec<(String, String)> = taxonomy
        .measures
        .iter()
        .map(|m| (m.id.clone(), m.label.clone()))
        .collect();
    for doc in docs {
        let tagged = doc
            .measures
            .iter()
            .chain(doc.passages.iter().flat_map(|p| &p.measures));
        for id in tagged {
            if !ids.iter().any(|(known, _)| known == id) {
                ids.push((id.clone(), id.clone()));
            }
        }
    }
    let rows = ids
        .into_iter()
        .map(|(measure, label)| CompareRow {
            cells: docs.iter().map(|doc| passages_for(doc, &measure)).collect(),
            measure,
            label,
        })
        .collect();
    Comparison {
        docs: docs.iter().map(compare_doc).collect(),
        rows,
    }
}

/// How strongly a passage is about a measure: the phrases that decided it.
fn strength(passage: &Passage, measure: &str) -> usize {
    passage.evidence.get(measure).map_or(0, Vec::len)
}

/// The measure a passage is shown under.
fn main_measure(passage: &Passage) -> Option<&str> {
    let mut best: Option<&str> = None;
    for m in &passage.measures {
        if best.is_none_or(|b| strength(passage, m) > strength(passage, b)) {
            best = Some(m);
        }
    }
    best
}

fn passages_for(doc: &CaseDoc, measure: &str) -> Vec<String> {
    let mut mine: Vec<&Passage> = doc
        .passages
        .iter()
        .filter(|p| main_measure(p) == Some(measure))
        .collect();
    // Stable: text order among equals.
    mine.sort_by_key(|p| std::cmp::Reverse(strength(p, measure)));
    mine.into_iter().map(|p| p.text.clone()).collect()
}

fn compare_doc(doc: &CaseDoc) -> CompareDoc {
    CompareDoc {
        id: doc.id.clone(),
        title: doc.title.clone(),
        region: doc.region.clone(),
        year: doc.year,
        measures: doc.measures.clone(),
        source: doc.source.clone(),
        citation: citation(doc),
    }
}

impl Comparison {
    /// Only the rows of `measures` (in taxonomy order); every row when `measures` is empty.
    pub fn keep_measures(&mut self, measures: &[String]) {
        if !measures.is_empty() {
            self.rows.retain(|row| measures.contains(&row.measure));
        }
    }

    /// Rows where at least one document has a passage.
    pub fn filled_rows(&self) -> impl Iterator<Item = &CompareRow> {
        self.rows
            .iter()
            .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
    }

    /// A readable plain-text rendering for the terminal: filled rows only.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, doc) in self.docs.iter().enumerate() {
            out.push_str(&format!("[{}] {}\n", i + 1, doc.citation));
        }
        for row in self.filled_rows() {
            out.push_str(&format!("\n== {} ({}) ==\n", row.label, row.measure));
            for (i, cell) in row.cells.iter().enumerate() {
                if cell.is_empty() {
                    out.push_str(&format!("[{}] —\n", i + 1));
                }
                for passage in cell {
                    out.push_str(&format!("[{}] {}\n", i + 1, passage.trim()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, passages: &[(&[&str], &str)]) -> CaseDoc {
        CaseDoc {
            id: id.into(),
            title: format!("{id} 的经验"),
            region: Region::from_levels(Some("甘肃省".into()), None, None),
            year: Some(2022),
            years_mentioned: vec![],
            measures: vec![],
            source: Source {
                path: format!("corpus/{id}.txt"),
                url: None,
                ..Default::default()
            },
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: String::new(),
            passages: passages
                .iter()
                .enumerate()
                .map(|(n, (measures, text))| Passage {
                    id: format!("{id}-p{}", n + 1),
                    measures: measures.iter().map(|m| m.to_string()).collect(),
                    evidence: Default::default(),
                    text: text.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn rows_follow_taxonomy_order_and_cells_hold_each_docs_passages() {
        let a = doc(
            "a",
            &[
                (&["video"], "A 建成视频监控"),
                (&["patrol", "video"], "A 巡逻"),
            ],
        );
        let b = doc("b", &[(&["patrol"], "B 巡逻"), (&[], "B 其他")]);
        let cmp = compare(&[a, b]);
        assert_eq!(cmp.docs.len(), 2);
        assert_eq!(cmp.rows.len(), Taxonomy::get().measures.len());
        assert_eq!(cmp.rows[0].measure, "patrol");
        let video = cmp.rows.iter().find(|r| r.measure == "video").unwrap();
        assert_eq!(video.label, "视频监控与智能感知");
        assert_eq!(
            video.cells,
            vec![vec!["A 建成视频监控"], vec![] as Vec<&str>],
            "A 巡逻 is shown once, under patrol (listed first, no evidence either way)"
        );
        let patrol = &cmp.rows[0];
        assert_eq!(patrol.cells, vec![vec!["A 巡逻"], vec!["B 巡逻"]]);
        let filled: Vec<_> = cmp.filled_rows().map(|r| r.measure.as_str()).collect();
        assert_eq!(filled, vec!["patrol", "video"]);
        assert!(cmp.to_text().contains("== 视频监控与智能感知 (video) =="));
    }

    #[test]
    fn a_passage_goes_under_the_measure_with_most_evidence_and_the_best_come_first() {
        let mut a = doc(
            "a",
            &[
                (&["patrol", "video"], "A 巡逻中调取视频监控"),
                (&["video"], "A 雪亮工程"),
            ],
        );
        let evidence = |pairs: &[(&str, &[&str])]| {
            pairs
                .iter()
                .map(|(m, words)| (m.to_string(), words.iter().map(|w| w.to_string()).collect()))
                .collect()
        };
        a.passages[0].evidence =
            evidence(&[("patrol", &["巡逻"]), ("video", &["视频监控", "调取视频"])]);
        a.passages[1].evidence = evidence(&[("video", &["雪亮工程"])]);
        let cmp = compare(&[a, doc("b", &[])]);
        let row = |id: &str| cmp.rows.iter().find(|r| r.measure == id).unwrap();
        assert_eq!(
            row("video").cells[0],
            ["A 巡逻中调取视频监控", "A 雪亮工程"]
        );
        assert!(row("patrol").cells[0].is_empty(), "shown once");
    }

    #[test]
    fn unknown_measure_ids_get_a_row_at_the_end() {
        let cmp = compare(&[doc("a", &[(&["zzz"], "x")]), doc("b", &[])]);
        let last = cmp.rows.last().unwrap();
        assert_eq!((last.measure.as_str(), last.cells.len()), ("zzz", 2));
    }
}
