//! Query-string parameters → validated requests (`SearchRequest`, compare ids, export format,
//! similar limit). Input: the raw `(name, value)` pairs of a URL. Output: typed values, or
//! `Error::BadRequest` naming the parameter in plain words. No actix types and no Engine calls.

use crate::model::Added;
use crate::search::export::ExportFormat;
use crate::search::pivot::Axis;
use crate::search::{MAX_PER_PAGE, MAX_QUERY_CHARS, MeasureMatch, SearchRequest, SortOrder};
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

/// Most documents one comparison can hold.
pub const MAX_COMPARE: usize = 6;
/// Most documents `GET /api/export` writes.
pub const MAX_EXPORT: usize = 10_000;
/// Deepest result a search can page to (page × per_page).
pub const MAX_RESULT_DEPTH: usize = 10_000;
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

/// Every `measure` value, repeated or comma-separated, not yet checked.
fn measure_values(pairs: &[(String, String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(n, v)| n == "measure" && !v.trim().is_empty())
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The last non-empty value of a single-valued parameter.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, v)| n == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

fn integer<T: std::str::FromStr>(name: &str, value: &str, what: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::bad_request(format!("参数 {name} 应为{what}，收到的是“{value}”")))
}

/// `/api/search` and `/api/export` parameters → a validated `SearchRequest`.
pub fn search_request(pairs: &[(String, String)]) -> Result<SearchRequest> {
    let mut request = SearchRequest::new(single(pairs, "q").unwrap_or(""));
    request.region = single(pairs, "region").map(str::to_string);
    request.measures = measure_values(pairs);
    if let Some(v) = single(pairs, "measure_match") {
        request.measure_match = match v {
            "any" => MeasureMatch::Any,
            "all" => MeasureMatch::All,
            other => {
                return Err(Error::bad_request(format!(
                    "参数 measure_match 只能是 any（任一措施）或 all（全部措施），收到的是“{other}”"
                )));
            }
        };
    }
    if let Some(v) = single(pairs, "year_from") {
        request.year_from = Some(integer("year_from", v, "年份（如 2020）")?);
    }
    if let Some(v) = single(pairs, "year_to") {
        request.year_to = Some(integer("year_to", v, "年份（如 2023）")?);
    }
    if let Some(v) = single(pairs, "added_from") {
        request.added_from = Some(Added::day_start(v).ok_or_else(|| {
            Error::bad_request(format!(
                "参数 added_from 应为日期，如“2026-12-01”，收到的是“{v}”"
            ))
        })?);
    }
    if let Some(v) = single(pairs, "page") {
        request.page = integer("page", v, "从 1 开始的页码")?;
    }
    if let Some(v) = single(pairs, "per_page") {
        request.per_page = integer("per_page", v, &format!("1 到 {MAX_PER_PAGE} 之间的整数"))?;
    }
    if let Some(v) = single(pairs, "sort") {
        request.sort = match v {
            "relevance" => SortOrder::Relevance,
            "year" => SortOrder::Year,
            "added" => SortOrder::Added,
            other => {
                return Err(Error::bad_request(format!(
                    "参数 sort 只能是 relevance（相关度）、year（年份）或 added（收录时间），收到的是“{other}”"
                )));
            }
        };
    }
    check(&mut request)?;
    Ok(request)
}

/// Validates and normalises a request built by hand (the CLI's filters): trims the query
/// and region, drops duplicate measures, checks ranges and measure ids.
pub fn check(request: &mut SearchRequest) -> Result<()> {
    request.q = request.q.trim().to_string();
    if request.q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::bad_request(format!(
            "检索词太长：最多 {MAX_QUERY_CHARS} 个字（parameter q is too long）"
        )));
    }
    if let Some(region) = &request.region {
        let trimmed = region.trim().trim_matches('/').to_string();
        if trimmed.chars().count() > 100 || trimmed.contains("//") {
            return Err(Error::bad_request(format!(
                "参数 region 应为地区路径，如“甘肃省/张掖市”，收到的是“{region}”"
            )));
        }
        request.region = (!trimmed.is_empty()).then_some(trimmed);
    }
    check_measures(&mut request.measures)?;
    check_years(request.year_from, request.year_to)?;
    if request.page == 0 {
        return Err(Error::bad_request(
            "参数 page 应为从 1 开始的页码，收到的是“0”",
        ));
    }
    if request.per_page == 0 || request.per_page > MAX_PER_PAGE {
        return Err(Error::bad_request(format!(
            "参数 per_page 应为 1 到 {MAX_PER_PAGE} 之间的整数，收到的是“{}”",
            request.per_page
        )));
    }
    if request.page.saturating_mul(request.per_page) > MAX_RESULT_DEPTH {
        return Err(Error::bad_request(format!(
            "参数 page 太大：最多只能翻到第 {MAX_RESULT_DEPTH} 条结果，请缩小检索范围"
        )));
    }
    Ok(())
}

