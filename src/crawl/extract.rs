//! Crawl stage, extraction: decoded HTML → the article's title, date, source line, main text
//! and the links to follow.
//!
//! Input: page text and its URL. Output: [`Article`]. The main text is the densest block of
//! paragraphs, leaving out navigation, share buttons, related-article lists and footers. This
//! feeds the crawl metadata only: the ingest reader reads the stored HTML itself.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};
use url::Url;

/// What the crawler learns from one page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    pub title: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM` when the day is unknown).
    pub published: Option<String>,
    /// The `来源：` line's value.
    pub source: Option<String>,
    /// Main text, paragraphs separated by `\n`.
    pub text: String,
    /// Absolute http(s) links outside navigation and footers, fragments removed, in page order.
    pub links: Vec<Url>,
    /// Share of the main block's characters that sit inside links (high on listing pages).
    pub link_density: f64,
}

impl Article {
    /// True when the page has an article's worth of running text (a listing page has not).
    pub fn is_article(&self) -> bool {
        self.text.chars().filter(|c| !c.is_whitespace()).count() >= MIN_ARTICLE_CHARS
            && self.link_density < MAX_ARTICLE_LINK_DENSITY
    }
}

/// Running text a page needs (outside link lists) to count as an article.
pub const MIN_ARTICLE_CHARS: usize = 80;
/// Above this share of link text, the main block is a list of links, not an article.
pub const MAX_ARTICLE_LINK_DENSITY: f64 = 0.3;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("valid selector")
}

static META: LazyLock<Selector> = LazyLock::new(|| selector("meta"));
static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static LINKS: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static BASE: LazyLock<Selector> = LazyLock::new(|| selector("base[href]"));
static BLOCKS: LazyLock<Selector> = LazyLock::new(|| selector(BLOCK_TAGS.join(",").as_str()));

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "td",
    "li",
    "section",
    "article",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tbody",
    "tr",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "blockquote",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "center",
    "body",
];
const SKIP_TAGS: &[&str] = &[
    "nav", "footer", "aside", "script", "style", "noscript", "form", "iframe", "button", "select",
    "header", "template", "svg",
];

static BOILERPLATE_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(nav|navbar|menu|footer|foot|share|bdshare|social|related|relate|xgwz|xglj|xgxw|recommend|tuijian|breadcrumbs?|crumbs?|position|location|sidebar|side|comments?|copyright|banquan|toolbar|tools|pager|pagination|header|topbar|ad|ads|advert)([-_\s]|$)",
    )
    .expect("regex")
});
static BOILERPLATE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(分享到|分享：|相关文章|相关阅读|相关链接|相关新闻|延伸阅读|上一篇|下一篇|打印本页|关闭窗口|【打印】|版权所有|Copyright)").expect("regex")
});

/// Extracts the article from a decoded page fetched from `url`.
pub fn extract_article(html: &str, url: &Url) -> Article {
    let doc = Html::parse_document(html);
    let visible = visible_text(doc.root_element());
    let (text, link_density) = main_text(&doc);
    Article {
        title: title(&doc),
        published: published(&doc, &visible, url),
        source: source(&doc, &visible),
        text,
        links: links(&doc, url),
        link_density,
    }
}

fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn meta_content(doc: &Html, names: &[&str]) -> Option<String> {
    names.iter().find_map(|wanted| {
        doc.select(&META).find_map(|meta| {
            let key = meta.attr("name").or_else(|| meta.attr("property"))?;
            let content = clean(meta.attr("content")?);
            (key.eq_ignore_ascii_case(wanted) && !content.is_empty()).then_some(content)
        })
    })
}

fn title(doc: &Html) -> Option<String> {
    if let Some(title) = meta_content(doc, &["ArticleTitle", "og:title"]) {
        return Some(title);
    }
    let h1 = doc
        .select(&H1)
        .filter(|el| !in_boilerplate(*el))
        .map(|el| clean(&el.text().collect::<String>()))
        .find(|text| !text.is_empty());
    h1.or_else(|| {
        let full = clean(&doc.select(&TITLE).next()?.text().collect::<String>());
        // "文章标题_某某市人民政府" → the part before the site name.
        let first = full
            .split(['_', '|', '｜'])
            .next()
            .unwrap_or(&full)
            .trim()
            .to_string();
        Some(if first.chars().count() >= 4 {
            first
        } else {
            full
        })
        .filter(|t| !t.is_empty())
    })
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})").expect("regex")
});
static LABELLED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布时间|发布日期|发文日期|成文日期|发表时间|日期|时间)\s*[:：]\s*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})").expect("regex")
});
static URL_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:/|\bt|_)((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})(?:[/_.\-]|$)").expect("regex")
});
static URL_MONTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"/((?:19|20)\d{2})[-/]?(\d{2})/").expect("regex"));

