//! The matching strategy: a parsed query → the units that must match, and how the query is
//! relaxed when few documents match them all.
//!
//! Each unquoted word typed is cut into jieba words; question and function words
//! (`stopwords`) are dropped, the rest form runs of adjacent content words, and a run is
//! one unit, matched as typed or, a little lower, with a synonym (`synonyms`) in place of
//! one of its words. Quoted phrases and `a OR b` groups are units that are never relaxed;
//! `-excluded` words never match. The strict query requires every unit. When fewer than a
//! page of documents match it, `engine` asks for the relaxed query: the runs of a question,
//! and runs of three words or more, are split into their words (a lone character stays with
//! its neighbour), and words are dropped one at a time, the rarest first (the one that lets
//! the most documents in), down to half of them, until a page is filled (like Elasticsearch's
//! `minimum_should_match`, but with a definite set of words not required, which the response
//! names in `relaxed`). Documents of a stricter level always rank above those of a looser
//! one (a constant per level, `LEVEL_BONUS`, which `display_score` takes off again), and
//! within a level the dropped words still add to the score.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query,
};
use tantivy::{Searcher, Term};

use crate::index::Fields;
use crate::index::tokenizer;
use crate::{Error, Result};

use super::query::{ParsedQuery, QueryTerm, expression_query, term_query};
use super::stopwords;
use super::synonyms::Synonyms;

/// How much a synonym's match weighs beside the word's own.
const SYNONYM_BOOST: f32 = 0.8;
/// How much finding a run's words next to each other adds (proximity).
const RUN_PHRASE_BOOST: f32 = 0.5;
/// Synonym alternatives of one run, at most.
const MAX_ALTERNATIVES: usize = 8;
/// Queries of more words than this are not relaxed (each step counts the documents of every
/// word that could be dropped next).
const MAX_RELAXED_WORDS: usize = 12;
/// Added to the score of a document for each level of strictness it meets; far above any
/// text score, so levels never mix.
const LEVEL_BONUS: f32 = 1000.0;

/// One thing the query asks for.
#[derive(Debug, Clone, PartialEq)]
enum Unit {
    /// A quoted phrase or an OR group: always required.
    Fixed(Vec<QueryTerm>),
    /// Adjacent content words of one typed word: `text` is the span of the query they
    /// cover, `synonyms` the same span with a synonym in place of one of its words, `words`
    /// what the relaxation may drop (the whole run when it is not taken apart).
    Run {
        text: String,
        words: Vec<Word>,
        synonyms: Vec<Alternative>,
    },
}

/// A run with a synonym in place of one of its words: the synonym (matched as written: it
/// is a fixed expression; scored as words) and the rest of the run (matched as the run is).
#[derive(Debug, Clone, PartialEq)]
struct Alternative {
    synonym: String,
    rest: String,
}

/// A query ready to be turned into tantivy queries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    units: Vec<Unit>,
    excluded: Vec<QueryTerm>,
}

/// The relaxed query and the words it did not require.
pub struct Relaxed {
    pub query: Box<dyn Query>,
    pub dropped: Vec<String>,
}

impl Plan {
    /// Plans `parsed`; a word with nothing searchable in it is `Error::BadRequest`.
    pub fn new(parsed: &ParsedQuery, synonyms: &Synonyms) -> Result<Plan> {
        let plan = Plan::with_stop_words(parsed, synonyms, true)?;
        if plan.units.is_empty() && !parsed.groups.is_empty() {
            // Nothing but question words: search for them after all.
            return Plan::with_stop_words(parsed, synonyms, false);
        }
        Ok(plan)
    }

    fn with_stop_words(parsed: &ParsedQuery, synonyms: &Synonyms, drop: bool) -> Result<Plan> {
        let mut units = Vec::new();
        for group in &parsed.groups {
            match group.as_slice() {
                [term] if !term.phrase => {
                    let runs = runs(&term.text, synonyms, drop);
                    if runs.is_empty() && tokenizer::bigrams(&term.text).is_empty() {
                        return Err(nothing_to_search(group));
                    }
                    units.extend(runs);
                }
                _ => {
                    if group.iter().all(|t| tokenizer::bigrams(&t.text).is_empty()) {
                        return Err(nothing_to_search(group));
                    }
                    units.push(Unit::Fixed(group.clone()));
                }
            }
        }
        Ok(Plan {
            units,
            excluded: parsed.excluded.clone(),
        })
    }

