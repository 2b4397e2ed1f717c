//! The query language, and the tantivy query of one term, built from the analyzers' tokens
//! (never tantivy's QueryParser, which turns a Chinese run into a phrase). Which terms must
//! match, and how a query is relaxed, is `plan`'s job.
//!
//! Grammar: words separated by spaces are AND-ed; `"a quoted phrase"` (or “…”) must appear
//! as written; `-word` / `-"phrase"` excludes; `a OR b` matches either. Traditional characters
//! are folded to simplified. A word matches when all its jieba words are in the title or text,
//! or when it appears as a substring (character bigram phrase, ranked lower: the recall
//! fallback for sub-words jieba does not split out). A title that holds most of the jieba
//! words of a longer word scores too: it names the topic.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::index::Fields;
use crate::index::fold::fold;
use crate::index::tokenizer::{self, Span};
use crate::{Error, Result};

use super::types::MAX_QUERY_CHARS;

const TITLE_BOOST: f32 = 2.0;
const GRAMS_BOOST: f32 = 0.3;

/// One searchable unit: a word as typed, or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    pub text: String,
    pub phrase: bool,
}

/// A parsed query: every group must match (a group matches when any of its terms does),
/// no excluded term may match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub groups: Vec<Vec<QueryTerm>>,
    pub excluded: Vec<QueryTerm>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.excluded.is_empty()
    }

    /// The positive terms' texts, for highlighting.
    pub fn highlight_terms(&self) -> Vec<String> {
        self.groups
            .iter()
            .flatten()
            .map(|t| t.text.clone())
            .collect()
    }
}

#[derive(Debug, PartialEq)]
enum Lexeme {
    Word(String),
    Phrase(String),
    Or,
    Not,
}

/// Parses the user's query; a malformed one is `Error::BadRequest` in plain words.
pub fn parse(q: &str) -> Result<ParsedQuery> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::bad_request(format!(
            "the query is too long: at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let lexemes = lex(q)?;
    let mut parsed = ParsedQuery::default();
    let mut iter = lexemes.into_iter().peekable();
    let mut join_next = false;
    while let Some(lexeme) = iter.next() {
        match lexeme {
            Lexeme::Or => {
                if parsed.groups.is_empty() || join_next || iter.peek().is_none() {
                    return Err(Error::bad_request("OR must stand between two words"));
                }
                join_next = true;
            }
            Lexeme::Not => {
                let term = match iter.next() {
                    Some(Lexeme::Word(text)) => QueryTerm {
                        text,
                        phrase: false,
                    },
                    Some(Lexeme::Phrase(text)) => QueryTerm { text, phrase: true },
                    _ => {
                        return Err(Error::bad_request(
                            "a minus sign must be followed by the word to exclude",
                        ));
                    }
                };
                if join_next {
                    return Err(Error::bad_request(
                        "OR cannot be followed by an excluded word",
                    ));
                }
                parsed.excluded.push(term);
            }
            Lexeme::Word(text) | Lexeme::Phrase(text) if text.is_empty() => {}
            Lexeme::Word(text) => push_term(
                &mut parsed,
                QueryTerm {
                    text,
                    phrase: false,
                },
                &mut join_next,
            ),
            Lexeme::Phrase(text) => push_term(
                &mut parsed,
                QueryTerm { text, phrase: true },
                &mut join_next,
            ),
        }
    }
    Ok(parsed)
}

fn push_term(parsed: &mut ParsedQuery, term: QueryTerm, join_next: &mut bool) {
    if *join_next {
        parsed
            .groups
            .last_mut()
            .expect("OR checked a group exists")
            .push(term);
        *join_next = false;
    } else {
        parsed.groups.push(vec![term]);
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn lex(q: &str) -> Result<Vec<Lexeme>> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if is_space(c) {
            chars.next();
        } else if c == '"' || c == '“' {
            chars.next();
            let close = if c == '"' { '"' } else { '”' };
            let phrase: String = chars
                .by_ref()
                .take_while(|&x| x != close && x != '"')
                .collect();
            out.push(Lexeme::Phrase(normalize(&phrase)));
        } else if c == '-' && out.last() != Some(&Lexeme::Not) {
            chars.next();
            if chars.peek().is_none_or(|&n| is_space(n)) {
                return Err(Error::bad_request(
                    "a minus sign must be followed by the word to exclude",
                ));
            }
            out.push(Lexeme::Not);
        } else {
            let mut word = String::new();
            while let Some(&x) = chars
                .peek()
                .filter(|&&x| !is_space(x) && x != '"' && x != '“')
            {
                word.push(x);
                chars.next();
            }
            out.push(if word == "OR" {
                Lexeme::Or
            } else {
                Lexeme::Word(normalize(&word))
            });
        }
    }
    if q.chars().filter(|&c| c == '"').count() % 2 == 1 {
        return Err(Error::bad_request(
            "the query has an opening quote without a closing one",
        ));
    }
    Ok(out)
}

/// Full-width ASCII to half-width, traditional characters to simplified, spaces between
/// Chinese characters removed, lowercased.
fn normalize(text: &str) -> String {
    let chars: Vec<char> = fold(text)
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_cjk = is_space(c)
            && i > 0
            && chars.get(i + 1).is_some_and(|&n| tokenizer::is_cjk(n))
            && tokenizer::is_cjk(chars[i - 1]);
        if !between_cjk {
            out.extend(c.to_lowercase());
        }
    }
    out.trim().to_string()
}