fn ymd(year: &str, month: &str, day: Option<&str>) -> Option<String> {
    let month: u32 = month.parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    match day {
        None => Some(format!("{year}-{month:02}")),
        Some(day) => {
            let day: u32 = day.parse().ok()?;
            (1..=31)
                .contains(&day)
                .then(|| format!("{year}-{month:02}-{day:02}"))
        }
    }
}

/// A date found in `text`, as `YYYY-MM-DD`.
fn first_date(text: &str) -> Option<String> {
    DATE.captures_iter(text)
        .find_map(|c| ymd(&c[1], &c[2], Some(&c[3])))
}

fn published(doc: &Html, visible: &str, url: &Url) -> Option<String> {
    let names = [
        "PubDate",
        "publishdate",
        "article:published_time",
        "og:published_time",
        "firstpublishedtime",
        "publish_time",
        "publishtime",
        "dc.date.issued",
        "dc.date",
        "date",
    ];
    meta_content(doc, &names)
        .and_then(|value| first_date(&value))
        .or_else(|| {
            LABELLED_DATE
                .captures_iter(visible)
                .find_map(|c| first_date(&c[1]))
        })
        .or_else(|| date_in_url(url.path()))
}

/// Dates in URLs: `/2023/05/12/`, `t20230512_123.html`, `/202305/…` or `/2023/05/` (month only).
pub fn date_in_url(path: &str) -> Option<String> {
    URL_DAY
        .captures_iter(path)
        .find_map(|c| ymd(&c[1], &c[2], Some(&c[3])))
        .or_else(|| {
            URL_MONTH
                .captures_iter(path)
                .find_map(|c| ymd(&c[1], &c[2], None))
        })
}

static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:文章来源|信息来源|来源)\s*[:：]\s*([^\s|｜丨│/]{2,40})").expect("regex")
});

fn source(doc: &Html, visible: &str) -> Option<String> {
    meta_content(doc, &["ContentSource", "source"]).or_else(|| {
        SOURCE
            .captures(visible)
            .map(|c| c[1].trim_end_matches(['，', '。', ',']).to_string())
    })
}

/// Visible text of `root`, one text node a line (script and style left out).
fn visible_text(root: ElementRef) -> String {
    let mut lines = Vec::new();
    for node in root.descendants() {
        let Node::Text(text) = node.value() else {
            continue;
        };
        let parent = node.parent().and_then(ElementRef::wrap);
        if parent.is_some_and(|p| matches!(p.value().name(), "script" | "style" | "noscript")) {
            continue;
        }
        let line = text.trim();
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines.join("\n")
}

fn is_boilerplate(el: ElementRef) -> bool {
    let element = el.value();
    if SKIP_TAGS.contains(&element.name()) {
        return true;
    }
    let attrs = [element.id(), element.attr("class"), element.attr("role")];
    attrs
        .into_iter()
        .flatten()
        .any(|value| BOILERPLATE_ATTR.is_match(value))
}

fn in_boilerplate(el: ElementRef) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .any(is_boilerplate)
}

fn has_block_child(el: ElementRef) -> bool {
    el.descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .any(|child| BLOCK_TAGS.contains(&child.value().name()))
}

/// A leaf block's text and how much of it sits in links.
fn block_text(el: ElementRef) -> (String, usize) {
    let mut text = String::new();
    let mut in_links = 0;
    for node in el.descendants() {
        let Node::Text(piece) = node.value() else {
            continue;
        };
        let ancestors: Vec<ElementRef> = node.ancestors().filter_map(ElementRef::wrap).collect();
        if ancestors
            .iter()
            .take_while(|a| a.id() != el.id())
            .any(|a| matches!(a.value().name(), "script" | "style"))
        {
            continue;
        }
        if ancestors.iter().any(|a| a.value().name() == "a") {
            in_links += piece.chars().filter(|c| !c.is_whitespace()).count();
        }
        text.push_str(piece);
    }
    (clean(&text), in_links)
}

