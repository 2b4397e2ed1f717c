//! The analyzers, and the only code that names jieba. One `Jieba` dictionary per process,
//! shared by every tokenizer instance (tantivy clones tokenizers on every `get`). Every text
//! is folded from traditional to simplified characters first (`fold`), offsets unchanged.
//!
//! - `WordTokenizer` (`zh_words`, search mode at index time, `zh_query` default mode for
//!   queries and highlights): jieba words, whitespace and punctuation dropped, Latin lowercased,
//!   ordinal positions.
//! - `BigramTokenizer` (`zh_bigram`): overlapping character bigrams over each run of CJK
//!   characters (a lone character stays a unigram), whole lowercased runs of letters/digits;
//!   consecutive positions, so a phrase query over it is an exact substring match.

use std::borrow::Cow;
use std::sync::LazyLock;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::{Jieba, TokenizeMode};

use super::fold::{self, fold};

pub const WORDS: &str = "zh_words";
pub const QUERY_WORDS: &str = "zh_query";
pub const BIGRAMS: &str = "zh_bigram";

/// Tokens longer than this (in bytes) are dropped: they are noise (hashes, base64).
const MAX_TOKEN_BYTES: usize = 60;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Loads the dictionary now (it takes ~80 ms), so the first query does not pay for it.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
    fold::warm_up();
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

/// A letter, digit or ideograph. ASCII, ideographs and CJK punctuation (the bulk of Chinese
/// text) are decided without the Unicode tables.
fn is_word_char(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        _ if is_cjk(c) => true,
        '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
        '\u{ff01}'..='\u{ff0f}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// A jieba word is kept when it is short enough and has a letter, digit or ideograph.
fn keep_word(word: &str) -> bool {
    word.len() <= MAX_TOKEN_BYTES && word.chars().any(is_word_char)
}

/// `word` lowercased onto `out` (cleared first); ideographs and ASCII without a table lookup.
fn lowercase_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_cjk(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

fn jieba_tokens(text: &str, search_mode: bool) -> Vec<tantivy_jieba::jieba_rs::Token<'_>> {
    let mode = if search_mode {
        TokenizeMode::Search
    } else {
        TokenizeMode::Default
    };
    JIEBA.tokenize(text, mode, true)
}

/// Jieba words of `text` (search mode adds the 2-3 character sub-words), filtered and
/// lowercased, in jieba's order.
pub fn words(text: &str, search_mode: bool) -> Vec<Span> {
    collect(ZhStream::words(text, search_mode))
}

/// Character bigrams of CJK runs and whole letter/digit runs, lowercased, in text order.
pub fn bigrams(text: &str) -> Vec<Span> {
    collect(ZhStream::bigrams(text))
}

fn collect(mut stream: ZhStream<'_>) -> Vec<Span> {
    let mut spans = Vec::new();
    while stream.advance() {
        let token = stream.token();
        spans.push(Span {
            text: token.text.clone(),
            from: token.offset_from,
            to: token.offset_to,
        });
    }
    spans
}

/// Byte ranges of the bigram analyzer's tokens, and whether each needs lowercasing.
struct BigramRanges<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// The previous character was an ideograph (so this one does not start a run).
    in_run: bool,
}

impl Iterator for BigramRanges<'_> {
    type Item = (usize, usize, bool);

    fn next(&mut self) -> Option<(usize, usize, bool)> {
        loop {
            let (start, c) = self.chars.next()?;
            let end = start + c.len_utf8();
            if is_cjk(c) {
                let was_in_run = std::mem::replace(&mut self.in_run, true);
                match self.chars.peek() {
                    Some(&(_, next)) if is_cjk(next) => {
                        return Some((start, end + next.len_utf8(), false));
                    }
                    // A lone ideograph is a unigram; the last of a run is in the bigram before.
                    _ if !was_in_run => return Some((start, end, false)),
                    _ => continue,
                }
            }
            self.in_run = false;
            if !is_word_char(c) {
                continue;
            }
            let mut end = end;
            while let Some(&(i, next)) = self
                .chars
                .peek()
                .filter(|(_, n)| is_word_char(*n) && !is_cjk(*n))
            {
                end = i + next.len_utf8();
                self.chars.next();
            }
            if end - start <= MAX_TOKEN_BYTES {
                return Some((start, end, true));
            }
        }
    }
}

