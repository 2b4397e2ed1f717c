//! Stage 1 (HTML): the one article extractor, for crawled pages and saved HTML files alike.
//! Input: decoded page source (and the page's URL, to resolve links). Output: [`Article`]:
//! title, publication date, `来源` line, canonical URL, the main text without navigation,
//! footers, share bars and related-article lists, and the links outside such furniture.
//!
//! The main text is the densest block of paragraphs: each leaf block of running text scores
//! its parent fully and its grandparent by half. One iterative walk over the parsed tree does
//! everything, so the cost is linear in the page; pages nested deeper than [`MAX_DEPTH`] are
//! flattened before parsing (the HTML parser's scope checks grow with the nesting). Pure.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ego_tree::NodeRef;
use regex::Regex;
use scraper::{Html, Node};
use url::Url;

/// What a page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    pub title: Option<String>,
    /// `YYYY-MM-DD` (or `YYYY-MM` when the day is unknown).
    pub published: Option<String>,
    /// The `来源：` line's value.
    pub source: Option<String>,
    /// `<link rel=canonical>` or `og:url`.
    pub canonical: Option<String>,
    /// Main text, paragraphs separated by `\n`.
    pub text: String,
    /// Absolute http(s) links outside navigation and footers, fragments removed, in page order.
    pub links: Vec<Url>,
    /// Share of the main block's characters that sit inside links (high on listing pages).
    pub link_density: f64,
}

/// A paragraph needs this many characters to make a page an article.
pub const MIN_PARAGRAPH_CHARS: usize = 12;
/// Above this share of link text, the main block is a list of links, not an article.
pub const MAX_ARTICLE_LINK_DENSITY: f64 = 0.3;
/// Deeper nesting is flattened before parsing.
pub const MAX_DEPTH: usize = 256;

impl Article {
    /// An article has a title and at least one paragraph of running text, however short; a
    /// list or index page (mostly links) is none.
    pub fn is_article(&self) -> bool {
        let paragraph = self
            .text
            .lines()
            .any(|l| l.chars().filter(|c| !c.is_whitespace()).count() >= MIN_PARAGRAPH_CHARS);
        self.title.is_some() && paragraph && self.link_density < MAX_ARTICLE_LINK_DENSITY
    }

    /// The text as ingest reads it: the title line, then the main text.
    pub fn full_text(&self) -> String {
        match &self.title {
            Some(title) if !self.text.starts_with(title.as_str()) => {
                format!("{title}\n{}", self.text)
            }
            _ => self.text.clone(),
        }
    }
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "td",
    "th",
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
    "figcaption",
];
/// Never text: their subtrees are not walked.
const INVISIBLE_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "object", "head",
];
/// Page furniture: walked (for dates, sources and counts) but never main text or links.
const FURNITURE_TAGS: &[&str] = &[
    "nav", "footer", "aside", "form", "button", "select", "header",
];
const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

static FURNITURE_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[-_\s])(nav|navbar|menu|footer|foot|share|bdshare|social|related|relate|xgwz|xglj|xgxw|recommend|tuijian|breadcrumbs?|crumbs?|position|location|sidebar|side|comments?|copyright|banquan|toolbar|tools|pager|pagination|header|topbar|ad|ads|advert)([-_\s]|$)",
    )
    .expect("regex")
});
static FURNITURE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(分享到|分享：|相关文章|相关阅读|相关链接|相关新闻|延伸阅读|上一篇|下一篇|打印本页|关闭窗口|【打印】|版权所有|Copyright|网站标识码|主办单位|承办单位|ICP备|网站地图)").expect("regex")
});
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
static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:文章来源|信息来源|来源)\s*[:：]\s*([^\s|｜丨│/]{2,40})").expect("regex")
});

/// Extracts the article from a decoded page; `page` resolves relative links and dates in
/// the address.
pub fn extract(html: &str, page: Option<&Url>) -> Article {
    let flat = flatten_deep_nesting(html, MAX_DEPTH);
    let doc = Html::parse_document(flat.as_deref().unwrap_or(html));
    let walk = Walk::run(&doc, page);
    let (text, link_density) = walk.main_text();
    let meta = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| walk.meta.get(&n.to_ascii_lowercase()).cloned())
    };
    let title = meta(&["ArticleTitle", "og:title"])
        .or_else(|| walk.h1.clone())
        .or_else(|| walk.title.as_deref().map(strip_site_name));
    let published = meta(&[
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
    ])
    .and_then(|v| first_date(&v))
    .or_else(|| labelled_date(&walk.visible))
    .or_else(|| page.and_then(|u| date_in_url(u.path())));
    let source = meta(&["ContentSource", "source"]).or_else(|| source_line(&walk.visible));
    Article {
        title: title.filter(|t| !t.is_empty()),
        published,
        source,
        canonical: walk.canonical.clone(),
        text,
        links: walk.links,
        link_density,
    }
}

