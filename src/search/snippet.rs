//! Snippets: the best window of a stored text around the query's words, as escaped HTML with
//! `<mark>` around every match. Matching is literal (aho-corasick over the terms and their jieba
//! words, leftmost-longest), so offsets are exact on Chinese text and a match never splits a
//! character. Windows are measured in characters, not bytes.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::index::tokenizer;

/// Characters of context kept before the first match of a window.
const LEAD_CHARS: usize = 12;
/// Anchors tried when choosing a window (bounds the work on very long texts).
const MAX_ANCHORS: usize = 400;

/// Finds the query's words in texts; built once per query.
pub struct Highlighter {
    matcher: Option<AhoCorasick>,
    /// For each pattern, the query term it belongs to.
    term_of: Vec<usize>,
}

/// A match: byte range and the query term it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub term: usize,
}

impl Highlighter {
    /// `terms` are the positive query terms as typed (already normalised by the parser).
    pub fn new(terms: &[String]) -> Highlighter {
        let mut patterns: Vec<String> = Vec::new();
        let mut term_of = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let mut add = |p: &str| {
                if !p.is_empty() && !patterns.iter().any(|q| q == p) {
                    patterns.push(p.to_string());
                    term_of.push(i);
                }
            };
            add(term);
            for word in tokenizer::words(term, false) {
                if word.text.chars().count() >= 2 || word.text.is_ascii() {
                    add(&word.text);
                }
            }
        }
        let matcher = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&patterns)
                .expect("literal patterns always build")
        });
        Highlighter { matcher, term_of }
    }

    pub fn matches(&self, text: &str) -> Vec<Match> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        matcher
            .find_iter(text)
            .map(|m| Match {
                start: m.start(),
                end: m.end(),
                term: self.term_of[m.pattern().as_usize()],
            })
            .collect()
    }

    /// The best window of at most `max_chars` characters, as HTML.
    pub fn snippet(&self, text: &str, max_chars: usize) -> String {
        snippet_with(text, &self.matches(text), max_chars)
    }
}

/// The snippet of `text` given its matches (sorted, as `Highlighter::matches` returns them).
pub fn snippet_with(text: &str, matches: &[Match], max_chars: usize) -> String {
    let (from, to) = best_window(text, matches, max_chars);
    let mut html = String::new();
    if from > 0 {
        html.push('…');
    }
    html.push_str(&mark(text, from, to, matches));
    if to < text.len() {
        html.push('…');
    }
    html
}

/// How many distinct query terms the matches cover.
pub fn distinct_terms(matches: &[Match]) -> usize {
    let mut terms: Vec<usize> = matches.iter().map(|m| m.term).collect();
    terms.sort_unstable();
    terms.dedup();
    terms.len()
}

/// Byte offset `n` characters after `from` (or the end).
fn advance_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// Byte offset up to `n` characters before `to`, not crossing a line start.
fn back_chars(text: &str, to: usize, n: usize) -> usize {
    let mut start = to;
    for (i, c) in text[..to].char_indices().rev().take(n) {
        if c == '\n' {
            break;
        }
        start = i;
    }
    start
}

/// Chooses the window covering the most distinct terms, then the most matches, earliest first.
fn best_window(text: &str, matches: &[Match], max_chars: usize) -> (usize, usize) {
    let max_chars = max_chars.max(1);
    if matches.is_empty() {
        return (0, advance_chars(text, 0, max_chars));
    }
    if text.chars().nth(max_chars).is_none() {
        return (0, text.len());
    }
    let mut best = (0usize, 0usize, 0usize, 0usize);
    for anchor in matches.iter().take(MAX_ANCHORS) {
        let mut from = back_chars(text, anchor.start, LEAD_CHARS);
        let mut to = advance_chars(text, from, max_chars);
        if to == text.len() {
            // Near the end: use the whole window, reaching back before the lead-in.
            from = text[..to]
                .char_indices()
                .rev()
                .nth(max_chars - 1)
                .map_or(0, |(i, _)| i);
            to = text.len();
        }
        let inside: Vec<Match> = matches
            .iter()
            .skip_while(|m| m.start < from)
            .take_while(|m| m.end <= to)
            .copied()
            .collect();
        let score = (distinct_terms(&inside), inside.len());
        if (score.0, score.1) > (best.2, best.3) {
            best = (from, to, score.0, score.1);
        }
    }
    (best.0, best.1)
}

/// Escaped `text[from..to]` with `<mark>` around the matches that lie inside it.
fn mark(text: &str, from: usize, to: usize, matches: &[Match]) -> String {
    let mut html = String::with_capacity((to - from) * 2);
    let mut at = from;
    for m in matches.iter().filter(|m| m.start >= from && m.end <= to) {
        escape_into(&text[at..m.start], &mut html);
        html.push_str("<mark>");
        escape_into(&text[m.start..m.end], &mut html);
        html.push_str("</mark>");
        at = m.end;
    }
    escape_into(&text[at..to], &mut html);
    html
}

/// HTML-escapes `text` onto `out`.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(terms: &[&str]) -> Highlighter {
        Highlighter::new(&terms.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn marks_every_match_and_escapes_the_rest() {
        let html =
            highlighter(&["视频监控"]).snippet("<b>全量汇聚视频监控1.3万余路，视频监控全覆盖", 80);
        assert_eq!(
            html,
            "&lt;b&gt;全量汇聚<mark>视频监控</mark>1.3万余路，<mark>视频监控</mark>全覆盖"
        );
    }

    #[test]
    fn window_is_counted_in_characters_and_centred_on_the_matches() {
        let text = format!("{}网格化管理{}", "前".repeat(200), "后".repeat(200));
        let html = highlighter(&["网格化"]).snippet(&text, 40);
        assert!(html.starts_with('…') && html.ends_with('…'));
        assert!(html.contains("<mark>网格化</mark>"));
        let visible: String = html.replace("<mark>", "").replace("</mark>", "");
        assert_eq!(visible.chars().count(), 40 + 2);
    }

    #[test]
    fn prefers_the_window_with_more_distinct_terms() {
        let text = format!(
            "巡逻{}巡逻防控与网格员{}",
            "。".repeat(100),
            "。".repeat(100)
        );
        let html = highlighter(&["巡逻", "网格员"]).snippet(&text, 30);
        assert!(html.contains("<mark>网格员</mark>"), "{html}");
    }

    #[test]
    fn words_of_a_long_term_are_marked_too_and_latin_case_is_ignored() {
        let html = highlighter(&["视频监控", "ai"]).snippet("视频联网，加强监控，AI识别", 80);
        assert_eq!(
            html,
            "<mark>视频</mark>联网，加强<mark>监控</mark>，<mark>AI</mark>识别"
        );
    }

    #[test]
    fn no_terms_gives_the_opening_of_the_text() {
        assert_eq!(highlighter(&[]).snippet("一二三四五", 3), "一二三…");
    }
}
