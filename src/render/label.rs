//! How zhili names what it found, in the words people write: a region (`甘肃省张掖市临泽县`,
//! `地区不详`), a year (`2022年`, `年份不详`), measure labels (`网格化管理、矛盾纠纷化解`) and a
//! citation. Depends only on the hand-off types and the taxonomy, so that `search` can put
//! the same labels and citations into its responses that every export prints.

use crate::model::{CaseDoc, Region, Source};
use crate::search::Hit;
use crate::search::compare::CompareDoc;
use crate::taxonomy::Taxonomy;

use super::table::md_escape;

/// A region as people write it: `甘肃省张掖市临泽县`, or `地区不详`.
pub fn region_label(r: &Region) -> String {
    let text: String = [&r.province, &r.city, &r.county]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if text.is_empty() {
        "地区不详".to_string()
    } else {
        text
    }
}

/// `2022年`, or `年份不详`.
pub fn year_label(year: Option<i32>) -> String {
    year.map_or("年份不详".to_string(), |y| format!("{y}年"))
}

/// Where a document came from: its address, or its file's path.
pub(crate) fn source_text(doc: &CaseDoc) -> &str {
    doc.source.url.as_deref().unwrap_or(&doc.source.path)
}

/// The page's address when it is a web address (a crawled page), never a local path.
fn web_address(source: &Source) -> Option<&str> {
    source
        .url
        .as_deref()
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

/// A measure id's label (`grid` → `网格化管理`; an unknown id as itself).
pub fn measure_label(id: &str) -> &str {
    Taxonomy::get().label(id).unwrap_or(id)
}

/// Measure ids as their labels, `、`-separated.
pub fn measure_labels(ids: &[String]) -> String {
    let labels: Vec<&str> = ids.iter().map(|id| measure_label(id)).collect();
    labels.join("、")
}

/// One reference in a GB/T 7714-like form: issuing body, title with its type (`[EB/OL]` for a
/// web page, `[Z]` otherwise), place and date, and the address of a web page; never a local
/// path. `临泽县融媒体中心. 临泽县推行“四议两公开”工作法[EB/OL]. 甘肃省张掖市临泽县, 2023-06-01.
/// http://…`
pub fn citation(doc: &CaseDoc) -> String {
    citation_of(Cited::from(doc))
}

/// What a citation is made of: a document, or a search hit.
#[derive(Debug, Clone, Copy)]
pub struct Cited<'a> {
    pub title: &'a str,
    pub region: &'a Region,
    pub year: Option<i32>,
    pub source: &'a Source,
}

impl<'a> From<&'a CaseDoc> for Cited<'a> {
    fn from(doc: &'a CaseDoc) -> Cited<'a> {
        Cited {
            title: &doc.title,
            region: &doc.region,
            year: doc.year,
            source: &doc.source,
        }
    }
}

impl<'a> From<&'a CompareDoc> for Cited<'a> {
    fn from(doc: &'a CompareDoc) -> Cited<'a> {
        Cited {
            title: &doc.title,
            region: &doc.region,
            year: doc.year,
            source: &doc.source,
        }
    }
}

impl<'a> From<&'a Hit> for Cited<'a> {
    fn from(hit: &'a Hit) -> Cited<'a> {
        Cited {
            title: &hit.title,
            region: &hit.region,
            year: hit.year,
            source: &hit.source,
        }
    }
}

/// The citation of a document or a hit, as `citation` writes it.
pub fn citation_of(cited: Cited<'_>) -> String {
    citation_with(cited, str::to_string, |url| url.to_string())
}

/// The citation with its texts passed through `text` and its web address through `link`.
fn citation_with(doc: Cited<'_>, text: fn(&str) -> String, link: fn(&str) -> String) -> String {
    let publisher = doc
        .source
        .publisher
        .as_deref()
        .map(|p| format!("{}. ", text(p.trim())))
        .unwrap_or_default();
    let kind = if web_address(doc.source).is_some() {
        "EB/OL"
    } else {
        "Z"
    };
    let date = doc
        .source
        .published
        .clone()
        .or_else(|| doc.year.map(|y| y.to_string()))
        .unwrap_or_else(|| "年份不详".to_string());
    let address = web_address(doc.source)
        .map(|u| format!(" {}", link(u)))
        .unwrap_or_default();
    format!(
        "{publisher}{}[{kind}]. {}, {date}.{address}",
        text(doc.title.trim()),
        text(&region_label(doc.region))
    )
}

/// A citation in Markdown: texts escaped, the web address as a link.
pub(crate) fn md_citation(cited: Cited<'_>) -> String {
    citation_with(cited, md_escape, |url| {
        format!("<{}>", url.replace(['<', '>', ' '], ""))
    })
}
