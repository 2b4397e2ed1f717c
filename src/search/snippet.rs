//! Snippets: the best window of a stored text around the query's words, as escaped HTML with
//! `<mark>` around every match. The best window holds the most query terms whole (综治中心, or
//! a synonym), then the most found at all (中心 alone counts less), then the most matches.
//! Matching is literal over the terms and their jieba words, leftmost-longest, so offsets are
//! exact on Chinese text and a match never splits a character.
//! Each pattern is found with SIMD substring search (memchr's memmem, many times faster than an
//! aho-corasick automaton on Chinese text); patterns with Latin letters, which match
//! case-insensitively, go through aho-corasick. Texts and terms are folded from
//! traditional to simplified characters for matching (offsets unchanged), so the marks fall
//! on the characters as written. Windows are measured in characters.

use super::types::Span;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use memchr::memmem::Finder;

use crate::index::fold::fold;
use crate::index::tokenizer;

/// Characters of context kept before the first match of a window.
const LEAD_CHARS: usize = 12;
/// Anchors tried when choosing a window (bounds the work on very long texts).
const MAX_ANCHORS: usize = 400;

/// Finds the query's words in texts; built once per query.
pub struct Highlighter {
    /// Patterns without Latin letters, each with its first character's length in bytes (the
    /// step to the next possible occurrence) and what it is of the query.
    exact: Vec<(Finder<'static>, usize, Of)>,
    /// Patterns with Latin letters (matched ignoring ASCII case, every occurrence, overlapping
    /// ones too), and what they are of the query.
    folded: Option<(AhoCorasick, Vec<Of>)>,
}

/// The query term a pattern belongs to, and whether it is the whole term (or a synonym of
/// it) rather than one of its jieba words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Of {
    term: usize,
    whole: bool,
}

/// A match: byte range, the query term it belongs to, and whether it is the whole term (综治中心)
/// or one of its words (中心).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub term: usize,
    pub whole: bool,
}

impl Highlighter {
    /// `terms` are the positive query terms as typed (already normalised by the parser).
    pub fn new(terms: &[String]) -> Highlighter {
        Highlighter::with_expressions(terms, &[])
    }

    /// `terms` and their jieba words are marked; `expressions` (synonyms) only as written.
    pub fn with_expressions(terms: &[String], expressions: &[String]) -> Highlighter {
        let mut patterns: Vec<(String, Of)> = Vec::new();
        for (i, expression) in expressions.iter().enumerate() {
            let expression = fold(expression);
            if !expression.is_empty() && !patterns.iter().any(|(q, _)| *q == *expression) {
                let of = Of {
                    term: terms.len() + i,
                    whole: true,
                };
                patterns.push((expression.into_owned(), of));
            }
        }
        for (i, term) in terms.iter().enumerate() {
            let term = fold(term);
            let term = term.as_ref();
            let mut add = |p: &str, whole: bool| {
                if !p.is_empty() && !patterns.iter().any(|(q, _)| q == p) {
                    patterns.push((p.to_string(), Of { term: i, whole }));
                }
            };
            add(term, true);
            for word in tokenizer::words(term, false) {
                if word.text.chars().count() >= 2 || word.text.is_ascii() {
                    add(&word.text, false);
                }
            }
        }
        let (latin, exact): (Vec<_>, Vec<_>) = patterns
            .into_iter()
            .partition(|(p, _)| p.bytes().any(|b| b.is_ascii_alphabetic()));
        let folded = (!latin.is_empty()).then(|| {
            let matcher = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(latin.iter().map(|(p, _)| p))
                .expect("literal patterns always build");
            (matcher, latin.iter().map(|(_, of)| *of).collect())
        });
        let exact = exact
            .into_iter()
            .map(|(p, of)| {
                let step = p.chars().next().map_or(1, char::len_utf8);
                (Finder::new(p.as_bytes()).into_owned(), step, of)
            })
            .collect();
        Highlighter { exact, folded }
    }

