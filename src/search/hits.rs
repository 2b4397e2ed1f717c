//! Turning a stored `CaseDoc` into a search hit: snippet of the best window, and the passages
//! that hold the query's words, as escaped HTML with `<mark>`.

use crate::model::CaseDoc;

use super::query::ParsedQuery;
use super::snippet::Highlighter;
use super::types::{Hit, HitPassage};

/// Characters in a hit's snippet.
pub const SNIPPET_CHARS: usize = 80;
/// Characters of each matching passage shown with a hit.
const PASSAGE_CHARS: usize = 120;
/// Matching passages shown with a hit.
const MAX_PASSAGES: usize = 3;

pub struct HitBuilder {
    highlighter: Highlighter,
    snippets: bool,
}

impl HitBuilder {
    /// `snippets: false` leaves snippets and passages empty (benchmarks measure their cost).
    pub fn new(query: &ParsedQuery, snippets: bool) -> HitBuilder {
        HitBuilder {
            highlighter: Highlighter::new(&query.highlight_terms()),
            snippets,
        }
    }

    pub fn hit(&self, doc: CaseDoc, score: f32) -> Hit {
        let (snippet, passages) = if self.snippets {
            (
                self.highlighter.snippet(&doc.text, SNIPPET_CHARS),
                self.passages(&doc),
            )
        } else {
            (String::new(), Vec::new())
        };
        Hit {
            id: doc.id,
            title: doc.title,
            score,
            region: doc.region,
            year: doc.year,
            years_mentioned: doc.years_mentioned,
            measures: doc.measures,
            source: doc.source,
            snippet,
            passages,
        }
    }

    /// The passages with the most distinct query words (then most matches), in text order.
    fn passages(&self, doc: &CaseDoc) -> Vec<HitPassage> {
        let mut scored: Vec<(usize, (usize, usize))> = doc
            .passages
            .iter()
            .enumerate()
            .map(|(i, p)| (i, self.highlighter.score(&p.text)))
            .filter(|(_, (distinct, _))| *distinct > 0)
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_PASSAGES);
        scored.sort_by_key(|(i, _)| *i);
        scored
            .into_iter()
            .map(|(i, _)| HitPassage {
                measures: doc.passages[i].measures.clone(),
                text: self
                    .highlighter
                    .snippet(&doc.passages[i].text, PASSAGE_CHARS),
            })
            .collect()
    }
}
