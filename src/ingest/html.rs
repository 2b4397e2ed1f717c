//! Stage 1 (HTML): decoded HTML → article text. Input: the page source. Output: the title
//! (`<h1>` or `<title>`) as the first line, then headings and paragraphs one per line, with
//! script/style/nav/header/footer/aside dropped; plus the page's canonical URL when it names
//! one. Pure; knows nothing about files or cleaning.

use std::sync::LazyLock;

use scraper::{Html, Node, Selector};

/// Elements whose whole subtree is page furniture, not article text.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "header", "footer", "aside", "noscript", "template", "head",
    "iframe", "svg", "form", "button", "select", "object",
];

/// Elements that start a new line.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "table",
    "dt",
    "dd",
    "figcaption",
    "hr",
    "body",
];

static TITLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("title").unwrap());
static H1: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1").unwrap());
static CANONICAL: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"link[rel~="canonical"]"#).unwrap());
static OG_URL: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse(r#"meta[property="og:url"]"#).unwrap());

/// Article text of a page, and its canonical URL if the page names one.
pub(crate) struct Page {
    pub text: String,
    pub url: Option<String>,
}

/// Reduces an HTML page to its article text.
pub(crate) fn extract(source: &str) -> Page {
    let doc = Html::parse_document(source);
    let title = first_text(&doc, &H1).or_else(|| first_text(&doc, &TITLE).map(strip_site_name));
    let mut lines = body_lines(&doc);
    if let Some(title) = title {
        if let Some(pos) = lines.iter().position(|line| *line == title) {
            lines.remove(pos);
        }
        lines.insert(0, title);
    }
    Page {
        text: lines.join("\n"),
        url: canonical_url(&doc),
    }
}

fn first_text(doc: &Html, selector: &Selector) -> Option<String> {
    let element = doc.select(selector).next()?;
    let text = squeeze(&element.text().collect::<String>());
    (!text.is_empty()).then_some(text)
}

/// `文章标题 - 某某网` → `文章标题` (a `<title>` usually ends with the site's name).
fn strip_site_name(title: String) -> String {
    let cut = [" - ", " | ", "_", " — ", "－"]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .filter(|&at| title[..at].chars().count() >= 4);
    match cut {
        Some(at) => title[..at].trim().to_owned(),
        None => title,
    }
}

fn canonical_url(doc: &Html) -> Option<String> {
    let from = |selector: &Selector, attr: &str| {
        doc.select(selector)
            .filter_map(|e| e.value().attr(attr))
            .map(str::trim)
            .find(|url| url.starts_with("http"))
            .map(str::to_owned)
    };
    from(&CANONICAL, "href").or_else(|| from(&OG_URL, "content"))
}

/// Text of the document, one line per block element, furniture skipped (iterative walk:
/// deeply nested pages cannot overflow the stack).
fn body_lines(doc: &Html) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut stack = vec![(doc.tree.root(), false)];
    while let Some((node, closing)) = stack.pop() {
        let block = match node.value() {
            Node::Element(e) => BLOCKS.contains(&e.name()),
            _ => false,
        };
        if closing {
            if block {
                flush(&mut current, &mut lines);
            }
            continue;
        }
        match node.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(e) if SKIPPED.contains(&e.name()) => continue,
            Node::Element(_) | Node::Document | Node::Fragment => {
                if block {
                    flush(&mut current, &mut lines);
                }
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|child| (child, false)));
            }
            _ => {}
        }
    }
    flush(&mut current, &mut lines);
    lines
}

fn flush(current: &mut String, lines: &mut Vec<String>) {
    let line = squeeze(current);
    if !line.is_empty() {
        lines.push(line);
    }
    current.clear();
}

/// Collapses runs of whitespace (HTML source formatting) into one space, trimmed.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_dropped_headings_and_paragraphs_kept() {
        let page = extract(
            "<html><head><title>站点 - 标题</title><style>p{}</style>\
             <link rel=\"canonical\" href=\"https://example.org/a\"></head><body>\
             <nav>首页 新闻</nav><header>网站头</header><h1>网格化管理经验</h1>\
             <script>var x=1;</script><h2>一、背景</h2><p>某县 推行\n网格化。</p>\
             <p>成效明显。</p><footer>版权所有</footer></body></html>",
        );
        assert_eq!(
            page.text,
            "网格化管理经验\n一、背景\n某县 推行 网格化。\n成效明显。"
        );
        assert_eq!(page.url.as_deref(), Some("https://example.org/a"));
    }

    #[test]
    fn title_without_h1_loses_the_site_name() {
        let page = extract("<title>某县网格化管理经验 - 某某政法网</title><p>正文。</p>");
        assert_eq!(page.text, "某县网格化管理经验\n正文。");
    }
}
