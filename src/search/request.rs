//! The one search request. What the user typed (`RawRequest`: strings from the command line or
//! a URL) is parsed and validated once, here, into a `SearchRequest` whose private fields can
//! only hold valid values (the region resolved as people write it: 江苏 → 江苏省). Search,
//! export, pivot, precedents, the feed and bench all take a `SearchRequest`, so none of them
//! checks again. Each problem is one `RequestError`, whose message (in Chinese, as the page
//! and the API speak) names the parameter as the user wrote it: `--limit` on the command line,
//! `per_page` over HTTP.

use std::fmt;

use crate::model::Added;
use crate::taxonomy::Taxonomy;

use super::regions::{self, Ambiguous};
use super::types::{DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS, MeasureMatch, SortOrder};

/// How deep a page may go: `page × per_page` at most this many results.
pub const MAX_RESULT_DEPTH: usize = 10_000;
/// Longest region path accepted, in characters.
const MAX_REGION_CHARS: usize = 100;

/// Where a request came from: it decides how parameters are named in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `zhili search`, `export`, `bench`: `--limit`, `--year-from`, …
    Cli,
    /// The HTTP API and the page: `per_page`, `year_from`, …
    Http,
}

/// A search parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Q,
    Region,
    Measure,
    MeasureMatch,
    YearFrom,
    YearTo,
    AddedFrom,
    Page,
    PerPage,
    Sort,
}

impl Param {
    /// The parameter as the user writes it.
    pub fn name(self, origin: Origin) -> &'static str {
        let (cli, http) = match self {
            Param::Q => ("QUERY", "q"),
            Param::Region => ("--region", "region"),
            Param::Measure => ("--measure", "measure"),
            Param::MeasureMatch => ("--measure-match", "measure_match"),
            Param::YearFrom => ("--year-from", "year_from"),
            Param::YearTo => ("--year-to", "year_to"),
            Param::AddedFrom => ("--added-from", "added_from"),
            Param::Page => ("--page", "page"),
            Param::PerPage => ("--limit", "per_page"),
            Param::Sort => ("--sort", "sort"),
        };
        match origin {
            Origin::Cli => cli,
            Origin::Http => http,
        }
    }
}

/// What is wrong with one parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The query is longer than `max` characters.
    QueryTooLong {
        max: usize,
    },
    /// Not what `expected` describes (a number, a date, one of some words).
    Invalid {
        value: String,
        expected: String,
    },
    UnknownMeasure {
        id: String,
    },
    /// A region path with an empty level (`甘肃省//张掖市`).
    BadRegion {
        value: String,
    },
    /// A region name of several places at the same level.
    AmbiguousRegion(Ambiguous),
    /// `year_from` after `year_to`.
    YearsReversed {
        from: i32,
        to: i32,
    },
    /// `page × per_page` past `MAX_RESULT_DEPTH`.
    TooDeep,
}

/// One problem with a request, naming the parameter as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub param: Param,
    pub origin: Origin,
    pub problem: Problem,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.param.name(self.origin);
        let label = match self.origin {
            Origin::Http => format!("参数 {name}"),
            Origin::Cli => name.to_string(),
        };
        match &self.problem {
            Problem::QueryTooLong { max } => {
                write!(f, "检索词太长：最多 {max} 个字（{name} is too long）")
            }
            Problem::Invalid { value, expected } => {
                write!(f, "{label} 应为{expected}，收到的是“{value}”")
            }
            Problem::UnknownMeasure { id } => {
                write!(f, "{label} 中的措施类型“{id}”不存在（见 /api/measures）")
            }
            Problem::BadRegion { value } => {
                write!(
                    f,
                    "{label} 应为地区路径，如“甘肃省/张掖市”，收到的是“{value}”"
                )
            }
            Problem::AmbiguousRegion(a) => write!(
                f,
                "{label} 的“{}”有多处：{}{}，请写出上级地区，如“{}”（{name} {:?} is ambiguous）",
                a.part,
                a.places.join("、"),
                if a.more { "等" } else { "" },
                a.places[0],
                a.region
            ),
            Problem::YearsReversed { from, to } => write!(
                f,
                "起始年份 {name}（{from}）不能晚于结束年份 {}（{to}）",
                Param::YearTo.name(self.origin)
            ),
            Problem::TooDeep => write!(
                f,
                "{label} 太大：最多只能翻到第 {MAX_RESULT_DEPTH} 条结果，请缩小检索范围"
            ),
        }
    }
}

impl std::error::Error for RequestError {}

impl From<RequestError> for crate::Error {
    fn from(err: RequestError) -> crate::Error {
        crate::Error::bad_request(err.to_string())
    }
}

/// The search parameters as the user gave them: text, not yet checked. An empty value
/// counts as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRequest {
    pub q: Option<String>,
    pub region: Option<String>,
    /// Repeated, or comma-separated.
    pub measures: Vec<String>,
    pub measure_match: Option<String>,
    pub year_from: Option<String>,
    pub year_to: Option<String>,
    pub added_from: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub sort: Option<String>,
}

