//! Precedents by place (`GET /api/precedents`): the best-ranked matching documents grouped by
//! the place they are about: the city, or the province when no city is known, and one group
//! for documents that name no place, last. Groups come in the order of their best document;
//! each document brings its year, its citation and its best passage. Input: the hits of a
//! search (`engine`). Output: `Precedents`, data only.

use serde::{Deserialize, Serialize};

use super::types::{Hit, SearchResponse, Span};
use crate::model::Region;
use crate::render::label::{Cited, citation_of, region_label};

/// How many of the best-ranked documents are grouped (a search's largest page).
pub const MAX_DOCS: usize = super::types::MAX_PER_PAGE;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecedentDoc {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
    /// The document's own region (a county, say, inside the group's city).
    pub region: Region,
    pub measures: Vec<String>,
    pub citation: String,
    /// HTML: the best window of the text, escaped, matches in `<mark>` (a hit's `snippet`).
    pub passage: String,
    /// `passage` unescaped, as marked and unmarked runs (a hit's `snippet_spans`).
    pub passage_spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceGroup {
    /// The place: province and city (county `None`), or province alone; all `None` for
    /// documents that name no place.
    pub region: Region,
    /// `浙江省嘉兴市`, or `地区不详`.
    pub label: String,
    pub docs: Vec<PrecedentDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Precedents {
    pub query: String,
    /// Matching documents in all; the best `MAX_DOCS` of them are grouped.
    pub total: u64,
    /// Groups naming a place.
    pub places: usize,
    pub relaxed: Vec<String>,
    pub groups: Vec<PlaceGroup>,
}

/// The place a hit is grouped under.
fn place(region: &Region) -> Region {
    match (&region.province, &region.city) {
        (Some(_), Some(_)) => {
            Region::from_levels(region.province.clone(), region.city.clone(), None)
        }
        (Some(_), None) => Region::from_levels(region.province.clone(), None, None),
        _ => Region::default(),
    }
}

fn precedent(hit: Hit) -> PrecedentDoc {
    PrecedentDoc {
        citation: citation_of(Cited::from(&hit)),
        id: hit.id,
        title: hit.title,
        year: hit.year,
        region: hit.region,
        measures: hit.measures,
        passage: hit.snippet,
        passage_spans: hit.snippet_spans,
    }
}

/// The hits of `response`, in rank order, grouped by place.
pub fn group(response: SearchResponse) -> Precedents {
    let mut groups: Vec<PlaceGroup> = Vec::new();
    let mut unplaced: Vec<PrecedentDoc> = Vec::new();
    for hit in response.hits {
        let at = place(&hit.region);
        if at.path.is_none() {
            unplaced.push(precedent(hit));
            continue;
        }
        match groups.iter_mut().find(|g| g.region == at) {
            Some(group) => group.docs.push(precedent(hit)),
            None => groups.push(PlaceGroup {
                label: region_label(&at),
                region: at,
                docs: vec![precedent(hit)],
            }),
        }
    }
    let places = groups.len();
    if !unplaced.is_empty() {
        groups.push(PlaceGroup {
            label: region_label(&Region::default()),
            region: Region::default(),
            docs: unplaced,
        });
    }
    Precedents {
        query: response.query,
        total: response.total,
        places,
        relaxed: response.relaxed,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::search::types::Facets;

    fn hit(id: &str, province: Option<&str>, city: Option<&str>, county: Option<&str>) -> Hit {
        let own = |s: Option<&str>| s.map(str::to_string);
        Hit {
            id: id.to_string(),
            title: format!("《{id}》"),
            score: 1.0,
            region: Region::from_levels(own(province), own(city), own(county)),
            year: Some(2023),
            years_mentioned: Vec::new(),
            measures: Vec::new(),
            source: Source::default(),
            added: None,
            versions: Vec::new(),
            snippet: String::new(),
            snippet_spans: Vec::new(),
            passages: Vec::new(),
        }
    }

    #[test]
    fn hits_are_grouped_by_city_or_province_in_rank_order_and_the_unplaced_last() {
        let response = SearchResponse {
            query: "q".into(),
            total: 5,
            page: 1,
            per_page: 100,
            took_ms: 0.0,
            hits: vec![
                hit("a", Some("浙江省"), Some("嘉兴市"), Some("南湖区")),
                hit("b", None, None, None),
                hit("c", Some("江苏省"), None, None),
                hit("d", Some("浙江省"), Some("嘉兴市"), None),
                hit("e", Some("浙江省"), Some("杭州市"), None),
            ],
            relaxed: Vec::new(),
            complete: 5,
            facets: Facets::default(),
        };
        let found = group(response);
        let labels: Vec<&str> = found.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(
            labels,
            ["浙江省嘉兴市", "江苏省", "浙江省杭州市", "地区不详"]
        );
        assert_eq!(found.places, 3);
        let ids: Vec<&str> = found.groups[0].docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "d"]);
        assert_eq!(
            found.groups[0].docs[0].region.county.as_deref(),
            Some("南湖区")
        );
        assert!(
            found.groups[0].docs[0]
                .citation
                .contains("浙江省嘉兴市南湖区, 2023.")
        );
    }
}
