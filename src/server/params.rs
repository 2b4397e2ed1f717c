//! Query-string parameters → typed values: the search parameters through the one validation
//! (`search::request`, which names them as HTTP spells them), and those of the other routes
//! (compare ids and measures, export and view formats, pivot axes, the similar limit). Input:
//! the raw `(name, value)` pairs of a URL. Output: typed values, or `Error::BadRequest` naming
//! the parameter in plain words. No actix types and no Engine calls.

use crate::render::export::ExportFormat;
use crate::search::pivot::Axis;
use crate::search::request::{last_value, measure_ids};
use crate::search::{Origin, RawRequest, SearchRequest};
use crate::{Error, Result};

/// Most documents one comparison can hold.
pub const MAX_COMPARE: usize = 6;
/// Most documents `GET /api/export` writes.
pub const MAX_EXPORT: usize = 10_000;
/// Default and largest `limit` of `/api/docs/{id}/similar`.
pub const DEFAULT_SIMILAR: usize = 5;
pub const MAX_SIMILAR: usize = 50;

/// Parses a raw query string (`a=1&b=2`) into pairs, percent-decoded.
pub fn pairs(query: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode(name)?, decode(value)?));
    }
    Ok(out)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte, UTF-8 required.
fn decode(raw: &str) -> Result<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                let byte = hex.ok_or_else(|| {
                    Error::bad_request(
                        "网址参数的编码有误（a parameter is not properly URL-encoded）",
                    )
                })?;
                out.push(byte);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| {
        Error::bad_request("网址参数不是有效的 UTF-8 文本（a parameter is not valid UTF-8）")
    })
}

/// The last non-empty value of a single-valued parameter.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    last_value(pairs, name)
}

fn integer<T: std::str::FromStr>(name: &str, value: &str, what: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::bad_request(format!("参数 {name} 应为{what}，收到的是“{value}”")))
}

/// `/api/search` (and every route that takes the search parameters) → the validated
/// `SearchRequest`, through the one validation (`search::request`).
pub fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest> {
    Ok(RawRequest::from_pairs(pairs).validate(Origin::Http)?)
}

/// `rows` and `cols` of `/api/pivot` (default: regions down, measures across).
pub fn pivot_axes(pairs: &[(String, String)]) -> Result<(Axis, Axis)> {
    let axis = |name: &str, default: Axis| {
        single(pairs, name).map_or(Ok(default), |value| Axis::parse(name, value))
    };
    Ok((axis("rows", Axis::Region)?, axis("cols", Axis::Measure)?))
}

/// What `/api/compare` and `/api/precedents` answer with (`format`; JSON by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewFormat {
    Json,
    /// A Word file.
    Docx,
    Csv,
    Md,
}

impl ViewFormat {
    pub fn name(self) -> &'static str {
        match self {
            ViewFormat::Json => "json",
            ViewFormat::Docx => "docx",
            ViewFormat::Csv => "csv",
            ViewFormat::Md => "md",
        }
    }
}

/// `format` of `/api/compare` (json, docx, csv, md) or `/api/precedents` (json, docx): one of
/// `allowed`, JSON when absent.
pub fn view_format(pairs: &[(String, String)], allowed: &[ViewFormat]) -> Result<ViewFormat> {
    ViewFormat::parse(single(pairs, "format"), allowed, "参数 format")
}

impl ViewFormat {
    /// `value` as one of `allowed` (JSON when absent); a message naming the parameter as
    /// `param` (`参数 format`, `--format`) otherwise.
    pub fn parse(value: Option<&str>, allowed: &[ViewFormat], param: &str) -> Result<ViewFormat> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(ViewFormat::Json);
        };
        match allowed.iter().find(|f| f.name() == value) {
            Some(format) => Ok(*format),
            None => {
                let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
                Err(Error::bad_request(format!(
                    "{param} 只能是 {}（docx 为 Word 文件），收到的是“{value}”",
                    names.join("、")
                )))
            }
        }
    }
}

/// `measure=…` of `/api/compare`: the measures whose rows to show (all when none).
pub fn compare_measures(pairs: &[(String, String)]) -> Result<Vec<String>> {
    let values: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "measure")
        .map(|(_, v)| v.clone())
        .collect();
    Ok(measure_ids(&values, Origin::Http)?)
}