impl RawRequest {
    /// The search parameters of a URL's `(name, value)` pairs: the last non-empty value of
    /// each, every `measure`.
    pub fn from_pairs(pairs: &[(String, String)]) -> RawRequest {
        let single = |name: &str| last_value(pairs, name).map(str::to_string);
        RawRequest {
            q: single("q"),
            region: single("region"),
            measures: pairs
                .iter()
                .filter(|(n, _)| n == "measure")
                .map(|(_, v)| v.clone())
                .collect(),
            measure_match: single("measure_match"),
            year_from: single("year_from"),
            year_to: single("year_to"),
            added_from: single("added_from"),
            page: single("page"),
            per_page: single("per_page"),
            sort: single("sort"),
        }
    }

    /// The request, checked; the first problem found otherwise.
    pub fn validate(&self, origin: Origin) -> Result<SearchRequest, RequestError> {
        let err = |param: Param, problem: Problem| RequestError {
            param,
            origin,
            problem,
        };
        let invalid = |param: Param, value: &str, expected: &str| {
            err(
                param,
                Problem::Invalid {
                    value: value.to_string(),
                    expected: expected.to_string(),
                },
            )
        };
        let present = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let q = present(&self.q).unwrap_or_default();
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(err(
                Param::Q,
                Problem::QueryTooLong {
                    max: MAX_QUERY_CHARS,
                },
            ));
        }
        let region = match present(&self.region) {
            Some(region) => resolve_region(&region).map_err(|p| err(Param::Region, p))?,
            None => None,
        };
        let measures = measure_ids(&self.measures, origin)?;
        let measure_match = match present(&self.measure_match).as_deref() {
            None | Some("any") => MeasureMatch::Any,
            Some("all") => MeasureMatch::All,
            Some(other) => {
                let expected = "any（任一措施）或 all（全部措施）";
                return Err(invalid(Param::MeasureMatch, other, expected));
            }
        };
        let year = |param: Param, value: &Option<String>| -> Result<Option<i32>, RequestError> {
            let Some(value) = present(value) else {
                return Ok(None);
            };
            match value.parse::<i32>() {
                Ok(y) if (1000..=9999).contains(&y) => Ok(Some(y)),
                _ => Err(invalid(param, &value, "四位数的年份（如 2020）")),
            }
        };
        let year_from = year(Param::YearFrom, &self.year_from)?;
        let year_to = year(Param::YearTo, &self.year_to)?;
        if let (Some(from), Some(to)) = (year_from, year_to)
            && from > to
        {
            return Err(err(Param::YearFrom, Problem::YearsReversed { from, to }));
        }
        let added_from = match present(&self.added_from) {
            Some(day) => Some(
                Added::day_start(&day)
                    .ok_or_else(|| invalid(Param::AddedFrom, &day, "日期，如“2026-12-01”"))?,
            ),
            None => None,
        };
        let count =
            |param: Param, value: &Option<String>, default: usize, max: usize, what: &str| {
                let Some(value) = present(value) else {
                    return Ok(default);
                };
                match value.parse::<usize>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(invalid(param, &value, what)),
                }
            };
        let page = count(Param::Page, &self.page, 1, usize::MAX, "从 1 开始的页码")?;
        let per_page = count(
            Param::PerPage,
            &self.per_page,
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
            &format!("1 到 {MAX_PER_PAGE} 之间的整数"),
        )?;
        if page.saturating_mul(per_page) > MAX_RESULT_DEPTH {
            return Err(err(Param::Page, Problem::TooDeep));
        }
        let sort = match present(&self.sort).as_deref() {
            None | Some("relevance") => SortOrder::Relevance,
            Some("year") => SortOrder::Year,
            Some("added") => SortOrder::Added,
            Some(other) => {
                let expected = "relevance（相关度）、year（年份）或 added（收录时间）";
                return Err(invalid(Param::Sort, other, expected));
            }
        };
        Ok(SearchRequest {
            q,
            region,
            measures,
            measure_match,
            year_from,
            year_to,
            added_from,
            page,
            per_page,
            sort,
        })
    }
}

/// The last non-empty value of the parameter `name` among a URL's pairs, trimmed.
pub(crate) fn last_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, v)| n == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// A region as written → its full path (`None` for `/`); a path with an empty level, or too
/// long, or a name of several places, is a problem.
fn resolve_region(region: &str) -> Result<Option<String>, Problem> {
    let trimmed = region.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > MAX_REGION_CHARS || trimmed.split('/').any(|p| p.trim().is_empty())
    {
        return Err(Problem::BadRegion {
            value: region.to_string(),
        });
    }
    regions::resolve(trimmed)
        .map(Some)
        .map_err(Problem::AmbiguousRegion)
}