    /// No unit and no exclusion: every document.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty() && self.excluded.is_empty()
    }

    /// The texts to highlight with their words (which the highlighter adds): runs, phrases
    /// and OR alternatives; never a stop word.
    pub fn highlight_terms(&self) -> Vec<String> {
        let mut out = Vec::new();
        for unit in &self.units {
            match unit {
                Unit::Fixed(terms) => out.extend(terms.iter().map(|t| t.text.clone())),
                Unit::Run { text, .. } => out.push(text.clone()),
            }
        }
        out
    }

    /// The synonyms to highlight, as written (not their words: 中心 of 综治中心 is no match).
    pub fn highlight_expressions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for unit in &self.units {
            if let Unit::Run {
                synonyms, words, ..
            } = unit
            {
                let of_words = words.iter().flat_map(|w| &w.synonyms);
                for alternative in synonyms.iter().chain(of_words) {
                    if !out.contains(&alternative.synonym) {
                        out.push(alternative.synonym.clone());
                    }
                }
            }
        }
        out
    }

    /// The strict query: every unit required. `None` means every document.
    pub fn strict(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        if self.is_empty() {
            return None;
        }
        let required = self.units.iter().filter_map(|u| unit_query(u, fields));
        Some(self.with_exclusions(required.map(|q| (Occur::Must, q)).collect(), fields))
    }

    /// The relaxed query, when relaxing can help: words are dropped one at a time, the
    /// rarest first (the one whose dropping lets the most documents in), until `count` of the
    /// query reaches `wanted` or half the words are left; `strict_count` is what the strict
    /// query found.
    pub fn relax(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        wanted: usize,
        strict_count: usize,
        mut count: impl FnMut(&dyn Query) -> Result<usize>,
    ) -> Result<Option<Relaxed>> {
        let words = self.relaxable_words();
        let keep_at_least = words.len().div_ceil(2).max(1);
        if words.len() <= keep_at_least || words.len() > MAX_RELAXED_WORDS {
            return Ok(None);
        }
        // A lone character (a run of one) is kept.
        let rarest_first = drop_order(&words, searcher, fields)?
            .into_iter()
            .filter(|&i| words[i].text.chars().count() >= 2);
        let mut dropped: Vec<usize> = Vec::new();
        let mut found = strict_count;
        for word in rarest_first {
            if words.len() - dropped.len() <= keep_at_least || found >= wanted {
                break;
            }
            dropped.push(word);
            found = count(&*self.level(&words, &dropped, fields, &[], false))?;
        }
        if found <= strict_count {
            return Ok(None);
        }
        let stricter: Vec<Box<dyn Query>> = std::iter::once(self.strict(fields))
            .flatten()
            .chain(
                (1..dropped.len()).map(|d| self.level(&words, &dropped[..d], fields, &[], false)),
            )
            .collect();
        let query = self.level(&words, &dropped, fields, &stricter, true);
        dropped.sort_unstable();
        Ok(Some(Relaxed {
            query,
            dropped: dropped.into_iter().map(|i| words[i].text.clone()).collect(),
        }))
    }

    /// The distinct words of the runs, in query order, each with its synonyms.
    fn relaxable_words(&self) -> Vec<Word> {
        let mut out: Vec<Word> = Vec::new();
        for unit in &self.units {
            if let Unit::Run { words, .. } = unit {
                out.extend(words.iter().cloned());
            }
        }
        let mut seen = Vec::new();
        out.retain(|w| {
            let new = !seen.contains(&w.text);
            seen.push(w.text.clone());
            new
        });
        out
    }

    /// The query that requires the fixed units and every word but `dropped` (indexes into
    /// `words`); when `scored`, it also scores the dropped words and the runs' phrases where
    /// they occur, and adds `LEVEL_BONUS` for each of `stricter` a document matches (a query
    /// only counted, or only a bonus, needs none of that).
    fn level(
        &self,
        words: &[Word],
        dropped: &[usize],
        fields: &Fields,
        stricter: &[Box<dyn Query>],
        scored: bool,
    ) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for unit in &self.units {
            match unit {
                Unit::Fixed(_) => {
                    clauses.extend(unit_query(unit, fields).map(|q| (Occur::Must, q)))
                }
                Unit::Run { text, words, .. } if scored && words.len() > 1 => {
                    let phrase = QueryTerm {
                        text: text.clone(),
                        phrase: true,
                    };
                    clauses.extend(
                        term_query(&phrase, fields)
                            .map(|q| (Occur::Should, boosted(q, RUN_PHRASE_BOOST))),
                    );
                }
                Unit::Run { .. } => {}
            }
        }
        for (i, word) in words.iter().enumerate() {
            let occur = match dropped.contains(&i) {
                true if !scored => continue,
                true => Occur::Should,
                false => Occur::Must,
            };
            let unit = Unit::Run {
                text: word.text.clone(),
                words: Vec::new(),
                synonyms: word.synonyms.clone(),
            };
            clauses.extend(unit_query(&unit, fields).map(|q| (occur, q)));
        }
        for query in stricter {
            let bonus = ConstScoreQuery::new(query.box_clone(), LEVEL_BONUS);
            clauses.push((Occur::Should, Box::new(bonus)));
        }
        self.with_exclusions(clauses, fields)
    }

    fn with_exclusions(
        &self,
        mut clauses: Vec<(Occur, Box<dyn Query>)>,
        fields: &Fields,
    ) -> Box<dyn Query> {
        for term in &self.excluded {
            if let Some(query) = term_query(term, fields) {
                clauses.push((Occur::MustNot, query));
            }
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// A score as shown to users: without the bonus of the relaxation levels.
pub fn display_score(score: f32) -> f32 {
    score.rem_euclid(LEVEL_BONUS)
}

#[derive(Debug, Clone, PartialEq)]
struct Word {
    text: String,
    synonyms: Vec<Alternative>,
}

/// Indexes into `words`, the rarest first; among equally rare ones the later in the query
/// first. How many documents hold a word is estimated, without searching, as the document
/// frequency of its rarest bigram (or of its synonym's, when higher).
fn drop_order(words: &[Word], searcher: &Searcher, fields: &Fields) -> Result<Vec<usize>> {
    let estimate = |text: &str| -> Result<u64> {
        let mut least: Option<u64> = None;
        for gram in tokenizer::bigrams(text) {
            let df = searcher.doc_freq(&Term::from_field_text(fields.grams, &gram.text))?;
            least = Some(least.map_or(df, |l| l.min(df)));
        }
        Ok(least.unwrap_or(0))
    };
    let mut freq = Vec::with_capacity(words.len());
    for word in words {
        let mut most = estimate(&word.text)?;
        for alternative in &word.synonyms {
            most = most.max(estimate(&alternative.synonym)?);
        }
        freq.push(most);
    }
    let mut order: Vec<usize> = (0..words.len()).collect();
    order.sort_by_key(|&i| (freq[i], std::cmp::Reverse(i)));
    Ok(order)
}

/// The query of one unit: any of its alternatives (synonyms a little lower), a document
/// scored by the best one it holds.
fn unit_query(unit: &Unit, fields: &Fields) -> Option<Box<dyn Query>> {
    let alternatives: Vec<Box<dyn Query>> = match unit {
        Unit::Fixed(terms) => terms.iter().filter_map(|t| term_query(t, fields)).collect(),
        Unit::Run { text, synonyms, .. } => {
            let word = |text: &str| QueryTerm {
                text: text.to_string(),
                phrase: false,
            };
            let own = term_query(&word(text), fields);
            // A phrase of more bigrams scores more: weigh a synonym as if it were as long as
            // the word, a little below it.
            let length = |text: &str| tokenizer::bigrams(text).len().max(1) as f32;
            let others = synonyms.iter().filter_map(|a| {
                let rest = if a.rest.is_empty() {
                    0.0
                } else {
                    length(&a.rest)
                };
                let boost = SYNONYM_BOOST * (length(text) / (length(&a.synonym) + rest)).min(1.0);
                alternative_query(a, fields).map(|q| boosted(q, boost))
            });
            let all: Vec<Box<dyn Query>> = own.into_iter().chain(others).collect();
            if all.len() > 1 {
                return Some(Box::new(DisjunctionMaxQuery::new(all)));
            }
            all
        }
    };
    match alternatives.len() {
        0 => None,
        1 => alternatives.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            alternatives
                .into_iter()
                .map(|q| (Occur::Should, q))
                .collect(),
        ))),
    }
}