/// A leaf block (no block inside it): its place in the walk, text and link characters.
struct Leaf {
    at: usize,
    text: String,
    chars: usize,
    linked: usize,
    wordy: bool,
}

/// An open block element during the walk: its own text (`LINE_BREAK` for each `<br>`).
struct Open {
    text: String,
    linked: usize,
    furniture: bool,
}

/// Stands for a `<br>` in a block's text (source newlines are only formatting).
const LINE_BREAK: char = '\u{2029}';

/// Everything one walk over the tree collects.
#[derive(Default)]
struct Walk {
    leaves: Vec<Leaf>,
    /// Element → (entered at, left at), in walk order.
    spans: HashMap<ego_tree::NodeId, (usize, usize)>,
    scores: HashMap<ego_tree::NodeId, f64>,
    visible: String,
    meta: HashMap<String, String>,
    h1: Option<String>,
    title: Option<String>,
    canonical: Option<String>,
    links: Vec<Url>,
}

impl Walk {
    fn run(doc: &Html, page: Option<&Url>) -> Walk {
        let mut walk = Walk::default();
        let base = base_url(doc, page);
        let mut seen_links = HashSet::new();
        let mut elements: Vec<ego_tree::NodeId> = Vec::new();
        let mut blocks: Vec<Open> = Vec::new();
        let (mut furniture, mut in_link, mut step) = (0usize, 0usize, 0usize);
        let mut stack: Vec<(NodeRef<Node>, bool)> = vec![(doc.tree.root(), false)];
        while let Some((node, leaving)) = stack.pop() {
            step += 1;
            let Node::Element(el) = node.value() else {
                if let Node::Text(text) = node.value() {
                    walk.text(text, &mut blocks, in_link > 0, furniture > 0);
                } else if !leaving {
                    stack.extend(node.children().rev().map(|c| (c, false)));
                }
                continue;
            };
            let name = el.name();
            let is_block = BLOCK_TAGS.contains(&name);
            let is_furniture = FURNITURE_TAGS.contains(&name)
                || [el.id(), el.attr("class"), el.attr("role")]
                    .into_iter()
                    .flatten()
                    .any(|v| FURNITURE_ATTR.is_match(v));
            if leaving {
                elements.pop();
                let entered = walk.spans.get(&node.id()).map_or(step, |s| s.0);
                walk.spans.insert(node.id(), (entered, step));
                if is_block {
                    let open = blocks.pop().expect("a block was opened");
                    walk.close_block(open, entered, &elements);
                }
                furniture -= usize::from(is_furniture);
                in_link -= usize::from(name == "a");
                continue;
            }
            if name == "head" {
                walk.head(node);
            }
            if INVISIBLE_TAGS.contains(&name) {
                continue;
            }
            furniture += usize::from(is_furniture);
            in_link += usize::from(name == "a");
            walk.spans.insert(node.id(), (step, step));
            elements.push(node.id());
            if is_block {
                blocks.push(Open {
                    text: String::new(),
                    linked: 0,
                    furniture: furniture > 0,
                });
            }
            match name {
                "h1" if walk.h1.is_none() && furniture == 0 => {
                    let text = squeeze(&node_text(node));
                    walk.h1 = (!text.is_empty()).then_some(text);
                }
                "a" if furniture == 0 => {
                    let href = el.attr("href").map(str::trim);
                    let url = href.and_then(|h| base.as_ref()?.join(h).ok());
                    if let Some(mut url) = url.filter(|u| matches!(u.scheme(), "http" | "https")) {
                        url.set_fragment(None);
                        if seen_links.insert(url.to_string()) {
                            walk.links.push(url);
                        }
                    }
                }
                "br" => {
                    if let Some(open) = blocks.last_mut() {
                        open.text.push(LINE_BREAK);
                    }
                }
                _ => {}
            }
            stack.push((node, true));
            stack.extend(node.children().rev().map(|c| (c, false)));
        }
        walk
    }

