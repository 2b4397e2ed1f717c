//! Stage 1 (split): cleaned lines → documents. Input: one cleaned file. Output: its
//! documents, each a title and its text lines. Three shapes: a compilation with a `目录`
//! (one document per listed article, titled as listed), a file of concatenated documents
//! (boundaries from the text's own structure: a title line followed by an empty line, or a
//! boilerplate seam), or one document. Never changes the text of a line; drops the lines of
//! page furniture (breadcrumbs, tool buttons) that saved web pages leave.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::clean::{Cleaned, Line};

/// One document found in a file, before passages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    pub title: String,
    pub lines: Vec<String>,
}

/// Enumerator in front of a table-of-contents entry: `1.`, `10、`, `一、`.
static ENTRY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\d{1,3}\s*[.、．]|[一二三四五六七八九十]{1,3}\s*、)\s*").unwrap()
});
/// A chapter entry (`第一章 总则`): a table of contents of chapters belongs to one document.
static CHAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*第[一二三四五六七八九十百零〇\d]{1,5}[章节编部分篇条卷]").unwrap()
});
/// Dot leaders and a page number after a table-of-contents entry.
static ENTRY_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\s*[.…·]{2,}\s*\d+|\s+\d{1,4})\s*$").unwrap());
/// A numbered section heading (`一、`, `(二)`, `1.`, `第三章`) — never a document title.
static SECTION_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．是]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}\s*[.、．)）]|第[一二三四五六七八九十\d]{1,3}[章节条部分])").unwrap()
});
/// Breadcrumb navigation left by a web page: `首页 > 栏目 > …`.
static BREADCRUMB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:首页|当前位置|您的位置|你的位置)\s*[:：]?.*[>»›]").unwrap());

/// Tool buttons of a saved or scraped web page (download, print, font size …), one a line.
/// Never a title, and dropped from the text.
static PAGE_TOOLS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[【\[]?\s*(?:下载|打印|全屏|收藏|分享|关闭|返回|首页|字号|加大|还原|减小|大|中|小|",
        r"打印本页|关闭窗口|返回顶部|分享到|扫一扫|我要纠错)\s*[：:】\]]?\s*$",
        r"|^[】\]]\s*$"
    ))
    .unwrap()
});

/// The labelled lines under a web page's headline: source, date, author, counters. Never a
/// title; kept in the text (the source and the date are evidence for the tags).
static PAGE_LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^[【\[]?\s*(?:字号|来源|信息来源|文章来源|时间|发布时间|发布日期|作者|责任编辑|编辑|",
        r"浏览次数|点击数|阅读次数|访问量|当前位置|您的位置|你的位置|您现在的位置)\s*[：:]",
    ))
    .unwrap()
});

/// Longest breadcrumb line dropped from the text (a longer line is content that happens to
/// start like one).
const MAX_BREADCRUMB_CHARS: usize = 200;

/// Longest line (in characters) that can be a title.
const MAX_TITLE_CHARS: usize = 80;
/// How many leading lines may hold the `目录` heading.
const TOC_WINDOW: usize = 60;

/// Splits a cleaned file into documents (at least one when it has any text). `markdown`
/// files are never cut at blank-line seams (there a blank line is just a paragraph break).
pub(crate) fn documents(cleaned: &Cleaned, markdown: bool) -> Vec<Doc> {
    let docs = by_toc(&cleaned.lines)
        .or_else(|| by_seams(&cleaned.lines).filter(|_| !markdown))
        .unwrap_or_else(|| vec![single(&cleaned.lines, cleaned.title_hint.as_deref())]);
    docs.into_iter()
        .map(|mut doc| {
            doc.lines.retain(|line| !page_furniture(line));
            doc
        })
        .filter(|d| !d.title.is_empty() || !d.lines.is_empty())
        .collect()
}

fn text_lines(lines: &[Line]) -> Vec<(usize, &str)> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l {
            Line::Text(t) => Some((i, t.as_str())),
            _ => None,
        })
        .collect()
}

