//! Stage 1 (clean): decoded text → cleaned lines. Input: one file's text. Output: its lines
//! with full-width letters/digits made half-width, whitespace between Chinese characters
//! removed, document-sharing-site boilerplate replaced by `Seam` markers (they often sit
//! between concatenated documents), and page-break markers (`1、` `2、` … cutting sentences
//! mid-word) repaired. Never drops content lines; never decides document boundaries.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

/// One cleaned line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    Text(String),
    /// An empty line in the source.
    Blank,
    /// Site boilerplate was here (removed).
    Seam,
}

/// A cleaned file.
#[derive(Debug, Default)]
pub(crate) struct Cleaned {
    pub lines: Vec<Line>,
    /// Title named by the sharing site's header (`《X.docx》由会员分享…`).
    pub title_hint: Option<String>,
}

/// Boilerplate lines of document-sharing sites and page furniture (whole short lines).
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"下载文档前请自行甄别|仅部分预览|侵犯您的权益|由会员分享|请在\S{0,12}上搜索|",
        r"欢迎您的下载|资料仅供参考|仅供参考学习|仅供学习(与|和)?交流|文档来源于网络|",
        r"如有侵权|侵权请联系|下载后可(任意)?编辑|可任意(编辑修改|修改编辑)|此文档下载后|",
        r"感谢您的(阅读|下载)|原创力文档|道客巴巴|豆丁网|百度文库|人人文库|优知文库|",
        r"^(-\s*)?全文完|^本文档(由|为|来自|下载|仅供|内容|可编辑|收集|来源)|^(?i:welcome)",
    ))
    .unwrap()
});

/// Page furniture: page numbers and footers, an empty editor field. Dropped silently.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^第\s*\d+\s*页\s*[,，/]?\s*共\s*\d+\s*页$|^[-—–]\s*\d+\s*[-—–]$|^\d+\s*/\s*\d+$|",
        r"^责任编辑\s*[:：]?\s*$",
    ))
    .unwrap()
});

/// Words at least one of which every boilerplate line contains: a file without any of them
/// (nearly all files) skips the per-line boilerplate regex.
static BOILERPLATE_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst) // enables the SIMD (Teddy) searcher
        .build([
            "下载文档前",
            "仅部分预览",
            "侵犯您的权益",
            "由会员分享",
            "上搜索",
            "欢迎您的下载",
            "仅供参考",
            "仅供学习",
            "文档来源于网络",
            "如有侵权",
            "侵权请联系",
            "下载后可",
            "可任意",
            "此文档下载后",
            "感谢您的",
            "原创力文档",
            "道客巴巴",
            "豆丁网",
            "百度文库",
            "人人文库",
            "优知文库",
            "全文完",
            "本文档",
            "Welcome",
            "welcome",
            "WELCOME",
        ])
        .unwrap()
});

/// Boilerplate phrases glued onto content lines.
static INLINE_BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:welcome)?\s*欢迎您的下载\s*[,，]?\s*(资料仅供参考\s*[!！]?\s*[。.]?)?")
        .unwrap()
});

/// `《X.docx》由会员分享` → X.
static SHARED_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"《([^》]{2,80}?)(?:\.(?:docx?|pdf|pptx?|txt|wps))?》\s*由会员分享").unwrap()
});

/// A page-number marker at the start of a line: `12、`.
static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,3})、").unwrap());

/// Lines longer than this (in bytes) are content even if they contain a boilerplate word.
const MAX_BOILERPLATE_BYTES: usize = 600;

/// Cleans a decoded file into lines. `markdown` strips `#` heading markers and comments.
pub(crate) fn clean(text: &str, markdown: bool) -> Cleaned {
    let mut cleaned = Cleaned::default();
    let has_boilerplate = BOILERPLATE_WORDS.is_match(text);
    for raw in text.lines() {
        let mut line = normalize_line(raw);
        if markdown {
            let stripped = markdown_line(&line);
            if stripped.len() != line.len() {
                line = stripped.to_owned();
            }
        }
        if is_furniture(&line) {
            continue;
        }
        cleaned.lines.push(if has_boilerplate {
            classify(line, &mut cleaned.title_hint)
        } else if line.is_empty() {
            Line::Blank
        } else {
            Line::Text(line)
        });
    }
    repair_page_markers(&mut cleaned.lines);
    cleaned
}

/// Page numbers/footers and an empty editor field (cheap checks before the regex).
fn is_furniture(line: &str) -> bool {
    let candidate = line.len() <= 64
        && (line.contains('页')
            || line.starts_with(['-', '—', '–', '责'])
            || line.starts_with(|c: char| c.is_ascii_digit()));
    candidate && FURNITURE.is_match(line)
}

fn classify(line: String, title_hint: &mut Option<String>) -> Line {
    if line.contains("欢迎您的下载") {
        let stripped = INLINE_BOILERPLATE.replace_all(&line, "");
        let stripped = stripped.trim();
        if stripped.len() != line.len() {
            return match classify(stripped.to_owned(), title_hint) {
                Line::Blank => Line::Seam,
                other => other,
            };
        }
    }
    if line.is_empty() {
        return Line::Blank;
    }
    if line.len() <= MAX_BOILERPLATE_BYTES && BOILERPLATE.is_match(&line) {
        if title_hint.is_none() {
            *title_hint = SHARED_TITLE.captures(&line).map(|c| c[1].trim().to_owned());
        }
        return Line::Seam;
    }
    Line::Text(line)
}

/// Markdown furniture: `#` heading markers, HTML comments (`<!-- INFO END -->`).
fn markdown_line(line: &str) -> &str {
    if line.starts_with("<!--") && line.ends_with("-->") {
        return "";
    }
    let stripped = line.trim_start_matches('#');
    if stripped.len() != line.len() && (stripped.is_empty() || stripped.starts_with(' ')) {
        return stripped.trim();
    }
    line
}