/// A tantivy tokenizer over one of the analyzers above.
#[derive(Clone, Copy, Debug)]
pub enum ZhTokenizer {
    Words { search_mode: bool },
    Bigrams,
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhStream<'a> {
        match self {
            ZhTokenizer::Words { search_mode } => ZhStream::words(text, *search_mode),
            ZhTokenizer::Bigrams => ZhStream::bigrams(text),
        }
    }
}

/// The tokens of one text, produced one at a time into a reused `Token` (no allocation per
/// token: indexing makes tens of millions of them).
pub struct ZhStream<'a> {
    source: TokenSource<'a>,
    /// The folded text (the same offsets as the original).
    text: Cow<'a, str>,
    token: Token,
    position: Option<usize>,
}

enum TokenSource<'a> {
    /// Byte ranges of the kept jieba words.
    Words(std::vec::IntoIter<(usize, usize)>),
    Bigrams(BigramRanges<'a>),
}

impl<'a> ZhStream<'a> {
    fn words(text: &'a str, search_mode: bool) -> ZhStream<'a> {
        let folded = fold(text);
        let ranges: Vec<(usize, usize)> = jieba_tokens(&folded, search_mode)
            .into_iter()
            .filter(|t| keep_word(t.word))
            .map(|t| (t.byte_start, t.byte_end))
            .collect();
        ZhStream::new(folded, TokenSource::Words(ranges.into_iter()))
    }

    fn bigrams(text: &'a str) -> ZhStream<'a> {
        // Folding keeps ideographs ideographs at the same offsets: the ranges of the original
        // are those of the folded text.
        let ranges = BigramRanges {
            chars: text.char_indices().peekable(),
            in_run: false,
        };
        ZhStream::new(fold(text), TokenSource::Bigrams(ranges))
    }

    fn new(text: Cow<'a, str>, source: TokenSource<'a>) -> ZhStream<'a> {
        ZhStream {
            source,
            text,
            token: Token::default(),
            position: None,
        }
    }

    /// The next token's byte range and whether it needs lowercasing.
    fn next_range(&mut self) -> Option<(usize, usize, bool)> {
        match &mut self.source {
            TokenSource::Words(ranges) => ranges.next().map(|(from, to)| (from, to, true)),
            TokenSource::Bigrams(ranges) => ranges.next(),
        }
    }
}

impl TokenStream for ZhStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((from, to, fold)) = self.next_range() else {
            return false;
        };
        let position = self.position.map_or(0, |p| p + 1);
        self.position = Some(position);
        let token = &mut self.token;
        if fold {
            lowercase_into(&self.text[from..to], &mut token.text);
        } else {
            token.text.clear();
            token.text.push_str(&self.text[from..to]);
        }
        token.offset_from = from;
        token.offset_to = to;
        token.position = position;
        token.position_length = 1;
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
    fn the_fast_word_char_test_agrees_with_unicode() {
        // (Unassigned code points inside the ideograph blocks count as ideographs.)
        for c in (0..=0x3_0000)
            .filter_map(char::from_u32)
            .filter(|c| !is_cjk(*c))
        {
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric(),
                "{c:?} U+{:04X}",
                c as u32
            );
        }
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
    fn traditional_text_gives_the_simplified_tokens_at_its_own_offsets() {
        let traditional = words("楓橋經驗與網格化管理", false);
        let simplified = words("枫桥经验与网格化管理", false);
        assert_eq!(traditional, simplified);
        assert_eq!(bigrams("網格"), bigrams("网格"));
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
