//! Facet counting: region children under the selected path, measures, and years (a small
//! collector over the `year` fast field). Each facet is counted over the result set with every
//! filter applied except its own; `engine` decides which query each facet runs on.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, FacetCollector, FacetCounts, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::YEAR;
use crate::taxonomy::Taxonomy;

use super::types::{FacetCount, MeasureCount};

/// Root facet for the region children to count: the selected path, or `/`.
pub fn region_root(region: Option<&str>) -> Facet {
    match region {
        Some(path) => Facet::from_path(path.split('/')),
        None => Facet::root(),
    }
}

pub fn region_collector(root: &Facet) -> FacetCollector {
    let mut collector = FacetCollector::for_field("region");
    collector.add_facet(root.clone());
    collector
}

pub fn measure_collector() -> FacetCollector {
    let mut collector = FacetCollector::for_field("measure");
    collector.add_facet(Facet::root());
    collector
}

/// Region children with their counts, most documents first, then by name.
pub fn region_counts(counts: &FacetCounts, root: &Facet) -> Vec<FacetCount<String>> {
    let mut out: Vec<FacetCount<String>> = counts
        .get(root.clone())
        .filter_map(|(facet, count)| {
            let path = facet.to_path();
            Some(FacetCount {
                value: path.last()?.to_string(),
                count,
            })
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

/// Counts per measure id that occurs, in taxonomy order, with labels.
pub fn measure_counts(counts: &FacetCounts) -> Vec<MeasureCount> {
    let taxonomy = Taxonomy::get();
    let found: BTreeMap<String, u64> = counts
        .get(Facet::root())
        .filter_map(|(facet, count)| Some((facet.to_path().first()?.to_string(), count)))
        .collect();
    taxonomy
        .measures
        .iter()
        .filter_map(|m| {
            found.get(&m.id).map(|&count| MeasureCount {
                value: m.id.clone(),
                label: m.label.clone(),
                count,
            })
        })
        .collect()
}

pub fn year_counts(counts: BTreeMap<i64, u64>) -> Vec<FacetCount<i32>> {
    counts
        .into_iter()
        .filter_map(|(year, count)| {
            Some(FacetCount {
                value: i32::try_from(year).ok()?,
                count,
            })
        })
        .collect()
}

/// Counts matching documents per year (documents without a year are not counted).
pub struct YearCollector;

pub struct SegmentYearCollector {
    column: Column<i64>,
    counts: BTreeMap<i64, u64>,
}

impl Collector for YearCollector {
    type Fruit = BTreeMap<i64, u64>;
    type Child = SegmentYearCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentYearCollector {
            column: segment.fast_fields().i64(YEAR)?,
            counts: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<i64, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut total = BTreeMap::new();
        for fruit in fruits {
            for (year, count) in fruit {
                *total.entry(year).or_insert(0) += count;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentYearCollector {
    type Fruit = BTreeMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(year) = self.column.first(doc) {
            *self.counts.entry(year).or_insert(0) += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}
