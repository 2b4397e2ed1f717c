//! Stage 1 (passages): a document's lines → paragraph-sized passages. Input: the cleaned
//! text lines of one document. Output: passages in order; short heading lines are merged
//! with the paragraph that follows, paragraphs over `MAX_CHARS` are cut at sentence ends.
//! The document text is the passages joined with `\n`, so every character is in exactly
//! one passage.

use super::clean::is_chinese;

/// Paragraphs longer than this (in characters) are split at sentence ends.
const MAX_CHARS: usize = 500;
/// A line this short (in characters) may be a heading.
const HEADING_CHARS: usize = 40;
/// At most this many heading lines wait for their paragraph (an outline stands alone).
const MAX_PENDING_HEADINGS: usize = 3;

/// Cuts a document's lines into passages.
pub(crate) fn passages(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        if is_heading(line) {
            match pending.as_mut() {
                Some(p) if p.matches('\n').count() + 1 < MAX_PENDING_HEADINGS => {
                    p.push('\n');
                    p.push_str(line);
                }
                _ => out.extend(pending.replace(line.to_owned())),
            }
            continue;
        }
        let mut pieces = split_long(line).into_iter();
        let first = pieces.next().unwrap_or_default();
        out.push(match pending.take() {
            Some(heading) => format!("{heading}\n{first}"),
            None => first.to_owned(),
        });
        out.extend(pieces.map(str::to_owned));
    }
    out.extend(pending);
    out
}

/// A short line that introduces what follows: `一是筑牢反恐维稳工作防线。`, `(二)目标任务。`,
/// or any short line without a sentence end.
fn is_heading(line: &str) -> bool {
    let chars = line.chars().count();
    if chars > HEADING_CHARS {
        return false;
    }
    let numbered = line.starts_with([
        '(', '（', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十',
    ]) || line.starts_with(|c: char| c.is_ascii_digit())
        || line.starts_with("第");
    let open = !line.ends_with(['。', '！', '？', '!', '?', '；', ';', '”', '…']);
    (numbered && chars <= 30) || (open && line.chars().any(is_chinese))
}

/// Cuts a long paragraph into pieces of at most about `MAX_CHARS` at sentence ends (then
/// at clause ends, then anywhere) — a character boundary always.
fn split_long(paragraph: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = paragraph;
    while rest.char_indices().nth(MAX_CHARS).is_some() {
        let cut = cut_point(rest);
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Byte offset where the first piece of `text` should end.
fn cut_point(text: &str) -> usize {
    let window: usize = text
        .char_indices()
        .nth(MAX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let floor = text.char_indices().nth(MAX_CHARS / 4).map_or(0, |(i, _)| i);
    let after = |set: &[char]| {
        text[..window]
            .char_indices()
            .rfind(|&(i, c)| i >= floor && set.contains(&c))
            .map(|(i, c)| end_after_quotes(text, i + c.len_utf8()))
    };
    after(&['。', '！', '？', '!', '?'])
        .or_else(|| after(&['；', ';']))
        .or_else(|| after(&['，', ',', '、', ' ']))
        .unwrap_or(window)
}

/// Moves a cut past closing quotes/brackets that belong to the sentence just ended.
fn end_after_quotes(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if !matches!(c, '”' | '’' | '」' | '』' | ')' | '）') {
            break;
        }
        at += c.len_utf8();
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headings_merge_with_the_next_paragraph() {
        let lines = owned(&[
            "一是筑牢反恐维稳工作防线。",
            "按照主动进攻的方针开展工作。",
            "(二)目标任务。",
            "形成格局。",
        ]);
        assert_eq!(
            passages(&lines),
            [
                "一是筑牢反恐维稳工作防线。\n按照主动进攻的方针开展工作。",
                "(二)目标任务。\n形成格局。"
            ]
        );
    }

    #[test]
    fn long_paragraphs_split_at_sentence_ends_and_keep_every_char() {
        let paragraph = "加强社会治安防控体系建设，维护社会稳定。".repeat(60);
        let got = passages(std::slice::from_ref(&paragraph));
        assert!(got.len() >= 2);
        assert!(
            got.iter()
                .all(|p| p.chars().count() <= MAX_CHARS && p.ends_with('。'))
        );
        assert_eq!(got.concat(), paragraph);
    }

    #[test]
    fn unpunctuated_text_is_cut_on_char_boundaries() {
        let paragraph = "治".repeat(1234);
        assert_eq!(
            passages(std::slice::from_ref(&paragraph)).concat(),
            paragraph
        );
    }
}
