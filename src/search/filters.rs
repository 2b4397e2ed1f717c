//! Filters of a (valid) request: region path prefix, measures (OR-ed or AND-ed), year range,
//! first-indexed date, and the canonical-only rule (near-duplicates are never hits). Filters of different kinds are AND-ed; a facet's
//! counts use every filter except its own.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption};

use crate::index::Fields;

use super::types::{MeasureMatch, SearchRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Region,
    Measure,
    Year,
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
        && let Some(region) = request.region()
    {
        let facet = Facet::from_path(region.split('/'));
        clauses.push((Occur::Must, term(Term::from_facet(fields.region, &facet))));
    }
    if except != Some(Filter::Measure) && !request.measures().is_empty() {
        let each = request.measures().iter().map(|id| {
            let facet = Facet::from_path([id.as_str()]);
            term(Term::from_facet(fields.measure, &facet))
        });
        match request.measure_match() {
            MeasureMatch::Any => {
                let any = each.map(|q| (Occur::Should, q)).collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
            MeasureMatch::All => clauses.extend(each.map(|q| (Occur::Must, q))),
        }
    }
    let (from, to) = (request.year_from(), request.year_to());
    if except != Some(Filter::Year) && (from.is_some() || to.is_some()) {
        let bound = |year: Option<i32>| {
            year.map_or(Bound::Unbounded, |y| {
                Bound::Included(Term::from_field_i64(fields.year, i64::from(y)))
            })
        };
        let range = RangeQuery::new(bound(from), bound(to));
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(range), 0.0)),
        ));
    }
    if let Some(from) = request.added_from() {
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