    /// Title, meta tags and the canonical link, from `<head>`.
    fn head(&mut self, head: NodeRef<Node>) {
        for node in head.descendants() {
            let Node::Element(el) = node.value() else {
                continue;
            };
            match el.name() {
                "title" if self.title.is_none() => {
                    let text = squeeze(&node_text(node));
                    self.title = (!text.is_empty()).then_some(text);
                }
                "meta" => {
                    let key = el.attr("name").or_else(|| el.attr("property"));
                    let content = el.attr("content").map(squeeze);
                    if let (Some(key), Some(content)) = (key, content) {
                        if !content.is_empty() {
                            self.meta
                                .entry(key.to_ascii_lowercase())
                                .or_insert(content.clone());
                        }
                        if key.eq_ignore_ascii_case("og:url") && content.starts_with("http") {
                            self.canonical.get_or_insert(content);
                        }
                    }
                }
                "link"
                    if el.attr("rel").is_some_and(|r| {
                        r.split_whitespace()
                            .any(|w| w.eq_ignore_ascii_case("canonical"))
                    }) =>
                {
                    if let Some(href) = el
                        .attr("href")
                        .map(str::trim)
                        .filter(|h| h.starts_with("http"))
                    {
                        self.canonical = Some(href.to_string());
                    }
                }
                _ => {}
            }
        }
    }

    fn text(&mut self, text: &str, blocks: &mut [Open], linked: bool, furniture: bool) {
        let piece = text.trim();
        if piece.is_empty() {
            return;
        }
        self.visible.push_str(piece);
        self.visible.push('\n');
        if let Some(open) = blocks.last_mut().filter(|_| !furniture) {
            open.text.push_str(text);
            if linked {
                open.linked += piece.chars().filter(|c| !c.is_whitespace()).count();
            }
        }
    }

    /// A closed block: its own text (all of it, for a leaf) is a paragraph candidate, and a
    /// wordy one scores its parent and grandparent.
    fn close_block(&mut self, open: Open, entered: usize, elements: &[ego_tree::NodeId]) {
        if open.furniture {
            return;
        }
        for line in open.text.split(LINE_BREAK) {
            let text = squeeze(line);
            let chars = text.chars().filter(|c| !c.is_whitespace()).count();
            if chars == 0 {
                continue;
            }
            let linked = open.linked.min(chars);
            let wordy = linked * 2 < chars && !FURNITURE_TEXT.is_match(&text);
            if wordy {
                let mut up = elements.iter().rev();
                if let Some(parent) = up.next() {
                    *self.scores.entry(*parent).or_default() += chars as f64;
                }
                if let Some(grand) = up.next() {
                    *self.scores.entry(*grand).or_default() += chars as f64 / 2.0;
                }
            }
            self.leaves.push(Leaf {
                at: entered,
                text,
                chars,
                linked,
                wordy,
            });
        }
    }

    /// The paragraphs inside the best-scored element, and its share of link text.
    fn main_text(&self) -> (String, f64) {
        let best = self
            .scores
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .and_then(|(id, _)| self.spans.get(id));
        let Some(&(from, to)) = best else {
            return (String::new(), 0.0);
        };
        let mut inside: Vec<&Leaf> = self
            .leaves
            .iter()
            .filter(|l| from <= l.at && l.at <= to)
            .collect();
        inside.sort_by_key(|l| l.at);
        let all: usize = inside.iter().map(|l| l.chars).sum();
        let linked: usize = inside.iter().map(|l| l.linked).sum();
        let text = inside
            .iter()
            .filter(|l| l.wordy)
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let density = if all == 0 {
            0.0
        } else {
            linked as f64 / all as f64
        };
        (text, density)
    }
}

fn base_url(doc: &Html, page: Option<&Url>) -> Option<Url> {
    let page = page?;
    let base = doc.tree.root().descendants().find_map(|n| match n.value() {
        Node::Element(e) if e.name() == "base" => e.attr("href"),
        _ => None,
    });
    Some(
        base.and_then(|b| page.join(b).ok())
            .unwrap_or_else(|| page.clone()),
    )
}

/// Text under `node` (script and style left out), for titles and headings.
fn node_text(node: NodeRef<Node>) -> String {
    let mut out = String::new();
    for n in node.descendants() {
        if let Node::Text(t) = n.value() {
            out.push_str(t);
        }
    }
    out
}

