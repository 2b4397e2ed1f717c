//! Turning a `StoredDoc` (a document read back for a hit) into a search hit: the snippet of
//! the best window, and the passages that hold the query's words, as escaped HTML with
//! `<mark>`. With a measure filter both come from the passages tagged with the measure when
//! those hold a match.

use std::cmp::Reverse;
use std::ops::Range;

use crate::index::stored::StoredDoc;

use super::snippet::{Highlighter, Match, coverage, snippet_with, spans};
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
    /// The measures the search is filtered by: the snippet and the passages come from the
    /// passages tagged with one of them, where those hold a match.
    measures: Vec<String>,
}

impl HitBuilder {
    /// `terms` (and their words) and `expressions` (as written) are the texts to mark;
    /// `snippets: false` leaves snippets and passages empty (benchmarks measure their cost).
    pub fn new(terms: &[String], expressions: &[String], snippets: bool) -> HitBuilder {
        HitBuilder {
            highlighter: Highlighter::with_expressions(terms, expressions),
            snippets,
            measures: Vec::new(),
        }
    }

    /// Snippets and passages from the passages tagged with one of `measures` (a measure
    /// filter), where those hold a match.
    pub fn preferring(mut self, measures: &[String]) -> HitBuilder {
        self.measures = measures.to_vec();
        self
    }

    /// True when passage `p` is tagged with one of the filtered measures.
    fn tagged(&self, stored: &StoredDoc, p: &MatchedPassage) -> bool {
        !self.measures.is_empty()
            && (stored.passage_measures(p.index).iter()).any(|m| self.measures.contains(m))
    }

    /// The hit of `stored`; `traditional` when its text holds traditional characters (then
    /// it is folded for matching).
    pub fn hit(&self, stored: StoredDoc, score: f32, traditional: bool) -> Hit {
        let (snippet, passages) = if self.snippets {
            let matches = if traditional {
                self.highlighter.matches(stored.text())
            } else {
                self.highlighter.matches_simplified(stored.text())
            };
            let mut found = matches_by_passage(&stored, &matches);
            // Best first: tagged with a filtered measure, then by `rank`.
            found.sort_by_cached_key(|p| (Reverse(self.tagged(&stored, p)), rank(p, &matches)));
            // The snippet's matches: those of the best tagged passage, when one holds any.
            let snippet_matches = match found.first() {
                Some(best) if self.tagged(&stored, best) => &matches[best.matches.clone()],
                _ => &matches[..],
            };
            (
                snippet_with(stored.text(), snippet_matches, SNIPPET_CHARS),
                passages(&stored, &matches, found),
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
            added: doc.added,
            versions: doc.versions,
            snippet_spans: spans(&snippet),
            snippet,
            passages,
        }
    }
}

/// How good a passage's matches are, best least: the most terms found whole, then at all
/// (`coverage`), then the most matches, then the earliest.
fn rank(p: &MatchedPassage, matches: &[Match]) -> (Reverse<(usize, usize)>, Reverse<usize>, usize) {
    let inside = &matches[p.matches.clone()];
    (Reverse(coverage(inside)), Reverse(inside.len()), p.index)
}

/// The first `MAX_PASSAGES` of `found` (sorted best first), in text order. `matches` are
/// those of the whole text, which the passages tile (joined by `\n`).
fn passages(
    stored: &StoredDoc,
    matches: &[Match],
    mut found: Vec<MatchedPassage>,
) -> Vec<HitPassage> {
    found.truncate(MAX_PASSAGES);
    found.sort_by_key(|p| p.index);
    found
        .into_iter()
        .map(|p| {
            let shifted: Vec<Match> = matches[p.matches]
                .iter()
                .map(|m| Match {
                    start: m.start - p.start,
                    end: m.end - p.start,
                    ..*m
                })
                .collect();
            let text = snippet_with(stored.passage_text(p.index), &shifted, PASSAGE_CHARS);
            HitPassage {
                measures: stored.passage_measures(p.index),
                spans: spans(&text),
                text,
            }
        })
        .collect()
}

/// A passage that holds matches.
struct MatchedPassage {
    index: usize,
    /// Its byte offset in the text.
    start: usize,
    /// The range of the text's matches inside it.
    matches: Range<usize>,
}

/// Each passage that holds matches: the text is scanned once, and the walk over passages
/// stops after the last match.
fn matches_by_passage(stored: &StoredDoc, matches: &[Match]) -> Vec<MatchedPassage> {
    let text = stored.text();
    let mut found = Vec::new();
    let (mut at, mut next) = (0, 0);
    for index in 0..stored.passage_count() {
        if next == matches.len() {
            break;
        }
        let passage = stored.passage_text(index);
        let (start, end) = (at, at + passage.len());
        at = end + 1;
        while next < matches.len() && matches[next].start < start {
            next += 1;
        }
        let first = next;
        while next < matches.len() && matches[next].end <= end {
            next += 1;
        }
        let in_place = || stored.passages_tile() || text.get(start..end) == Some(passage);
        if next > first && in_place() {
            found.push(MatchedPassage {
                index,
                start,
                matches: first..next,
            });
        }
    }
    found
}