/// Comparison key for a title: no whitespace, no enumerator.
fn title_key(line: &str) -> String {
    let line = ENTRY_PREFIX.replace(line, "");
    line.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A compilation: `目录`, then entries, then each entry's title again as its article heading.
fn by_toc(lines: &[Line]) -> Option<Vec<Doc>> {
    let texts = text_lines(lines);
    let toc = texts
        .iter()
        .take(TOC_WINDOW)
        .position(|(_, t)| t.chars().filter(|c| !c.is_whitespace()).eq("目录".chars()))?;
    let mut entries: Vec<String> = Vec::new();
    let mut body = toc + 1;
    while let Some((_, line)) = texts.get(body) {
        let entry = ENTRY_PAGE
            .replace(&ENTRY_PREFIX.replace(line, ""), "")
            .trim()
            .to_owned();
        let repeat = entries
            .first()
            .is_some_and(|first| title_key(first) == title_key(line));
        if repeat || entry.is_empty() || entry.chars().count() > MAX_TITLE_CHARS {
            break;
        }
        entries.push(entry);
        body += 1;
    }
    let chapters = entries.iter().filter(|e| CHAPTER.is_match(e)).count();
    if chapters * 2 >= entries.len() {
        return None;
    }
    // Where each title appears after the table of contents (one pass, no rescans).
    let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, (_, line)) in texts.iter().enumerate().skip(body) {
        if line.chars().count() <= MAX_TITLE_CHARS {
            positions.entry(title_key(line)).or_default().push(k);
        }
    }
    let mut starts: Vec<(usize, String)> = Vec::new();
    let mut cursor = body;
    for entry in entries {
        let found = positions
            .get(&title_key(&entry))
            .and_then(|at| at.iter().find(|&&k| k >= cursor).copied());
        if let Some(found) = found {
            starts.push((found, entry));
            cursor = found + 1;
        }
    }
    if starts.len() < 2 {
        return None;
    }
    let docs = starts
        .iter()
        .enumerate()
        .map(|(n, (start, title))| {
            let end = starts.get(n + 1).map_or(texts.len(), |s| s.0);
            let lines = texts[start + 1..end]
                .iter()
                .map(|(_, t)| t.to_string())
                .collect();
            Doc {
                title: title.clone(),
                lines,
            }
        })
        .collect();
    Some(docs)
}

/// Could this line be a document title?
fn title_like(line: &str) -> bool {
    let chars = line.chars().count();
    (2..=MAX_TITLE_CHARS).contains(&chars)
        && !line.ends_with(['。', '，', ',', '；', ';', '：', ':', '、'])
        && !SECTION_HEADING.is_match(line)
        && !BREADCRUMB.is_match(line)
        && !PAGE_TOOLS.is_match(line)
        && !PAGE_LABELS.is_match(line)
}

/// Breadcrumbs and tool buttons: page furniture, not part of the text.
fn page_furniture(line: &str) -> bool {
    PAGE_TOOLS.is_match(line)
        || (BREADCRUMB.is_match(line) && line.chars().count() <= MAX_BREADCRUMB_CHARS)
}

/// Concatenated documents: a title-like line followed by an empty line and text starts a
/// document, and so does the first line after a boilerplate seam that follows text. Only
/// for files whose paragraphs are not blank-line separated (else every heading would match).
fn by_seams(lines: &[Line]) -> Option<Vec<Doc>> {
    let texts = lines.iter().filter(|l| matches!(l, Line::Text(_))).count();
    let blanks = lines.iter().filter(|l| matches!(l, Line::Blank)).count();
    if blanks * 4 > texts {
        return None;
    }
    let starts = seam_starts(lines);
    if starts.len() < 2 {
        return None;
    }
    let mut docs: Vec<Doc> = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        let mut doc = single(&lines[start..end], None);
        if n == 0 {
            // Lines before the first title (a stray header) stay with the first document.
            let preamble = text_lines(&lines[..start]);
            let preamble = preamble.iter().map(|(_, t)| t.to_string());
            doc.lines.splice(0..0, preamble);
        }
        docs.push(doc);
    }
    Some(docs)
}

