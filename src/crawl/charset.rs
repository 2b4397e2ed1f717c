//! Crawl stage, charset: HTML bytes → text, and the UTF-8 copy the corpus stores.
//!
//! Input: the body and the HTTP `Content-Type`. Output: the decoded text and the charset's name.
//! Order: byte-order mark, HTTP header, `<meta charset>` / `http-equiv`, then detection
//! (chardetng). GBK and GB2312 decode as GB18030, their superset.

use std::sync::LazyLock;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};
use regex::Regex;
use regex::bytes::Regex as BytesRegex;

/// A decoded page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Lowercase WHATWG name of the charset the bytes were in (`utf-8`, `gbk`, …).
    pub charset: String,
}

static META_CHARSET: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)"#).expect("regex")
});

/// Decodes HTML bytes; `Err` names the problem when the bytes are not text in any charset tried.
pub fn decode_html(body: &[u8], content_type: Option<&str>) -> Result<Decoded, String> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        return finish(encoding, &body[bom_len..], true);
    }
    let declared = content_type
        .and_then(header_charset)
        .or_else(|| meta_charset(body));
    let detected = || detect(body);
    match declared {
        Some(encoding) => match finish(encoding, body, false) {
            Ok(decoded) => Ok(decoded),
            // A wrong label is common (UTF-8 pages that say gb2312): trust the bytes instead.
            Err(first) => match detected() {
                guess if guess != encoding => finish(guess, body, false).map_err(|_| first),
                _ => Err(first),
            },
        },
        None => finish(detected(), body, false),
    }
}

fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(4096)];
    let label = META_CHARSET.captures(head)?.get(1)?.as_bytes();
    // A page that says UTF-16 in a meta tag cannot be ASCII-compatible; the spec reads it as UTF-8.
    Encoding::for_label(label).map(|enc| enc.output_encoding())
}

fn detect(body: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(body, true);
    detector.guess(Some(b"cn"), Utf8Detection::Allow)
}

/// Decodes, accepting a handful of bad bytes (real pages have them) but not a wrong charset.
fn finish(encoding: &'static Encoding, bytes: &[u8], bom: bool) -> Result<Decoded, String> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let name = encoding.name().to_ascii_lowercase();
    if had_errors && !bom {
        let bad = text.chars().filter(|c| *c == '\u{FFFD}').count();
        let total = text.chars().count().max(1);
        if bad * 200 > total {
            return Err(format!(
                "bad charset: {bad} of {total} characters are not valid {name}"
            ));
        }
    }
    Ok(Decoded {
        text: text.into_owned(),
        charset: name,
    })
}

static META_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*[a-z0-9_.:\-]+["']?[^>]*>"#).expect("regex")
});
static HEAD_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<head(\s[^>]*)?>").expect("regex"));

/// The page as UTF-8 with its charset declaration saying so (what the corpus stores).
pub fn to_utf8_html(text: &str) -> String {
    let meta = r#"<meta charset="utf-8">"#;
    if META_TAG.is_match(text) {
        return META_TAG.replace_all(text, meta).into_owned();
    }
    match HEAD_OPEN.find(text) {
        Some(head) => format!("{}{meta}{}", &text[..head.end()], &text[head.end()..]),
        None => format!("{meta}\n{text}"),
    }
}

/// Whether a `<meta>` in the first 4 KB names a charset other than UTF-8.
pub(crate) fn meta_declares_non_utf8(body: &[u8]) -> bool {
    meta_charset(body).is_some_and(|encoding| encoding != UTF_8)
}

/// Whether bytes are already what [`to_utf8_html`] would store (UTF-8 saying UTF-8 or nothing).
pub(crate) fn is_utf8(encoding_name: &str) -> bool {
    Encoding::for_label(encoding_name.as_bytes()) == Some(UTF_8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_without_any_declaration_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK
            .encode("<p>甘肃省张掖市临泽县推进网格化服务管理，群众满意度明显提升。</p>");
        let decoded = decode_html(&bytes, Some("text/html")).unwrap();
        assert!(decoded.text.contains("网格化服务管理"), "{}", decoded.text);
        assert_eq!(decoded.charset, "gbk");
    }

    #[test]
    fn meta_charset_is_rewritten_to_utf8() {
        let html = r#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head></html>"#;
        let out = to_utf8_html(html);
        assert!(
            out.contains(r#"<meta charset="utf-8">"#) && !out.contains("gb2312"),
            "{out}"
        );
        let bare = to_utf8_html("<html><head><title>t</title></head></html>");
        assert!(
            bare.starts_with(r#"<html><head><meta charset="utf-8"><title>"#),
            "{bare}"
        );
    }

    #[test]
    fn a_wrong_charset_label_is_overruled_by_the_bytes() {
        let page = "<html><head><title>综治中心</title></head><body><p>高台县整合人民调解、行政调解、司法调解力量，建立矛盾纠纷调处化解中心。</p></body></html>";
        let (bytes, _, _) = encoding_rs::GBK.encode(page);
        let decoded = decode_html(&bytes, Some("text/html; charset=utf-8")).unwrap();
        assert_eq!(decoded.charset, "gbk");
        assert!(
            decoded.text.contains("矛盾纠纷调处化解中心"),
            "{}",
            decoded.text
        );
    }
}
