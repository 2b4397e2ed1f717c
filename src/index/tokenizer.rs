//! The analyzers, and the only code that names jieba. One `Jieba` dictionary per process,
//! shared by every tokenizer instance (tantivy clones tokenizers on every `get`).
//!
//! - `WordTokenizer` (`zh_words`, search mode at index time, `zh_query` default mode for
//!   queries and highlights): jieba words, whitespace and punctuation dropped, Latin lowercased,
//!   ordinal positions.
//! - `BigramTokenizer` (`zh_bigram`): overlapping character bigrams over each run of CJK
//!   characters (a lone character stays a unigram), whole lowercased runs of letters/digits;
//!   consecutive positions, so a phrase query over it is an exact substring match.

use std::sync::LazyLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};

pub const WORDS: &str = "zh_words";
pub const QUERY_WORDS: &str = "zh_query";
pub const BIGRAMS: &str = "zh_bigram";

/// Tokens longer than this (in bytes) are dropped: they are noise (hashes, base64).
const MAX_TOKEN_BYTES: usize = 60;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Loads the dictionary now (it takes ~80 ms), so the first query does not pay for it.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

/// A token as the analyzers emit it: lowercased text and its byte range in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// True for characters of the CJK scripts we segment (Han ideographs and their extensions).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Jieba words of `text` (search mode adds the 2-3 character sub-words), filtered and
/// lowercased, in jieba's order.
pub fn words(text: &str, search_mode: bool) -> Vec<Span> {
    let mode = if search_mode {
        TokenizeMode::Search
    } else {
        TokenizeMode::Default
    };
    JIEBA
        .tokenize(text, mode, true)
        .into_iter()
        .filter(|t| t.word.len() <= MAX_TOKEN_BYTES && t.word.chars().any(is_word_char))
        .map(|t| Span {
            text: t.word.to_lowercase(),
            from: t.byte_start,
            to: t.byte_end,
        })
        .collect()
}

/// Character bigrams of CJK runs and whole letter/digit runs, lowercased, in text order.
pub fn bigrams(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if is_cjk(c) {
            let mut run = vec![(start, c)];
            while let Some(&(i, next)) = chars.peek().filter(|(_, n)| is_cjk(*n)) {
                run.push((i, next));
                chars.next();
            }
            push_cjk_run(text, &run, &mut spans);
        } else if is_word_char(c) {
            let mut end = start + c.len_utf8();
            while let Some(&(i, next)) = chars
                .peek()
                .filter(|(_, n)| is_word_char(*n) && !is_cjk(*n))
            {
                end = i + next.len_utf8();
                chars.next();
            }
            if end - start <= MAX_TOKEN_BYTES {
                spans.push(Span {
                    text: text[start..end].to_lowercase(),
                    from: start,
                    to: end,
                });
            }
        }
    }
    spans
}

fn push_cjk_run(text: &str, run: &[(usize, char)], spans: &mut Vec<Span>) {
    let end_of = |k: usize| run[k].0 + run[k].1.len_utf8();
    if run.len() == 1 {
        spans.push(Span {
            text: text[run[0].0..end_of(0)].to_string(),
            from: run[0].0,
            to: end_of(0),
        });
        return;
    }
    for (k, &(from, _)) in run.iter().enumerate().take(run.len() - 1) {
        let to = end_of(k + 1);
        spans.push(Span {
            text: text[from..to].to_string(),
            from,
            to,
        });
    }
}

/// A tantivy tokenizer over one of the analyzers above.
#[derive(Clone, Copy, Debug)]
pub enum ZhTokenizer {
    Words { search_mode: bool },
    Bigrams,
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = SpanStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SpanStream {
        let spans = match self {
            ZhTokenizer::Words { search_mode } => words(text, *search_mode),
            ZhTokenizer::Bigrams => bigrams(text),
        };
        SpanStream {
            spans: spans.into_iter(),
            token: Token::default(),
            position: None,
        }
    }
}

pub struct SpanStream {
    spans: std::vec::IntoIter<Span>,
    token: Token,
    position: Option<usize>,
}

impl TokenStream for SpanStream {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.next() else {
            return false;
        };
        let position = self.position.map_or(0, |p| p + 1);
        self.position = Some(position);
        self.token = Token {
            offset_from: span.from,
            offset_to: span.to,
            position,
            text: span.text,
            position_length: 1,
        };
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Registers the analyzers on an index under the names the schema uses.
pub fn register(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(WORDS, ZhTokenizer::Words { search_mode: true });
    manager.register(QUERY_WORDS, ZhTokenizer::Words { search_mode: false });
    manager.register(BIGRAMS, ZhTokenizer::Bigrams);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(spans: &[Span]) -> Vec<&str> {
        spans.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn words_drop_punctuation_and_whitespace_and_lowercase_latin() {
        let spans = words("推进 5G 网络，建设“雪亮工程”！Video", false);
        assert!(
            spans
                .iter()
                .all(|s| s.text.chars().any(char::is_alphanumeric))
        );
        assert!(texts(&spans).contains(&"5g"));
        assert!(texts(&spans).contains(&"video"));
        assert!(texts(&spans).contains(&"雪亮"));
    }

    #[test]
    fn golden_default_mode_tokens_and_byte_offsets() {
        let spans = words("社会治理创新", false);
        assert_eq!(
            spans,
            vec![
                Span {
                    text: "社会".into(),
                    from: 0,
                    to: 6
                },
                Span {
                    text: "治理".into(),
                    from: 6,
                    to: 12
                },
                Span {
                    text: "创新".into(),
                    from: 12,
                    to: 18
                },
            ]
        );
    }

    #[test]
    fn golden_search_mode_adds_sub_words_of_long_words() {
        let spans = words("中华人民共和国", true);
        let got = texts(&spans);
        for expected in ["中华", "华人", "人民", "共和", "共和国", "中华人民共和国"]
        {
            assert!(got.contains(&expected), "{expected} missing from {got:?}");
        }
        let whole = spans.iter().find(|s| s.text == "中华人民共和国").unwrap();
        assert_eq!((whole.from, whole.to), (0, 21));
    }

    #[test]
    fn golden_bigrams_with_offsets_across_runs() {
        let spans = bigrams("网格化，G20峰会 警");
        assert_eq!(
            spans,
            vec![
                Span {
                    text: "网格".into(),
                    from: 0,
                    to: 6
                },
                Span {
                    text: "格化".into(),
                    from: 3,
                    to: 9
                },
                Span {
                    text: "g20".into(),
                    from: 12,
                    to: 15
                },
                Span {
                    text: "峰会".into(),
                    from: 15,
                    to: 21
                },
                Span {
                    text: "警".into(),
                    from: 22,
                    to: 25
                },
            ]
        );
    }

    #[test]
    fn token_stream_positions_are_consecutive() {
        let mut tokenizer = ZhTokenizer::Bigrams;
        let mut stream = tokenizer.token_stream("北京大学");
        let mut positions = Vec::new();
        while stream.advance() {
            positions.push(stream.token().position);
        }
        assert_eq!(positions, vec![0, 1, 2]);
    }
}