fn seam_starts(lines: &[Line]) -> Vec<usize> {
    let next_text = |from: usize| (from..lines.len()).find(|&k| matches!(lines[k], Line::Text(_)));
    let mut starts = Vec::new();
    let mut text_since_start = false;
    for (i, line) in lines.iter().enumerate() {
        match line {
            Line::Text(t) => {
                let blank_follows = matches!(lines.get(i + 1), Some(Line::Blank));
                if blank_follows && title_like(t) && next_text(i + 1).is_some() {
                    starts.push(i);
                    text_since_start = false;
                } else {
                    text_since_start = true;
                }
            }
            Line::Seam if text_since_start && !starts.is_empty() => {
                let next = next_text(i + 1)
                    .filter(|&k| matches!(&lines[k], Line::Text(t) if title_like(t)));
                if let Some(next) = next {
                    starts.push(next);
                    text_since_start = false;
                }
            }
            _ => {}
        }
    }
    starts.dedup();
    starts
}

/// One document: its title is the first title-like line that is not a numbered section
/// heading (joined with a subtitle line `——…`), else the site's title hint, else the
/// start of the first line (then not removed from the text).
pub(crate) fn single(lines: &[Line], title_hint: Option<&str>) -> Doc {
    let texts: Vec<&str> = text_lines(lines).into_iter().map(|(_, t)| t).collect();
    let candidate = texts
        .iter()
        .take(TOC_WINDOW)
        .position(|t| title_like(t))
        .filter(|&k| k == 0 || !texts[..k].iter().any(|t| t.chars().count() > 200));
    let hint_first = title_hint.is_some_and(|h| texts.first().is_some_and(|t| t.starts_with(h)));
    match candidate {
        Some(k) if !hint_first => {
            let mut title = texts[k].to_owned();
            let mut used = 1;
            if let Some(next) = texts.get(k + 1).filter(|n| is_subtitle(n)) {
                title.push_str(next);
                used = 2;
            }
            let mut rest: Vec<String> = texts[..k].iter().map(|t| t.to_string()).collect();
            rest.extend(texts[k + used..].iter().map(|t| t.to_string()));
            Doc { title, lines: rest }
        }
        _ => Doc {
            title: title_hint
                .map(str::to_owned)
                .or_else(|| texts.first().map(|t| leading_clause(t)))
                .unwrap_or_default(),
            lines: texts.iter().map(|t| t.to_string()).collect(),
        },
    }
}

/// `———派出所基础工作` under a title, or a short tail like `调研报告`; not the occasion line
/// of a speech or report (`——2026年2月3日在…会议上`).
fn is_subtitle(line: &str) -> bool {
    let chars = line.chars().count();
    let dated = line
        .trim_start_matches(['—', '–', '-'])
        .starts_with(|c: char| c.is_ascii_digit() || "一二〇".contains(c));
    (line.starts_with(['—', '–', '-']) && chars <= 40 && !dated)
        || (chars <= 6
            && ["报告", "方案", "意见", "总结", "通知", "办法", "材料"]
                .iter()
                .any(|end| line.ends_with(end)))
}

/// The first clause of a long line as a stand-in title: the whole clause when it fits a
/// title, else its first 40 characters and `…`, so that a title never ends mid-phrase
/// without saying so.
fn leading_clause(line: &str) -> String {
    let clause = line
        .split(['。', '，', ',', '；', ';', '！', '？', '：', ':'])
        .next()
        .unwrap_or(line)
        .trim();
    if clause.chars().count() <= MAX_TITLE_CHARS {
        return clause.to_string();
    }
    let mut title: String = clause.chars().take(40).collect();
    title.push('…');
    title
}

#[cfg(test)]
mod tests {
    use super::super::clean::clean;
    use super::*;