/// The synonym as written, and the rest of the run as the run is matched.
fn alternative_query(alternative: &Alternative, fields: &Fields) -> Option<Box<dyn Query>> {
    let synonym = expression_query(&alternative.synonym, fields)?;
    if alternative.rest.is_empty() {
        return Some(synonym);
    }
    let rest = QueryTerm {
        text: alternative.rest.clone(),
        phrase: false,
    };
    let rest = term_query(&rest, fields)?;
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, synonym),
        (Occur::Must, rest),
    ])))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

fn nothing_to_search(group: &[QueryTerm]) -> Error {
    Error::bad_request(format!(
        "“{}” has no letters, digits or Chinese characters to search for",
        group
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" OR ")
    ))
}

/// The runs of adjacent content words of one typed word (stop words dropped when `drop` is
/// set), each with its synonyms and the words the relaxation may drop.
fn runs(text: &str, synonyms: &Synonyms, drop: bool) -> Vec<Unit> {
    let mut spans: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let mut run: Option<(usize, usize, Vec<String>)> = None;
    // Whether question words were dropped: the typed word is a question, not a term.
    let mut asked = false;
    for span in tokenizer::words(text, false) {
        if drop && stopwords::is_stop(&span.text) {
            spans.extend(run.take());
            asked = true;
            continue;
        }
        match &mut run {
            Some((_, to, words)) => {
                *to = span.to;
                // A lone character goes with its neighbour (网格 + 员): it means something
                // only beside it.
                let last = words.last_mut().expect("a run has a word");
                if last.chars().count() == 1 || span.text.chars().count() == 1 {
                    last.push_str(&span.text);
                } else {
                    words.push(span.text);
                }
            }
            None => run = Some((span.from, span.to, vec![span.text])),
        }
    }
    spans.extend(run);
    spans
        .into_iter()
        .map(|(from, to, words)| {
            let text = text[from..to].to_string();
            let alternatives = with_synonyms(&text, synonyms);
            // A term of two words as typed (枫桥经验, 网格员) is one word to the relaxation:
            // only a question or a longer string of words is taken apart.
            let words = if words.len() == 1 || (words.len() == 2 && !asked) {
                vec![Word {
                    text: text.clone(),
                    synonyms: alternatives.clone(),
                }]
            } else {
                words
                    .into_iter()
                    .map(|w| Word {
                        synonyms: synonyms
                            .of(&w)
                            .iter()
                            .map(|s| Alternative {
                                synonym: s.clone(),
                                rest: String::new(),
                            })
                            .collect(),
                        text: w,
                    })
                    .collect()
            };
            Unit::Run {
                text,
                words,
                synonyms: alternatives,
            }
        })
        .collect()
}