/// The query for one term; `None` when it has nothing searchable.
pub(super) fn term_query(term: &QueryTerm, fields: &Fields) -> Option<Box<dyn Query>> {
    let grams = tokenizer::bigrams(&term.text);
    let grams_query = sequence_query(fields.grams, &grams)?;
    if term.phrase {
        return Some(grams_query);
    }
    let words = tokenizer::words(&term.text, false);
    let grams_query: Box<dyn Query> = Box::new(BoostQuery::new(grams_query, GRAMS_BOOST));
    let body = all_words(fields.body, &words);
    let title = all_words(fields.title, &words)
        .map(|title| Box::new(BoostQuery::new(title, TITLE_BOOST)) as Box<dyn Query>);
    if grams_cover_words(&term.text, &words) {
        return Some(scored_by(scored_by(grams_query, body), title));
    }
    let options = [Some(grams_query), body, title]
        .into_iter()
        .flatten()
        .map(|q| (Occur::Should, q))
        .collect();
    Some(scored_by(
        Box::new(BooleanQuery::new(options)),
        title_words(fields.title, &words),
    ))
}

/// `text` found as written (a bigram phrase, as a quoted phrase) but scored as its words are
/// (the phrase weighed as a word's substring match, plus the words in the body and title):
/// a fixed expression such as a synonym, comparable with a word's own score.
pub(super) fn expression_query(text: &str, fields: &Fields) -> Option<Box<dyn Query>> {
    let grams = sequence_query(fields.grams, &tokenizer::bigrams(text))?;
    let words = tokenizer::words(text, false);
    let grams: Box<dyn Query> = Box::new(BoostQuery::new(grams, GRAMS_BOOST));
    let body = all_words(fields.body, &words);
    let title = all_words(fields.title, &words)
        .map(|title| Box::new(BoostQuery::new(title, TITLE_BOOST)) as Box<dyn Query>);
    let scored = scored_by(scored_by(grams, body), title);
    Some(scored_by(scored, title_words(fields.title, &words)))
}

/// A title holding more than half the words of a term of three words or more, each scored:
/// a title that names most of the topic (网格化服务管理 of 社区网格化服务管理) counts too. Of
/// two words both are needed, which the title clause of `term_query` scores already: 调解
/// alone does not name 行政调解.
fn title_words(field: Field, words: &[Span]) -> Option<Box<dyn Query>> {
    if words.len() < 3 {
        return None;
    }
    let clauses = words
        .iter()
        .map(|w| (Occur::Should, term(field, &w.text)))
        .collect();
    let most = words.len() / 2 + 1;
    Some(Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, most,
    )))
}

/// Whether every document whose body or title holds `text` as its jieba words also holds it
/// as a bigram phrase: true when `text` is one jieba word of two or more ideographs (a jieba
/// word is a substring of the text, and a run of ideographs is indexed as consecutive
/// bigrams). The phrase alone then decides which documents match.
fn grams_cover_words(text: &str, words: &[Span]) -> bool {
    matches!(words, [word] if word.text == text)
        && text.chars().count() >= 2
        && text.chars().all(tokenizer::is_cjk)
}