/// Full-width letters/digits → ASCII, ideographic space → space, invisible characters
/// dropped, whitespace runs collapsed to one space and removed between Chinese characters.
pub(crate) fn normalize_line(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    // Unchanged characters are copied a run at a time, from `run` to the current one.
    let mut run = 0;
    let mut last: Option<char> = None;
    let mut pending_space = false;
    for (i, c) in raw.char_indices() {
        if !pending_space && ('\u{4e00}'..='\u{9fff}').contains(&c) {
            last = Some(c); // fast path: the common case, a CJK ideograph
            continue;
        }
        let mapped = half_width(c);
        let invisible =
            matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}') || c.is_control();
        if mapped.is_whitespace() || invisible {
            out.push_str(&raw[run..i]);
            run = i + c.len_utf8();
            pending_space |= mapped.is_whitespace() && last.is_some();
            continue;
        }
        if pending_space {
            out.push_str(&raw[run..i]);
            run = i;
            if !(last.is_some_and(is_chinese) && is_chinese(mapped)) {
                out.push(' ');
            }
            pending_space = false;
        }
        if mapped != c {
            out.push_str(&raw[run..i]);
            out.push(mapped);
            run = i + c.len_utf8();
        }
        last = Some(mapped);
    }
    if !pending_space {
        out.push_str(&raw[run..]);
    }
    out
}

fn half_width(c: char) -> char {
    match c {
        '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
            char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
        }
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// CJK ideographs and CJK/full-width punctuation.
pub(crate) fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ffff}' | '\u{3001}'..='\u{303f}' | '\u{ff01}'..='\u{ff0f}'
        | '\u{ff1a}'..='\u{ff20}' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}')
}

/// Sentence-final punctuation: a line ending with one of these ends a sentence.
pub(crate) fn ends_sentence(line: &str) -> bool {
    line.trim_end().ends_with([
        '。', '！', '？', '!', '?', '；', ';', '”', '’', '」', '…', ':', '：',
    ])
}

/// Page-break repair: a run of ≥ 3 long lines numbered `n、`, `n+1、`, … where most breaks
/// fall mid-sentence is one text cut into pages; the markers go and the pages are joined.
fn repair_page_markers(lines: &mut Vec<Line>) {
    let mut i = 0;
    while i < lines.len() {
        let Some(run) = marker_run(lines, i) else {
            i += 1;
            continue;
        };
        let mut joined = String::new();
        for line in &lines[i..i + run] {
            if let Line::Text(text) = line {
                let marker = PAGE_MARKER.find(text).map_or(0, |m| m.end());
                joined.push_str(&text[marker..]);
            }
        }
        lines.splice(i..i + run, [Line::Text(joined)]);
        i += 1;
    }
}

/// Length of the page-marker run starting at `start`, if there is one.
fn marker_run(lines: &[Line], start: usize) -> Option<usize> {
    let number = |line: &Line| match line {
        Line::Text(text) => PAGE_MARKER
            .captures(text)
            .and_then(|c| c[1].parse::<usize>().ok()),
        _ => None,
    };
    let first = number(&lines[start])?;
    let mut run = 1;
    while lines
        .get(start + run)
        .and_then(number)
        .is_some_and(|n| n == first + run)
    {
        run += 1;
    }
    let texts: Vec<&str> = lines[start..start + run]
        .iter()
        .filter_map(|l| match l {
            Line::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let mid_sentence = texts[..run - 1]
        .iter()
        .filter(|t| !ends_sentence(t))
        .count();
    (run >= 3 && chars >= 150 * run && mid_sentence * 2 >= run - 1).then_some(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(cleaned: &Cleaned) -> Vec<&str> {
        cleaned
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn full_width_and_spaces_between_chinese() {
        assert_eq!(
            normalize_line("ＡＢＣ１２３ 人力资源 不足 GDP 70%"),
            "ABC123 人力资源不足 GDP 70%"
        );
        assert_eq!(
            normalize_line("\u{3000}\u{3000}社会治 安防控"),
            "社会治安防控"
        );
    }

    #[test]
    fn boilerplate_lines_become_seams_and_give_a_title_hint() {
        let cleaned = clean(
            "《调研报告.docx》由会员分享,可在线阅读,更多相关《调研报告.docx(8页珍藏版)》请在优知文库上搜索。\n正文。\n- 1、下载文档前请自行甄别文档内容的完整性\n结尾。Welcome 欢迎您的下载,资料仅供参考!",
            false,
        );
        assert_eq!(cleaned.title_hint.as_deref(), Some("调研报告"));
        assert_eq!(texts(&cleaned), ["正文。", "结尾。"]);
        assert_eq!(cleaned.lines[0], Line::Seam);
    }

    #[test]
    fn page_markers_joined_but_real_lists_kept() {
        let page = "这是一段很长的正文内容用于模拟文档分享网站的分页效果并且没有句末标点".repeat(5);
        let text = format!("1、开头{page}\n2、{page}\n3、{page}。\n4、{page}");
        let cleaned = clean(&text, false);
        assert_eq!(texts(&cleaned), [format!("开头{page}{page}{page}。{page}")]);
        let list = "1、飞行安全风险高。\n2、安全监管风险高。\n3、作业任务风险高。";
        assert_eq!(texts(&clean(list, false)).len(), 3);
    }

    #[test]
    fn markdown_headings_and_comments() {
        let cleaned = clean(
            "# 中华人民共和国刑法\n\n<!-- INFO END -->\n## 第一章 总则",
            true,
        );
        assert_eq!(texts(&cleaned), ["中华人民共和国刑法", "第一章总则"]);
    }
}