    /// Every match in `text`, sorted, non-overlapping (leftmost first, then longest), chosen
    /// among every occurrence of every pattern (overlapping ones too: in 农村村村通, 村村 at
    /// the third character is found though another 村村 starts at the second).
    pub fn matches(&self, text: &str) -> Vec<Match> {
        self.matches_in(&fold(text))
    }

    /// `matches` of a text known to hold no traditional characters (the index records which
    /// do): no folding pass over it.
    pub fn matches_simplified(&self, text: &str) -> Vec<Match> {
        debug_assert!(!crate::index::fold::has_traditional(text));
        self.matches_in(text)
    }

    fn matches_in(&self, text: &str) -> Vec<Match> {
        let mut all: Vec<Match> = Vec::new();
        for (finder, step, of) in &self.exact {
            all.extend(occurrences(finder, *step, text).map(|start| Match {
                start,
                end: start + finder.needle().len(),
                term: of.term,
                whole: of.whole,
            }));
        }
        if let Some((matcher, ofs)) = &self.folded {
            all.extend(matcher.find_overlapping_iter(text).map(|m| {
                let of = ofs[m.pattern().as_usize()];
                Match {
                    start: m.start(),
                    end: m.end(),
                    term: of.term,
                    whole: of.whole,
                }
            }));
        }
        all.sort_unstable_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut end = 0;
        all.retain(|m| {
            let keep = m.start >= end;
            if keep {
                end = m.end;
            }
            keep
        });
        all
    }

    /// The best window of at most `max_chars` characters, as HTML.
    pub fn snippet(&self, text: &str, max_chars: usize) -> String {
        snippet_with(text, &self.matches(text), max_chars)
    }
}

/// Start of every occurrence of `finder`'s needle in `text`, overlapping ones included (the
/// search resumes `step` bytes, one character, after each start).
fn occurrences<'a>(
    finder: &'a Finder<'static>,
    step: usize,
    text: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + finder.find(text.as_bytes().get(from..)?)?;
        from = start + step;
        Some(start)
    })
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

/// How well matches cover the query: the distinct terms found whole, then the distinct terms
/// found at all (terms past the 64th count as one). A window or passage that holds 综治中心
/// covers the query better than one that holds 中心 three times.
pub fn coverage(matches: &[Match]) -> (usize, usize) {
    let (whole, any) = matches.iter().fold((0u64, 0u64), |(whole, any), m| {
        let bit = 1 << m.term.min(63);
        (if m.whole { whole | bit } else { whole }, any | bit)
    });
    (whole.count_ones() as usize, any.count_ones() as usize)
}

/// Byte offset `n` characters after `from` (or the end).
fn advance_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// Byte offset up to `n` characters before `to`, not crossing a line start, and the number
/// of characters stepped back.
fn back_chars(text: &str, to: usize, n: usize) -> (usize, usize) {
    let (mut start, mut stepped) = (to, 0);
    for (i, c) in text[..to].char_indices().rev().take(n) {
        if c == '\n' {
            break;
        }
        (start, stepped) = (i, stepped + 1);
    }
    (start, stepped)
}

/// Where the matches lie in characters, as far as any window of the first `MAX_ANCHORS`
/// matches can reach (counted, not walked: fast on long texts). The offsets are exact between
/// matches that one window can hold together; a longer gap counts as `reach + 1` characters,
/// so that only the text near matches is counted.
struct CharOffsets {
    /// Character offset of each counted match's start, and of its end.
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// Characters in the text: exact when the text ends within `reach` characters of the last
    /// counted match; otherwise some number past every window's end (all a window needs).
    total: usize,
}

impl CharOffsets {
    /// Counts matches until one starts more than `reach` characters after the last anchor.
    fn count(text: &str, matches: &[Match], reach: usize) -> CharOffsets {
        // Wider than a window and than its lead-in, so neither crosses a shortened gap.
        let reach = reach.max(LEAD_CHARS);
        let (mut starts, mut ends) = (Vec::new(), Vec::new());
        let (mut at, mut chars) = (0, 0);
        for (k, m) in matches.iter().enumerate() {
            chars += gap_chars(&text[at..m.start], reach);
            at = m.start;
            if k >= MAX_ANCHORS && chars > starts[MAX_ANCHORS - 1] + reach {
                break;
            }
            starts.push(chars);
            chars += text[m.start..m.end].chars().count();
            ends.push(chars);
            at = m.end;
        }
        let rest = text[at..].chars().take(reach + 1).count();
        CharOffsets {
            starts,
            ends,
            total: chars + rest,
        }
    }
}

