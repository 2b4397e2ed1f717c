//! Traditional → simplified folding, character by character, from OpenCC's `TSCharacters`
//! table (through the `hanconv` crate, which embeds OpenCC's Apache-2.0 dictionaries). The
//! analyzers fold every text before cutting it, and the query parser and the highlighter
//! fold queries and texts, so 網格化 and 网格化 are one word. A character is replaced only by
//! one of the same UTF-8 length, so byte offsets into the folded text are offsets into the
//! original: highlights land on the characters as written.

use std::borrow::Cow;
use std::sync::LazyLock;

use super::tokenizer::is_cjk;

/// The first code point of the dense table, and one past its last.
const FIRST: u32 = 0x3400;
const END: u32 = 0xA000;

/// Simplified form per traditional character: a dense table over the common ideograph blocks
/// with a bit set of the characters it maps (4 KB: the test made for every character of
/// every text stays in the L1 cache), a short list for the rest.
struct Table {
    dense: Vec<char>,
    mapped: Vec<u64>,
    other: Vec<(char, char)>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut dense = vec!['\0'; (END - FIRST) as usize];
    let mut mapped = vec![0u64; (END - FIRST).div_ceil(64) as usize];
    let mut other = Vec::new();
    for (traditional, simplified) in hanconv::RawDictionary::TSCharacters.iter() {
        let mut chars = traditional.chars();
        let (Some(from), None) = (chars.next(), chars.next()) else {
            continue;
        };
        // The first simplified form: the usual one (乾 → 干).
        let Some(to) = simplified.chars().next() else {
            continue;
        };
        if from == to || !is_cjk(from) || !is_cjk(to) || from.len_utf8() != to.len_utf8() {
            continue;
        }
        match u32::from(from) {
            c @ FIRST..END => {
                let at = (c - FIRST) as usize;
                dense[at] = to;
                mapped[at / 64] |= 1 << (at % 64);
            }
            _ => other.push((from, to)),
        }
    }
    other.sort_unstable();
    Table {
        dense,
        mapped,
        other,
    }
});

/// The simplified form of `c`, when it has one.
fn simplified(c: char) -> Option<char> {
    let code = u32::from(c);
    if code < FIRST {
        return None;
    }
    let table = &*TABLE;
    if code < END {
        let at = (code - FIRST) as usize;
        if table.mapped[at / 64] & (1 << (at % 64)) == 0 {
            return None;
        }
        return Some(table.dense[at]);
    }
    if !is_cjk(c) {
        return None; // full-width punctuation and the like, the bulk of the rest
    }
    let at = table
        .other
        .binary_search_by_key(&c, |&(from, _)| from)
        .ok()?;
    Some(table.other[at].1)
}

/// `text` with traditional characters folded to simplified; the same length in bytes, with
/// every character at the same offset. Borrowed when nothing changes.
pub fn fold(text: &str) -> Cow<'_, str> {
    let Some((at, _)) = text.char_indices().find(|&(_, c)| simplified(c).is_some()) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..at]);
    out.extend(text[at..].chars().map(|c| simplified(c).unwrap_or(c)));
    debug_assert_eq!(out.len(), text.len());
    Cow::Owned(out)
}

/// Whether `text` holds a character that folds.
pub fn has_traditional(text: &str) -> bool {
    text.chars().any(|c| simplified(c).is_some())
}

/// Loads the table now, so the first text does not pay for it.
pub fn warm_up() {
    LazyLock::force(&TABLE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_at_the_same_offsets() {
        assert_eq!(fold("網格化管理"), "网格化管理");
        assert_eq!(fold("楓橋經驗"), "枫桥经验");
        let mixed = "推進「雪亮工程」，AI 識別 5G";
        let folded = fold(mixed);
        assert_eq!(folded, "推进「雪亮工程」，AI 识别 5G");
        assert_eq!(folded.len(), mixed.len());
    }

    #[test]
    fn simplified_text_is_borrowed_unchanged() {
        assert!(matches!(fold("网格化管理，AI"), Cow::Borrowed(_)));
    }
}
