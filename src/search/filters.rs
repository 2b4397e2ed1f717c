//! Request validation (a region written as people write it is resolved to its full path
//! here) and filters: region path prefix, measures (OR-ed), year range, and the canonical-only
//! rule (near-duplicates are never hits). Filters of different kinds are AND-ed; a facet's
//! counts use every filter except its own.

use std::borrow::Cow;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};

use crate::index::Fields;
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

use super::regions;
use super::types::{MAX_PER_PAGE, MeasureMatch, SearchRequest};

/// How deep a page may go: `page * per_page` at most this many results.
pub const MAX_RESULT_WINDOW: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Region,
    Measure,
    Year,
}

/// Validates `request` and resolves its region as people write it (`regions`: 江苏 →
/// 江苏省): what every search, export and count runs on, from the CLI and HTTP alike.
pub fn prepare(request: &SearchRequest) -> Result<Cow<'_, SearchRequest>> {
    validate(request)?;
    let Some(region) = &request.region else {
        return Ok(Cow::Borrowed(request));
    };
    let full = regions::resolve(region)?;
    if full == *region {
        return Ok(Cow::Borrowed(request));
    }
    Ok(Cow::Owned(SearchRequest {
        region: Some(full),
        ..request.clone()
    }))
}

/// Rejects requests a person should correct, naming the parameter.
pub fn validate(request: &SearchRequest) -> Result<()> {
    if request.page == 0 {
        return Err(Error::bad_request("page starts at 1"));
    }
    if request.per_page == 0 || request.per_page > MAX_PER_PAGE {
        return Err(Error::bad_request(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    if request.page.saturating_mul(request.per_page) > MAX_RESULT_WINDOW {
        return Err(Error::bad_request(format!(
            "page is too deep: only the first {MAX_RESULT_WINDOW} results can be paged through"
        )));
    }
    for id in &request.measures {
        if Taxonomy::get().measure(id).is_none() {
            return Err(Error::bad_request(format!(
                "measure {id:?} is not a known measure type"
            )));
        }
    }
    if let Some(region) = &request.region
        && (region.is_empty() || region.split('/').any(str::is_empty))
    {
        return Err(Error::bad_request(format!(
            "region {region:?} is not a path like 甘肃省 or 甘肃省/张掖市"
        )));
    }
    if let (Some(from), Some(to)) = (request.year_from, request.year_to)
        && from > to
    {
        return Err(Error::bad_request(format!(
            "year_from ({from}) is after year_to ({to})"
        )));
    }
    Ok(())
}

/// The text query (or all documents) AND the request's filters except `except`, canonical only.
pub fn combine(
    text: Option<&dyn Query>,
    fields: &Fields,
    request: &SearchRequest,
    except: Option<Filter>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, canonical(fields))];
    if let Some(text) = text {
        clauses.push((Occur::Must, text.box_clone()));
    }
    if except != Some(Filter::Region)
        && let Some(region) = &request.region
    {
        let facet = Facet::from_path(region.split('/'));
        clauses.push((Occur::Must, term(Term::from_facet(fields.region, &facet))));
    }
    if except != Some(Filter::Measure) && !request.measures.is_empty() {
        let each = request.measures.iter().map(|id| {
            let facet = Facet::from_path([id.as_str()]);
            term(Term::from_facet(fields.measure, &facet))
        });
        match request.measure_match {
            MeasureMatch::Any => {
                let any = each.map(|q| (Occur::Should, q)).collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
            MeasureMatch::All => clauses.extend(each.map(|q| (Occur::Must, q))),
        }
    }
    if except != Some(Filter::Year) && (request.year_from.is_some() || request.year_to.is_some()) {
        let bound = |year: Option<i32>| {
            year.map_or(Bound::Unbounded, |y| {
                Bound::Included(Term::from_field_i64(fields.year, i64::from(y)))
            })
        };
        let range = RangeQuery::new(bound(request.year_from), bound(request.year_to));
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
        ));
    }
    if let Some(from) = request.added_from {
        let from = Bound::Included(Term::from_field_i64(fields.added, from.0));
        let range = RangeQuery::new(from, Bound::Unbounded);
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// `query` restricted to canonical documents.
pub fn canonical_only(query: Box<dyn Query>, fields: &Fields) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Must, canonical(fields)),
    ]))
}

fn canonical(fields: &Fields) -> Box<dyn Query> {
    term(Term::from_field_u64(fields.canonical, 1))
}

/// A filter term: matches or not, adds nothing to the score.
fn term(term: Term) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        0.0,
    ))
}