/// Documents of `required`, scored as `required` plus `extra` where `extra` matches too (the
/// score a union of the two gives when `extra` matches only documents of `required`). tantivy
/// seeks `extra` to `required`'s documents instead of merging both posting lists: a union
/// reads and scores every posting of each of its clauses.
fn scored_by(required: Box<dyn Query>, extra: Option<Box<dyn Query>>) -> Box<dyn Query> {
    match extra {
        Some(extra) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, required),
            (Occur::Should, extra),
        ])),
        None => required,
    }
}

/// Every word must occur in `field`.
fn all_words(field: Field, words: &[Span]) -> Option<Box<dyn Query>> {
    let queries: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|w| (Occur::Must, term(field, &w.text)))
        .collect();
    match queries.len() {
        0 => None,
        1 => queries.into_iter().next().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(queries))),
    }
}

/// The tokens must occur one after another in `field` (an exact substring on the bigram field).
fn sequence_query(field: Field, tokens: &[Span]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [one] => Some(term(field, &one.text)),
        many => {
            let terms = many
                .iter()
                .enumerate()
                .map(|(i, t)| (i, Term::from_field_text(field, &t.text)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> QueryTerm {
        QueryTerm {
            text: text.into(),
            phrase: false,
        }
    }

    #[test]
    fn words_are_and_ed_and_or_joins_neighbours() {
        let parsed = parse("网格化 视频监控 OR 雪亮工程 -扫黑").unwrap();
        assert_eq!(
            parsed.groups,
            vec![
                vec![word("网格化")],
                vec![word("视频监控"), word("雪亮工程")]
            ]
        );
        assert_eq!(parsed.excluded, vec![word("扫黑")]);
    }

    #[test]
    fn quoted_phrases_keep_their_inner_spaces_normalised() {
        let parsed = parse("\"社会 治理\" “枫桥经验”").unwrap();
        assert_eq!(
            parsed.groups,
            vec![
                vec![QueryTerm {
                    text: "社会治理".into(),
                    phrase: true
                }],
                vec![QueryTerm {
                    text: "枫桥经验".into(),
                    phrase: true
                }]
            ]
        );
    }

    #[test]
    fn full_width_latin_is_folded_and_lowercased() {
        assert_eq!(
            parse("ＡＩ巡逻").unwrap().groups,
            vec![vec![word("ai巡逻")]]
        );
    }

    #[test]
    fn malformed_queries_are_user_errors_with_reasons() {
        for (q, needle) in [
            ("\"unclosed", "quote"),
            ("OR 治安", "OR"),
            ("治安 OR", "OR"),
            ("治安 - 巡逻", "minus"),
            (&"长".repeat(MAX_QUERY_CHARS + 1), "too long"),
        ] {
            let err = parse(q).unwrap_err();
            assert!(err.is_user_error(), "{q}");
            assert!(err.to_string().contains(needle), "{q}: {err}");
        }
    }

    #[test]
    fn only_single_jieba_words_of_ideographs_are_left_to_the_bigram_phrase() {
        let covered = |text: &str| grams_cover_words(text, &tokenizer::words(text, false));
        assert!(covered("巡逻"));
        assert!(covered("视频"));
        // Several jieba words may lie apart in a text: their AND is not a substring match.
        let long = "加强视频监控全覆盖";
        assert!(tokenizer::words(long, false).len() > 1);
        assert!(!covered(long));
        // A lone ideograph is a bigram only where it stands alone; Latin and digits are
        // indexed as whole runs, which jieba may split differently.
        for text in ["警", "ai", "g20峰会", "5g基站"] {
            assert!(!covered(text), "{text}");
        }
    }

    #[test]
    fn traditional_queries_are_folded_to_simplified() {
        assert_eq!(
            parse("楓橋經驗").unwrap().groups,
            vec![vec![word("枫桥经验")]]
        );
    }

    #[test]
    fn empty_query_means_everything() {
        assert!(parse("   ").unwrap().is_empty());
    }
}
