//! Facet counting: region children under the selected path, measures, and years (a small
//! collector over the `year` fast field), with the documents that have no region or no year. Each facet is counted over the result set with every
//! filter applied except its own; `engine` decides which query each facet runs on.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::YEAR;
use crate::taxonomy::Taxonomy;

use super::facet_children::{MeasureCounts, RegionChildren, UNKNOWN};
use super::types::{FacetCount, MeasureCount};

/// Root facet for the region children to count: the selected path, or `/`.
pub fn region_root(region: Option<&str>) -> Facet {
    match region {
        Some(path) => Facet::from_path(path.split('/')),
        None => Facet::root(),
    }
}

/// Documents per region right under `root`.
pub fn region_collector(root: &Facet) -> RegionChildren {
    RegionChildren::new(root)
}

/// Documents per measure id.
pub fn measure_collector() -> MeasureCounts {
    MeasureCounts
}

/// Region children with their counts, most documents first, then by name; and the number
/// of documents without a region.
pub fn region_counts(mut counts: BTreeMap<String, u64>) -> (Vec<FacetCount<String>>, u64) {
    let unknown = counts.remove(UNKNOWN).unwrap_or(0);
    let mut out: Vec<FacetCount<String>> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    (out, unknown)
}

/// Counts per measure id that occurs, in taxonomy order, with labels.
pub fn measure_counts(found: &BTreeMap<String, u64>) -> Vec<MeasureCount> {
    let taxonomy = Taxonomy::get();
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

/// Years with their counts, and the number of documents without a year.
pub fn year_counts(mut counts: BTreeMap<i64, u64>) -> (Vec<FacetCount<i32>>, u64) {
    let unknown = counts.remove(&NO_YEAR).unwrap_or(0);
    let years = counts
        .into_iter()
        .filter_map(|(year, count)| {
            Some(FacetCount {
                value: i32::try_from(year).ok()?,
                count,
            })
        })
        .collect();
    (years, unknown)
}

/// The key under which documents without a year are counted.
const NO_YEAR: i64 = i64::MIN;

/// Counts matching documents per year, and those without one under `NO_YEAR`.
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
        Ok(sum_counts(fruits))
    }
}

/// Per-segment counts added up by key.
pub fn sum_counts<K: Ord>(fruits: Vec<BTreeMap<K, u64>>) -> BTreeMap<K, u64> {
    let mut total = BTreeMap::new();
    for (key, count) in fruits.into_iter().flatten() {
        *total.entry(key).or_insert(0) += count;
    }
    total
}

impl SegmentCollector for SegmentYearCollector {
    type Fruit = BTreeMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let year = self.column.first(doc).unwrap_or(NO_YEAR);
        *self.counts.entry(year).or_insert(0) += 1;
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}
