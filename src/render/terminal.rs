//! Terminal text: a snippet's spans (a marked run bold yellow on a terminal, 【…】
//! elsewhere), a region as `--region` takes it, and [`printable`], the one escape every line
//! zhili prints applies to file names, titles and error messages.

use std::borrow::Cow;
use std::io::IsTerminal;

use crate::model::Region;
use crate::search::types::Span;

/// `text` with control characters (newline, ESC, …), line separators and bidirectional
/// overrides shown as Rust escapes (`\n`, `\u{1b}`), so that a file name can neither break a
/// line of zhili's output nor send commands to the terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if needs_escape(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub(crate) fn snippet_for_terminal(spans: &[Span]) -> String {
    let (open, close) = if std::io::stdout().is_terminal() {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("【", "】")
    };
    let mut out = String::new();
    for span in spans {
        let text = span.text.replace('\n', " ");
        if span.mark {
            out.push_str(&format!("{open}{text}{close}"));
        } else {
            out.push_str(&text);
        }
    }
    out
}

/// A region as `--region` takes it (`甘肃省/张掖市`), or `地区不详`.
pub(crate) fn region_path(region: &Region) -> String {
    region
        .path
        .clone()
        .unwrap_or_else(|| "地区不详".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("案例/a b.txt"), "案例/a b.txt");
        assert_eq!(
            printable("x\n\u{1b}[31my\u{202e}.txt\t"),
            "x\\n\\u{1b}[31my\\u{202e}.txt\\t"
        );
    }

    #[test]
    fn a_snippet_is_one_line_with_its_marks_bracketed() {
        let spans = crate::search::snippet::spans("a &amp;lt;\nb <mark>视频</mark>");
        assert_eq!(snippet_for_terminal(&spans), "a &lt; b 【视频】");
    }
}