fn check_measures(measures: &mut Vec<String>) -> Result<()> {
    let taxonomy = Taxonomy::get();
    let mut seen = Vec::new();
    for id in measures.drain(..) {
        if taxonomy.measure(&id).is_none() {
            return Err(Error::bad_request(format!(
                "参数 measure 中的措施类型“{id}”不存在（见 /api/measures）"
            )));
        }
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    *measures = seen;
    Ok(())
}

fn check_years(from: Option<i32>, to: Option<i32>) -> Result<()> {
    for (name, year) in [("year_from", from), ("year_to", to)] {
        if let Some(y) = year
            && !(1000..=9999).contains(&y)
        {
            return Err(Error::bad_request(format!(
                "参数 {name} 应为四位数的年份，收到的是“{y}”"
            )));
        }
    }
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Error::bad_request(format!(
            "起始年份 year_from（{f}）不能晚于结束年份 year_to（{t}）"
        )));
    }
    Ok(())
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
/// `allowed`, JSON when absent. `zhili compare --format` passes its value as `format`.
pub fn view_format(pairs: &[(String, String)], allowed: &[ViewFormat]) -> Result<ViewFormat> {
    let Some(value) = single(pairs, "format") else {
        return Ok(ViewFormat::Json);
    };
    match allowed.iter().find(|f| f.name() == value) {
        Some(format) => Ok(*format),
        None => {
            let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
            Err(Error::bad_request(format!(
                "参数 format 只能是 {}（docx 为 Word 文件），收到的是“{value}”",
                names.join("、")
            )))
        }
    }
}

/// `measure=…` of `/api/compare`: the measures whose rows to show (all when none).
pub fn compare_measures(pairs: &[(String, String)]) -> Result<Vec<String>> {
    let mut measures = measure_values(pairs);
    check_measures(&mut measures)?;
    Ok(measures)
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
    fn full_request_is_parsed_and_normalised() {
        let r = parse("q=%E8%A7%86%E9%A2%91+%E7%9B%91%E6%8E%A7&region=%E7%94%98%E8%82%83%E7%9C%81/&measure=video&measure=patrol&measure=video&year_from=2019&year_to=2022&page=2&per_page=100&sort=year").unwrap();
        assert_eq!(r.q, "视频 监控");
        assert_eq!(r.region.as_deref(), Some("甘肃省"));
        assert_eq!(r.measures, vec!["video", "patrol"]);
        assert_eq!((r.year_from, r.year_to), (Some(2019), Some(2022)));
        assert_eq!((r.page, r.per_page, r.sort), (2, 100, SortOrder::Year));
    }

    #[test]
    fn empty_values_mean_absent() {
        let r = parse("q=&region=&year_from=&page=&measure=").unwrap();
        assert_eq!(r, SearchRequest::new(""));
    }

    #[test]
    fn every_bad_value_names_its_parameter() {
        for (query, name) in [
            ("page=0", "page"),
            ("page=abc", "page"),
            ("page=-1", "page"),
            ("per_page=101", "per_page"),
            ("per_page=0", "per_page"),
            ("sort=date", "sort"),
            ("year_from=twenty", "year_from"),
            ("added_from=2026-13-01", "added_from"),
            ("added_from=yesterday", "added_from"),
            ("year_to=99999", "year_to"),
            ("year_from=2022&year_to=2020", "year_from"),
            ("measure=nonsense", "measure"),
            ("page=999999999999999999999", "page"),
            ("page=200&per_page=100", "page"),
        ] {
            assert!(message(query).contains(name), "{query}: {}", message(query));
        }
        assert!(pairs("q=%E8%A7").and_then(|p| search_request(&p)).is_err());
        assert!(pairs("q=%zz").is_err());
        let long = format!("q={}", "治".repeat(MAX_QUERY_CHARS + 1));
        assert!(message(&long).contains('q'));
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