/// Characters in `gap`, or `reach + 1` when it surely holds more than `reach` (a character
/// is at most 4 bytes), without counting them.
fn gap_chars(gap: &str, reach: usize) -> usize {
    if gap.len() > 4 * reach {
        reach + 1
    } else {
        gap.chars().count()
    }
}

/// Chooses the window covering the most distinct terms, then the most matches, earliest first.
/// Each window starts a little before one of the first `MAX_ANCHORS` matches; windows are
/// compared in character offsets, so only the chosen one is walked character by character.
/// Window starts and ends only move forward from one anchor to the next, so the matches inside
/// are tracked with two cursors rather than searched for again.
fn best_window(text: &str, matches: &[Match], max_chars: usize) -> (usize, usize) {
    let max_chars = max_chars.max(1);
    if matches.is_empty() {
        return (0, advance_chars(text, 0, max_chars));
    }
    if text.chars().nth(max_chars).is_none() {
        return (0, text.len());
    }
    let CharOffsets {
        starts,
        ends,
        total,
    } = CharOffsets::count(text, matches, max_chars);
    let (mut best_from, mut best_score) = (0, ((0, 0), 0));
    let mut inside = Coverage::default();
    // The window holds `matches[first..last]`.
    let (mut first, mut last) = (0, 0);
    for (k, anchor) in matches.iter().enumerate().take(MAX_ANCHORS) {
        let (from, stepped) = back_chars(text, anchor.start, LEAD_CHARS);
        let from_char = starts[k] - stepped;
        if from_char + max_chars >= total {
            // Near the end: the last whole window, reaching back before the lead-in; every
            // later anchor has this same window.
            let from = back_chars_any(text, text.len(), max_chars);
            let first = matches.partition_point(|m| m.start < from);
            let count = ends[first.min(ends.len())..].len();
            let score = (coverage(&matches[first..first + count]), count);
            if score > best_score {
                best_from = from;
            }
            break;
        }
        while first < matches.len() && matches[first].start < from {
            if first < last {
                inside.remove(&matches[first]);
            }
            first += 1;
        }
        last = last.max(first);
        while last < ends.len() && ends[last] <= from_char + max_chars {
            inside.add(&matches[last]);
            last += 1;
        }
        let score = ((inside.whole.distinct, inside.any.distinct), last - first);
        if score > best_score {
            (best_from, best_score) = (from, score);
        }
    }
    (best_from, advance_chars(text, best_from, max_chars))
}

/// How many matches of each term a window holds (terms past the 64th count as one, as in
/// `coverage`), and how many terms it holds at all.
struct TermCounts {
    counts: [u32; 64],
    distinct: usize,
}

impl Default for TermCounts {
    fn default() -> TermCounts {
        TermCounts {
            counts: [0; 64],
            distinct: 0,
        }
    }
}

impl TermCounts {
    fn add(&mut self, term: usize) {
        let count = &mut self.counts[term.min(63)];
        self.distinct += usize::from(*count == 0);
        *count += 1;
    }

    fn remove(&mut self, term: usize) {
        let count = &mut self.counts[term.min(63)];
        *count -= 1;
        self.distinct -= usize::from(*count == 0);
    }
}

/// The terms a window holds whole and at all (`coverage`, kept up to date as matches enter
/// and leave the window).
#[derive(Default)]
struct Coverage {
    whole: TermCounts,
    any: TermCounts,
}

impl Coverage {
    fn add(&mut self, m: &Match) {
        if m.whole {
            self.whole.add(m.term);
        }
        self.any.add(m.term);
    }

    fn remove(&mut self, m: &Match) {
        if m.whole {
            self.whole.remove(m.term);
        }
        self.any.remove(m.term);
    }
}