/// `ids=A,B[,C…]` of `/api/compare`: 2 to 6 distinct ids.
pub fn compare_ids(pairs: &[(String, String)]) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let all = pairs
        .iter()
        .filter(|(n, _)| n == "ids")
        .flat_map(|(_, value)| value.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty());
    // At most MAX_COMPARE + 1 are looked at: a list of thousands of ids costs nothing.
    for id in all.take(MAX_COMPARE + 1) {
        if ids.iter().any(|seen| seen == id) {
            return Err(Error::bad_request(format!("参数 ids 中“{id}”重复出现了")));
        }
        ids.push(id.to_string());
    }
    if ids.len() < 2 || ids.len() > MAX_COMPARE {
        let got = if ids.len() > MAX_COMPARE {
            format!("收到的多于 {MAX_COMPARE} 个")
        } else {
            format!("收到 {} 个", ids.len())
        };
        return Err(Error::bad_request(format!(
            "参数 ids 应列出 2 到 {MAX_COMPARE} 篇文档的编号（用逗号分隔），{got}"
        )));
    }
    Ok(ids)
}

/// `limit` of `/api/docs/{id}/similar`.
pub fn similar_limit(pairs: &[(String, String)]) -> Result<usize> {
    let Some(v) = single(pairs, "limit") else {
        return Ok(DEFAULT_SIMILAR);
    };
    let what = format!("1 到 {MAX_SIMILAR} 之间的整数");
    let limit: usize = integer("limit", v, &what)?;
    if limit == 0 || limit > MAX_SIMILAR {
        return Err(Error::bad_request(format!(
            "参数 limit 应为{what}，收到的是“{v}”"
        )));
    }
    Ok(limit)
}

/// `format` of `/api/export` (default ndjson).
pub fn export_format(pairs: &[(String, String)]) -> Result<ExportFormat> {
    single(pairs, "format").map_or(Ok(ExportFormat::Ndjson), str::parse)
}

/// A document id as it may appear in a path: short and URL-safe. Anything else cannot exist.
pub fn is_plausible_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<SearchRequest> {
        search_request(&pairs(query)?)
    }

    fn message(query: &str) -> String {
        parse(query).unwrap_err().to_string()
    }

    #[test]
    fn a_url_is_decoded_into_a_validated_request() {
        let r = parse("q=%E8%A7%86%E9%A2%91+%E7%9B%91%E6%8E%A7&region=%E7%94%98%E8%82%83%E7%9C%81/&measure=video&measure=patrol&measure=video&year_from=2019&year_to=2022&page=2&per_page=100&sort=year").unwrap();
        assert_eq!(r.q(), "视频 监控");
        assert_eq!(r.region(), Some("甘肃省"));
        assert_eq!(r.measures(), ["video", "patrol"]);
        assert_eq!((r.page(), r.per_page()), (2, 100));
        assert!(message("per_page=101").contains("参数 per_page"));
        assert!(pairs("q=%E8%A7").and_then(|p| search_request(&p)).is_err());
        assert!(pairs("q=%zz").is_err());
    }

    #[test]
    fn compare_ids_need_two_to_six_distinct() {
        let ids = |q: &str| compare_ids(&pairs(q).unwrap());
        assert_eq!(ids("ids=a,b").unwrap(), vec!["a", "b"]);
        assert_eq!(ids("ids=a&ids=b,c").unwrap(), vec!["a", "b", "c"]);
        assert!(ids("ids=a").is_err());
        assert!(ids("").is_err());
        assert!(ids("ids=a,b,c,d,e,f,g").is_err());
        assert!(ids("ids=a,a").unwrap_err().to_string().contains("重复"));
    }

    #[test]
    fn similar_limit_and_export_format() {
        let limit = |q: &str| similar_limit(&pairs(q).unwrap());
        assert_eq!(limit("").unwrap(), DEFAULT_SIMILAR);
        assert_eq!(limit("limit=3").unwrap(), 3);
        assert!(limit("limit=0").is_err());
        assert!(limit("limit=x").is_err());
        let format = |q: &str| export_format(&pairs(q).unwrap());
        assert_eq!(format("format=csv").unwrap(), ExportFormat::Csv);
        assert_eq!(format("").unwrap(), ExportFormat::Ndjson);
        assert!(
            format("format=xlsx")
                .unwrap_err()
                .to_string()
                .contains("format")
        );
    }

    #[test]
    fn ids_outside_the_url_safe_alphabet_are_not_plausible() {
        assert!(is_plausible_id("1ca011541b0c7cdb"));
        assert!(!is_plausible_id("../etc/passwd"));
        assert!(!is_plausible_id(""));
        assert!(!is_plausible_id("<script>"));
    }
}
