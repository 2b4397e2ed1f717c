//! Turning the API's HTML snippets into terminal text: `<mark>` becomes bold yellow on a
//! terminal and 【…】 elsewhere; entities are unescaped.

use std::io::IsTerminal;

pub(crate) fn snippet_for_terminal(html: &str) -> String {
    let (open, close) = if std::io::stdout().is_terminal() {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let one_line = html.replace('\n', " ");
    unescape(&one_line.replace("<mark>", open).replace("</mark>", close))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_unescaped_once() {
        assert_eq!(unescape("a &amp;lt; b &lt;c&gt;"), "a &lt; b <c>");
    }
}