/// Byte offset `n` characters before `to` (or 0), crossing lines.
fn back_chars_any(text: &str, to: usize, n: usize) -> usize {
    text[..to]
        .char_indices()
        .rev()
        .nth(n - 1)
        .map_or(0, |(i, _)| i)
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
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
}

/// The plain text of a snippet: `<mark>` tags dropped, the entities of `escape_into` undone.
pub fn unmarked(html: &str) -> String {
    spans(html).into_iter().map(|span| span.text).collect()
}

/// A snippet made here (escaped text with `<mark>` around matches) as runs of plain text,
/// each marked or not (`snippet_spans` and `spans`, spec/api.md): clients render them without
/// parsing HTML.
pub fn spans(html: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut push = |text: &str, mark: bool| {
        if !text.is_empty() {
            out.push(Span {
                text: unescape(text),
                mark,
            });
        }
    };
    let mut rest = html;
    while let Some(open) = rest.find("<mark>") {
        push(&rest[..open], false);
        let inner = &rest[open + "<mark>".len()..];
        let close = inner.find("</mark>").unwrap_or(inner.len());
        push(&inner[..close], true);
        rest = inner.get(close + "</mark>".len()..).unwrap_or("");
    }
    push(rest, false);
    out
}

/// Undoes `escape_into`, in one pass.
fn unescape(text: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let (c, len) = ENTITIES
            .iter()
            .find(|(entity, _)| tail.starts_with(entity))
            .map_or(('&', 1), |(entity, c)| (*c, entity.len()));
        out.push(c);
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_the_snippet_unescaped_and_split_at_its_marks() {
        let html = escape("a<b & \"c\" 'd'") + "<mark>" + &escape("视频&监控") + "</mark>尾";
        let spans = spans(&html);
        let texts: Vec<(&str, bool)> = spans.iter().map(|s| (s.text.as_str(), s.mark)).collect();
        assert_eq!(
            texts,
            [
                ("a<b & \"c\" 'd'", false),
                ("视频&监控", true),
                ("尾", false)
            ]
        );
        assert_eq!(unmarked(&html), "a<b & \"c\" 'd'视频&监控尾");
        assert!(super::spans("").is_empty());
        assert_eq!(
            unmarked("a &amp;lt; b &lt;c&gt;"),
            "a &lt; b <c>",
            "unescaped once"
        );
    }

    fn highlighter(terms: &[&str]) -> Highlighter {
        Highlighter::new(&terms.iter().map(|t| t.to_string()).collect::<Vec<_>>())
    }

    /// `best_window` by its definition, walking every candidate window.
    fn plain_best_window(text: &str, matches: &[Match], max_chars: usize) -> (usize, usize) {
        let mut best = (0, advance_chars(text, 0, max_chars));
        let mut best_score = ((0, 0), 0);
        for anchor in matches.iter().take(MAX_ANCHORS) {
            let (mut from, _) = back_chars(text, anchor.start, LEAD_CHARS);
            let at_end = text[from..].chars().count() <= max_chars;
            if at_end {
                from = back_chars_any(text, text.len(), max_chars);
            }
            let to = advance_chars(text, from, max_chars);
            let inside: Vec<Match> = matches
                .iter()
                .filter(|m| m.start >= from && m.end <= to)
                .copied()
                .collect();
            let score = (coverage(&inside), inside.len());
            if score > best_score {
                (best, best_score) = ((from, to), score);
            }
            if at_end {
                break;
            }
        }
        best
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        #[test]
        fn best_window_is_the_best_by_its_definition(
            text in "[网格巡逻视频。a\n前前前前前前]{0,300}",
            max_chars in 1usize..40,
        ) {
            let matches = highlighter(&["网格", "巡逻", "视频", "a"]).matches(&text);
            if text.chars().nth(max_chars).is_some() && !matches.is_empty() {
                proptest::prop_assert_eq!(
                    best_window(&text, &matches, max_chars),
                    plain_best_window(&text, &matches, max_chars)
                );
            }
        }
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
    fn a_match_near_the_end_gives_the_last_full_window() {
        let text = format!("{}网格化{}", "前".repeat(200), "后".repeat(5));
        let html = highlighter(&["网格化"]).snippet(&text, 40);
        assert!(html.starts_with('…') && !html.ends_with('…'), "{html}");
        let visible: String = html.replace("<mark>", "").replace("</mark>", "");
        assert_eq!(visible.chars().count(), 40 + 1);
        assert!(visible.ends_with("网格化后后后后后"));
    }

    #[test]
    fn long_gaps_between_matches_leave_windows_exact() {
        // Gaps of ASCII (1 byte a character) and of ideographs (3 bytes): both longer than a
        // window, one short enough in bytes to be counted, one not.
        for filler in ["a".repeat(300), "前".repeat(300)] {
            let text = format!("网格{filler}巡逻{filler}网格。巡逻{filler}");
            let html = highlighter(&["网格", "巡逻"]).snippet(&text, 40);
            assert!(
                html.contains("<mark>网格</mark>。<mark>巡逻</mark>"),
                "{html}"
            );
            let visible: String = html.replace("<mark>", "").replace("</mark>", "");
            assert_eq!(visible.chars().count(), 40 + 2, "{html}");
            let tail = format!("网格{filler}巡逻{filler}网格巡逻");
            let html = highlighter(&["网格", "巡逻"]).snippet(&tail, 40);
            assert!(
                html.ends_with("<mark>网格</mark><mark>巡逻</mark>"),
                "{html}"
            );
            let visible: String = html.replace("<mark>", "").replace("</mark>", "");
            assert_eq!(visible.chars().count(), 40 + 1, "{html}");
        }
    }

    #[test]
    fn matches_past_the_400th_still_count_in_the_window_of_an_anchor() {
        let sparse = format!("巡逻{}", "。".repeat(60));
        // The 400th match starts a dense run of four: its window holds all of them.
        let text = format!("{}巡逻巡逻巡逻巡逻{}", sparse.repeat(399), "。".repeat(300));
        let html = highlighter(&["巡逻"]).snippet(&text, 30);
        assert_eq!(html.matches("<mark>").count(), 4, "{html}");
        // A dense run after the first 400 matches is never an anchor.
        let text = format!("{}巡逻巡逻巡逻{}", sparse.repeat(450), "。".repeat(300));
        let html = highlighter(&["巡逻"]).snippet(&text, 30);
        assert_eq!(html.matches("<mark>").count(), 1, "{html}");
    }

    #[test]
    fn overlapping_occurrences_of_different_words_are_all_candidates() {
        // 村村 at the third character counts, though another 村村 starts inside 农村.
        let h = highlighter(&["农村", "村村"]);
        let spans: Vec<(usize, usize)> = h
            .matches("农村村村通")
            .iter()
            .map(|m| (m.start, m.end))
            .collect();
        assert_eq!(spans, vec![(0, 6), (6, 12)]);
        let latin: Vec<(usize, usize)> = highlighter(&["xy", "YY"])
            .matches("xyyy")
            .iter()
            .map(|m| (m.start, m.end))
            .collect();
        assert_eq!(latin, vec![(0, 2), (2, 4)]);
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
    fn prefers_the_window_with_the_whole_term_to_one_with_its_words_more_often() {
        let text = format!(
            "国家医学中心、区域公共卫生中心、第三中心医院{}加快综治中心规范化建设{}",
            "。".repeat(100),
            "。".repeat(100)
        );
        let html = highlighter(&["综治中心"]).snippet(&text, 30);
        assert!(html.contains("<mark>综治中心</mark>"), "{html}");
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
    fn a_simplified_term_marks_the_traditional_characters_as_written() {
        let html = highlighter(&["枫桥经验"]).snippet("堅持發展「楓橋經驗」", 80);
        assert_eq!(html, "堅持發展「<mark>楓橋經驗</mark>」");
    }

    #[test]
    fn no_terms_gives_the_opening_of_the_text() {
        assert_eq!(highlighter(&[]).snippet("一二三四五", 3), "一二三…");
    }
}