/// `text` with a synonym in place of one of its words (where a synonym's ends fall on
/// jieba word boundaries), at most `MAX_ALTERNATIVES`.
fn with_synonyms(text: &str, synonyms: &Synonyms) -> Vec<Alternative> {
    if synonyms.is_empty() {
        return Vec::new();
    }
    let spans = tokenizer::words(text, false);
    let found = synonyms.find(text, |from, to| {
        spans.iter().any(|s| s.from == from) && spans.iter().any(|s| s.to == to)
    });
    let mut out: Vec<Alternative> = Vec::new();
    for m in found {
        // A longer word holding this one (歌舞娱乐场所 for 娱乐场所) finds nothing more.
        let word = &text[m.from..m.to];
        for other in m.synonyms.iter().filter(|o| !o.contains(word)) {
            let alternative = Alternative {
                synonym: other.clone(),
                rest: format!("{}{}", &text[..m.from], &text[m.to..]),
            };
            if !out.contains(&alternative) && out.len() < MAX_ALTERNATIVES {
                out.push(alternative);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn plan(q: &str) -> Plan {
        Plan::new(&parse(q).unwrap(), &Synonyms::embedded()).unwrap()
    }

    fn run_texts(p: &Plan) -> Vec<String> {
        p.units
            .iter()
            .map(|u| match u {
                Unit::Run { text, .. } => text.clone(),
                Unit::Fixed(terms) => format!("[{}]", terms[0].text),
            })
            .collect()
    }

    #[test]
    fn question_words_are_dropped_and_runs_kept_together() {
        assert_eq!(run_texts(&plan("怎样调解邻里纠纷")), vec!["调解邻里纠纷"]);
        assert_eq!(
            run_texts(&plan("哪些地方出台了网格化服务管理条例")),
            vec!["网格化服务管理条例"]
        );
        let p = plan("如何保障外卖骑手等新就业形态劳动者权益");
        assert!(!p.highlight_terms().iter().any(|t| t.contains("如何")));
        assert_eq!(run_texts(&p), vec!["保障外卖骑手", "新就业形态劳动者权益"]);
    }

    #[test]
    fn a_query_of_question_words_only_searches_for_them() {
        assert_eq!(run_texts(&plan("如何")), vec!["如何"]);
    }

    #[test]
    fn a_synonym_takes_the_place_of_its_word_in_the_run() {
        let p = plan("无人机管理");
        match &p.units[0] {
            Unit::Run { text, synonyms, .. } => {
                assert_eq!(text, "无人机管理");
                let drones = Alternative {
                    synonym: "无人驾驶航空器".into(),
                    rest: "管理".into(),
                };
                assert!(synonyms.contains(&drones), "{synonyms:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn phrases_and_or_groups_are_fixed_units() {
        let p = plan("\"如何调解\" 网格 OR 社区");
        assert_eq!(run_texts(&p), vec!["[如何调解]", "[网格]"]);
    }

    #[test]
    fn the_words_of_runs_may_be_relaxed_but_not_fixed_units() {
        let p = plan("\"枫桥经验\" 调解邻里纠纷");
        let words: Vec<String> = p.relaxable_words().into_iter().map(|w| w.text).collect();
        assert_eq!(words, vec!["调解邻里纠纷"]);
        let p = plan("\"枫桥经验\" 怎样调解邻里纠纷");
        let words: Vec<String> = p.relaxable_words().into_iter().map(|w| w.text).collect();
        assert_eq!(words, vec!["调解", "邻里纠纷"]);
    }
}