/// Leaf blocks that carry running text: not boilerplate, not mostly links.
fn text_blocks(doc: &Html) -> Vec<(ElementRef<'_>, String)> {
    doc.select(&BLOCKS)
        .filter(|el| !has_block_child(*el) && !in_boilerplate(*el))
        .filter_map(|el| {
            let (text, in_links) = block_text(el);
            let chars = text.chars().filter(|c| !c.is_whitespace()).count();
            let wordy = chars > 0 && in_links * 2 < chars;
            (wordy && !BOILERPLATE_TEXT.is_match(&text)).then_some((el, text))
        })
        .collect()
}

/// The densest block: each text block scores its parent fully and its grandparent by half.
/// Returns its text and the share of the block (boilerplate left out) that is link text.
fn main_text(doc: &Html) -> (String, f64) {
    let blocks = text_blocks(doc);
    let mut scores = HashMap::new();
    for (el, text) in &blocks {
        let weight = text.chars().filter(|c| !c.is_whitespace()).count() as f64;
        let mut parents = el.ancestors().filter_map(ElementRef::wrap);
        if let Some(parent) = parents.next() {
            *scores.entry(parent.id()).or_insert(0.0) += weight;
            if let Some(grand) = parents.next() {
                *scores.entry(grand.id()).or_insert(0.0) += weight / 2.0;
            }
        }
    }
    let Some(best) = scores
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(id, _)| *id)
    else {
        return (String::new(), 0.0);
    };
    let text = blocks
        .iter()
        .filter(|(el, _)| el.ancestors().any(|a| a.id() == best))
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let density = doc
        .tree
        .get(best)
        .and_then(ElementRef::wrap)
        .map_or(0.0, link_density);
    (text, density)
}

/// Link characters over all characters in `el`, boilerplate inside it left out.
fn link_density(el: ElementRef) -> f64 {
    let (mut all, mut linked) = (0usize, 0usize);
    for node in el.descendants() {
        let Node::Text(piece) = node.value() else {
            continue;
        };
        let inside: Vec<ElementRef> = node
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take_while(|a| a.id() != el.id())
            .collect();
        if inside.iter().any(|a| is_boilerplate(*a)) {
            continue;
        }
        let chars = piece.chars().filter(|c| !c.is_whitespace()).count();
        all += chars;
        if inside.iter().any(|a| a.value().name() == "a") {
            linked += chars;
        }
    }
    if all == 0 {
        0.0
    } else {
        linked as f64 / all as f64
    }
}

fn links(doc: &Html, page: &Url) -> Vec<Url> {
    let base = doc
        .select(&BASE)
        .next()
        .and_then(|b| page.join(b.attr("href")?).ok())
        .unwrap_or_else(|| page.clone());
    let mut seen = std::collections::HashSet::new();
    doc.select(&LINKS)
        .filter(|a| !in_boilerplate(*a))
        .filter_map(|a| base.join(a.attr("href")?.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
        .filter(|u| seen.insert(u.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_urls() {
        assert_eq!(
            date_in_url("/art/2023/05/t20230512_99.html").as_deref(),
            Some("2023-05-12")
        );
        assert_eq!(
            date_in_url("/news/2021/11/03/x.html").as_deref(),
            Some("2021-11-03")
        );
        assert_eq!(
            date_in_url("/zwgk/202305/abc.shtml").as_deref(),
            Some("2023-05")
        );
        assert_eq!(date_in_url("/a/b/123.html"), None);
    }

    #[test]
    fn labelled_date_and_source_come_from_the_page_text() {
        let html = "<html><body><div class=info><span>发布时间：</span><span>2022年3月7日 10:00</span>\
            <span>来源：</span><span>临泽县人民政府</span></div><div id=zoom><p>正文。</p></div></body></html>";
        let article = extract_article(html, &Url::parse("http://x.example/a.html").unwrap());
        assert_eq!(article.published.as_deref(), Some("2022-03-07"));
        assert_eq!(article.source.as_deref(), Some("临泽县人民政府"));
    }
}