/// `文章标题_某某市人民政府` / `文章标题 - 某某网` → `文章标题`.
fn strip_site_name(title: &str) -> String {
    let cut = ["_", "|", "｜", " - ", " — ", "－"]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .filter(|&at| title[..at].chars().count() >= 4);
    cut.map_or(title, |at| &title[..at]).trim().to_string()
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

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

/// The date of a `发布时间：…` (or `日期：`, `时间：`) line, as `YYYY-MM-DD`.
pub(crate) fn labelled_date(text: &str) -> Option<String> {
    LABELLED_DATE
        .captures_iter(text)
        .find_map(|c| first_date(&c[1]))
}

/// The value of a `来源：…` line (an outlet or issuing body, not a web address).
pub(crate) fn source_line(text: &str) -> Option<String> {
    SOURCE
        .captures_iter(text)
        .map(|c| c[1].trim_end_matches(['，', '。', ',']).to_string())
        .find(|s| !s.starts_with("http"))
}

fn first_date(text: &str) -> Option<String> {
    DATE.captures_iter(text)
        .find_map(|c| ymd(&c[1], &c[2], Some(&c[3])))
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

/// The page with every tag nested deeper than `max` left out (their text kept), or `None`
/// when it is nowhere that deep. One pass; `<script>` and `<style>` bodies, comments and
/// void elements do not nest.
fn flatten_deep_nesting(html: &str, max: usize) -> Option<String> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let (mut depth, mut at, mut copied) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
        let start = at + offset;
        let Some(len) = bytes[start..].iter().position(|&b| b == b'>') else {
            break;
        };
        let end = start + len + 1;
        let tag = &html[start..end];
        let closing = tag.starts_with("</");
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        at = end;
        if name.is_empty() || VOID_TAGS.contains(&name.as_str()) || tag.ends_with("/>") {
            continue;
        }
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            if let Some(found) = html[end..].to_ascii_lowercase().find(&close) {
                at = end + found;
            }
            continue;
        }
        let deep = if closing {
            let deep = depth > max;
            depth = depth.saturating_sub(1);
            deep
        } else {
            depth += 1;
            depth > max
        };
        if deep {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..start]);
            copied = end;
        }
    }
    let mut out = out?;
    out.push_str(&html[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Article {
        extract(
            html,
            Some(&Url::parse("http://x.example/2023/05/a.html").unwrap()),
        )
    }

    #[test]
    fn dates_in_urls() {
        assert_eq!(
            date_in_url("/art/2023/05/t20230512_99.html").as_deref(),
            Some("2023-05-12")
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
        let article = page(html);
        assert_eq!(article.published.as_deref(), Some("2022-03-07"));
        assert_eq!(article.source.as_deref(), Some("临泽县人民政府"));
    }

    #[test]
    fn navigation_footer_and_related_lists_are_not_main_text() {
        let html = "<html><head><title>楼道长制度_嘉兴市人民政府</title>\
            <link rel=canonical href=\"https://x.example/a\"></head><body>\
            <div class=nav><a href=/>首页</a><a href=/news>新闻</a></div>\
            <h1>嘉兴市南湖区推行楼道长制度</h1>\
            <div id=content><p>南湖区在全区推行楼道长制度，由党员和热心居民担任楼道长。</p>\
            <p>楼道长负责排查矛盾纠纷，收集社情民意。</p></div>\
            <div class=related><a href=/b>相关文章一</a><a href=/c>相关文章二</a></div>\
            <div class=footer>网站标识码3304000001 版权所有 主办单位：某市人民政府办公室</div>\
            </body></html>";
        let a = page(html);
        assert_eq!(a.title.as_deref(), Some("嘉兴市南湖区推行楼道长制度"));
        assert_eq!(
            a.text,
            "南湖区在全区推行楼道长制度，由党员和热心居民担任楼道长。\n楼道长负责排查矛盾纠纷，收集社情民意。"
        );
        assert_eq!(a.canonical.as_deref(), Some("https://x.example/a"));
        assert!(a.is_article());
        assert!(
            !a.links.iter().any(|u| u.path() == "/news"),
            "{:?}",
            a.links
        );
    }

    #[test]
    fn a_short_article_is_an_article_and_a_list_page_is_not() {
        let short = page(
            "<h1>临泽县召开平安建设推进会</h1><p>会议部署了下一阶段的平安建设工作。</p>\
                          <p>各乡镇负责人参加会议并作表态发言。</p>",
        );
        assert!(short.is_article(), "{short:?}");
        let list = page(
            "<title>通知公告</title><ul><li><a href=/1>关于开展矛盾纠纷排查的通知</a></li>\
                         <li><a href=/2>关于做好平安建设宣传工作的通知</a></li>\
                         <li><a href=/3>关于召开全县网格化工作会议的通知</a></li></ul>",
        );
        assert!(!list.is_article(), "{list:?}");
    }

    #[test]
    fn deep_nesting_is_flattened_and_keeps_its_text() {
        let deep = format!(
            "{}<p>深层正文段落，网格员每日巡查走访。</p>{}",
            "<div>".repeat(5000),
            "</div>".repeat(5000)
        );
        let flat = flatten_deep_nesting(&deep, MAX_DEPTH).unwrap();
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert!(flat.contains("深层正文段落"));
        assert!(flatten_deep_nesting("<div><p>浅</p></div>", MAX_DEPTH).is_none());
        let a = page(&deep);
        assert!(a.text.contains("深层正文段落"), "{a:?}");
    }
}
