//! Request and response bodies of the search API (spec/api.md). Data only.

use serde::{Deserialize, Serialize};

use crate::model::{Added, Region, Source, Version};

pub use super::request::SearchRequest;

pub const DEFAULT_PER_PAGE: usize = 10;
pub const MAX_PER_PAGE: usize = 100;
/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Relevance,
    Year,
    /// Newest first by when the document was first indexed.
    Added,
}

/// How several `measure` values combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureMatch {
    /// A document with any of them (OR).
    #[default]
    Any,
    /// A document with all of them (AND).
    All,
}

/// A run of a snippet's or passage's text, `mark`ed when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub mark: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitPassage {
    pub measures: Vec<String>,
    /// HTML: escaped text with `<mark>` around matches.
    pub text: String,
    /// `text` unescaped, as marked and unmarked runs.
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub score: f32,
    pub region: Region,
    pub year: Option<i32>,
    pub years_mentioned: Vec<i32>,
    pub measures: Vec<String>,
    pub source: Source,
    /// When the document was first indexed.
    pub added: Option<Added>,
    /// Other versions of the same text, newest first (the hit is the newest).
    pub versions: Vec<Version>,
    /// HTML: escaped text with `<mark>` around matches.
    pub snippet: String,
    /// `snippet` unescaped, as marked and unmarked runs.
    pub snippet_spans: Vec<Span>,
    pub passages: Vec<HitPassage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount<T> {
    pub value: T,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureCount {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Children of the selected region path (provinces when none is selected).
    pub region: Vec<FacetCount<String>>,
    /// Matching documents without a region (counted as `region` is).
    pub region_unknown: u64,
    pub measure: Vec<MeasureCount>,
    pub year: Vec<FacetCount<i32>>,
    /// Matching documents without a year (counted as `year` is).
    pub year_unknown: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub total: u64,
    pub page: usize,
    pub per_page: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    /// The query words that did not have to match for the lower part of the results (empty
    /// when every word matched in every hit).
    pub relaxed: Vec<String>,
    /// How many of the `total` results hold every word (they come first); equal to `total`
    /// when `relaxed` is empty.
    pub complete: u64,
    pub facets: Facets,
}