    fn titles(text: &str, markdown: bool) -> Vec<String> {
        documents(&clean(text, markdown), markdown)
            .into_iter()
            .map(|d| d.title)
            .collect()
    }

    #[test]
    fn table_of_contents_of_articles_splits_one_of_chapters_does_not() {
        let compilation = "经验汇编\n目录\n1.网格化管理\n2.雪亮工程\n网格化管理\n某县推行网格化。\n雪亮工程\n某市建设视频监控。";
        assert_eq!(titles(compilation, false), ["网格化管理", "雪亮工程"]);
        let law = "# 某某条例\n\n目录\n\n第一章 总则\n\n第二章 附则\n\n## 第一章 总则\n\n第一条 为了……\n\n## 第二章 附则\n\n第二条 本条例自公布之日起施行。";
        assert_eq!(titles(law, true), ["某某条例"]);
    }

    #[test]
    fn concatenated_documents_split_at_title_seams_not_in_markdown() {
        let text = "甲县网格化工作总结\n\n甲县网格化工作总结一、基本情况。\n正文一。\n乙市视频监控建设方案\n\n乙市视频监控建设方案一、目标。\n正文二。\n- 1、下载文档前请自行甄别文档内容的完整性\n丙县调研报告\n正文三。";
        assert_eq!(
            titles(text, false),
            ["甲县网格化工作总结", "乙市视频监控建设方案", "丙县调研报告"]
        );
        assert_eq!(titles(text, true).len(), 1);
    }

    #[test]
    fn title_skips_breadcrumbs_and_outlines_and_joins_subtitles() {
        let text = "首页 > 案例 > 某县\n一、主要做法\n(一)强化领导\n关于某县公安工作的专题\n调研报告\n正文内容。";
        let docs = documents(&clean(text, false), false);
        assert_eq!(docs[0].title, "关于某县公安工作的专题调研报告");
        assert_eq!(
            docs[0].lines[0], "一、主要做法",
            "the breadcrumb is not text"
        );
    }

    #[test]
    fn page_chrome_is_never_a_title_and_a_report_keeps_its_title_line() {
        let report = "下载\n\n打印\n\n全屏\n\n收藏\n\n【字号：\n\n加大\n\n还原\n\n减小\n\n】\n\n\
                      2026年上海市政府工作报告\n\n——2026年2月3日在上海市第十六届人民代表大会第四次会议上\n\n\
                      来源：解放日报\n\n时间：2026-02-09\n\n各位代表：\n\n现在，我代表上海市人民政府，向大会报告工作。";
        assert_eq!(titles(report, true), ["2026年上海市政府工作报告"]);
        let page = "您的位置：首页 新闻中心\n来源：某市公安局\n发布时间：2023-05-06\n某市推行楼道长制度\n正文。";
        assert_eq!(titles(page, false), ["某市推行楼道长制度"]);
        let docs = documents(&clean(report, true), true);
        assert_eq!(
            docs[0].lines.first().map(String::as_str),
            Some("——2026年2月3日在上海市第十六届人民代表大会第四次会议上")
        );
        assert!(
            docs[0]
                .lines
                .iter()
                .all(|l| !["下载", "打印", "加大", "】"].contains(&l.as_str())),
            "{:?}",
            docs[0].lines
        );
        assert!(
            docs[0].lines.contains(&"来源：解放日报".to_string()),
            "the source line stays"
        );
    }

    #[test]
    fn a_title_cut_from_a_long_line_ends_at_a_clause_or_says_it_is_cut() {
        let text = "近年来某县公安局坚持和发展新时代枫桥经验，推动矛盾纠纷多元化解，取得明显成效。";
        assert_eq!(
            titles(text, false),
            ["近年来某县公安局坚持和发展新时代枫桥经验"]
        );
        let long = "某".repeat(90) + "。";
        let title = &titles(&long, false)[0];
        assert!(
            title.ends_with('…') && title.chars().count() == 41,
            "{title}"
        );
    }
}