/// Measure ids (repeated or comma-separated values), each a measure of the taxonomy, without
/// repeats, in the order given.
pub fn measure_ids(values: &[String], origin: Origin) -> Result<Vec<String>, RequestError> {
    let taxonomy = Taxonomy::get();
    let mut ids: Vec<String> = Vec::new();
    for id in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if id.is_empty() || ids.iter().any(|known| known == id) {
            continue;
        }
        if taxonomy.measure(id).is_none() {
            return Err(RequestError {
                param: Param::Measure,
                origin,
                problem: Problem::UnknownMeasure { id: id.to_string() },
            });
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// A valid search: made by `RawRequest::validate` (or `SearchRequest::new` for a query with no
/// filters); read through its getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    q: String,
    /// Full region path, resolved.
    region: Option<String>,
    measures: Vec<String>,
    measure_match: MeasureMatch,
    year_from: Option<i32>,
    year_to: Option<i32>,
    added_from: Option<Added>,
    page: usize,
    per_page: usize,
    sort: SortOrder,
}

impl SearchRequest {
    /// `q` on the first page, by relevance, with no filters (`q` is taken as it is: a query
    /// longer than the API accepts still searches).
    pub fn new(q: impl Into<String>) -> SearchRequest {
        SearchRequest {
            q: q.into().trim().to_string(),
            region: None,
            measures: Vec::new(),
            measure_match: MeasureMatch::Any,
            year_from: None,
            year_to: None,
            added_from: None,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            sort: SortOrder::Relevance,
        }
    }

    pub fn q(&self) -> &str {
        &self.q
    }

    /// The region path prefix, in full (`甘肃省/张掖市`).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    pub fn measures(&self) -> &[String] {
        &self.measures
    }

    pub fn measure_match(&self) -> MeasureMatch {
        self.measure_match
    }

    pub fn year_from(&self) -> Option<i32> {
        self.year_from
    }

    pub fn year_to(&self) -> Option<i32> {
        self.year_to
    }

    pub fn added_from(&self) -> Option<Added> {
        self.added_from
    }

    /// From 1.
    pub fn page(&self) -> usize {
        self.page
    }

    pub fn per_page(&self) -> usize {
        self.per_page
    }

    pub fn sort(&self) -> SortOrder {
        self.sort
    }

    /// The same search on another page (`page` from 1, `per_page` up to `MAX_PER_PAGE`): what
    /// export, precedents and the feed page through.
    pub fn paged(&self, page: usize, per_page: usize) -> SearchRequest {
        SearchRequest {
            page: page.max(1),
            per_page: per_page.clamp(1, MAX_PER_PAGE),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawRequest {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        RawRequest::from_pairs(&pairs)
    }

    #[test]
    fn a_full_request_is_parsed_and_normalised() {
        let r = raw(&[
            ("q", " 视频 监控 "),
            ("region", "甘肃/"),
            ("measure", "video,patrol"),
            ("measure", "video"),
            ("year_from", "2019"),
            ("year_to", "2022"),
            ("added_from", "2026-12-01"),
            ("page", "2"),
            ("per_page", "100"),
            ("sort", "year"),
            ("measure_match", "all"),
        ])
        .validate(Origin::Http)
        .unwrap();
        assert_eq!(r.q(), "视频 监控");
        assert_eq!(r.region(), Some("甘肃省"));
        assert_eq!(r.measures(), ["video", "patrol"]);
        assert_eq!(r.measure_match(), MeasureMatch::All);
        assert_eq!((r.year_from(), r.year_to()), (Some(2019), Some(2022)));
        assert_eq!(r.added_from(), Added::day_start("2026-12-01"));
        assert_eq!(
            (r.page(), r.per_page(), r.sort()),
            (2, 100, SortOrder::Year)
        );
        let empty = raw(&[("q", ""), ("region", "/"), ("page", " "), ("measure", "")]);
        assert_eq!(
            empty.validate(Origin::Http).unwrap(),
            SearchRequest::new("")
        );
    }

    #[test]
    fn every_problem_names_its_parameter_as_the_user_wrote_it() {
        let long = "治".repeat(MAX_QUERY_CHARS + 1);
        let cases: &[(&str, &str, &str, &str)] = &[
            ("q", &long, "q", "QUERY"),
            ("region", "甘肃省//张掖市", "region", "--region"),
            ("region", "鼓楼区", "region", "--region"),
            ("measure", "nonsense", "measure", "--measure"),
            ("measure_match", "most", "measure_match", "--measure-match"),
            ("year_from", "0", "year_from", "--year-from"),
            ("year_to", "20222", "year_to", "--year-to"),
            ("added_from", "2026-13-01", "added_from", "--added-from"),
            ("page", "0", "page", "--page"),
            ("page", "100000", "page", "--page"),
            ("per_page", "200", "per_page", "--limit"),
            ("sort", "newest", "sort", "--sort"),
        ];
        for (name, value, http, cli) in cases {
            let request = raw(&[(name, value)]);
            let over_http = request.validate(Origin::Http).unwrap_err().to_string();
            let typed = request.validate(Origin::Cli).unwrap_err().to_string();
            assert!(
                over_http.contains(http) && !over_http.contains(cli),
                "{over_http}"
            );
            assert!(typed.contains(cli), "{typed}");
        }
        let reversed = raw(&[("year_from", "2023"), ("year_to", "2020")]);
        let message = reversed.validate(Origin::Cli).unwrap_err().to_string();
        assert!(message.contains("--year-from（2023）") && message.contains("--year-to（2020）"));
    }
}
