//! Turning a `StoredDoc` (a document read back for a hit) into a search hit: snippet of the best window, and the passages
//! that hold the query's words, as escaped HTML with `<mark>`.

use crate::index::stored::StoredDoc;

use super::query::ParsedQuery;
use super::snippet::{Highlighter, Match, distinct_terms, snippet_with};
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

    pub fn hit(&self, stored: StoredDoc, score: f32) -> Hit {
        let (snippet, passages) = if self.snippets {
            let matches = self.highlighter.matches(&stored.doc.text);
            (
                snippet_with(&stored.doc.text, &matches, SNIPPET_CHARS),
                passages(&stored, &matches),
            )
        } else {
            (String::new(), Vec::new())
        };
        let doc = stored.doc;
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
}

/// The passages with the most distinct query words (then most matches), in text order.
/// `matches` are those of the whole text, which the passages tile (joined by `\n`), so the
/// text is scanned once and passages without a match cost nothing.
fn passages(stored: &StoredDoc, matches: &[Match]) -> Vec<HitPassage> {
    let doc = &stored.doc;
    let mut found: Vec<(usize, Vec<Match>)> = Vec::new();
    let mut at = 0;
    let mut rest = matches;
    for i in 0..stored.passage_count() {
        let passage = stored.passage_text(i);
        let (from, to) = (at, at + passage.len());
        at = to + 1;
        let skip = rest.iter().take_while(|m| m.start < from).count();
        rest = &rest[skip..];
        let inside = rest.iter().take_while(|m| m.end <= to).count();
        let in_place = stored.passages_tile() || doc.text.get(from..to) == Some(passage);
        if inside > 0 && in_place {
            let shifted = rest[..inside]
                .iter()
                .map(|m| Match {
                    start: m.start - from,
                    end: m.end - from,
                    term: m.term,
                })
                .collect();
            found.push((i, shifted));
        }
        rest = &rest[inside..];
    }
    found.sort_by(|a, b| {
        let key = |m: &Vec<Match>| (distinct_terms(m), m.len());
        key(&b.1).cmp(&key(&a.1)).then(a.0.cmp(&b.0))
    });
    found.truncate(MAX_PASSAGES);
    found.sort_by_key(|(i, _)| *i);
    found
        .into_iter()
        .map(|(i, matches)| HitPassage {
            measures: stored.passage_measures(i),
            text: snippet_with(stored.passage_text(i), &matches, PASSAGE_CHARS),
        })
        .collect()
}
