//! Counting the region and measure facets over a result set from fast columns that tantivy
//! keeps: the regions right under the selected one from the column of the level below it
//! (`region_1` holds `甘肃省`, `region_2` `甘肃省/张掖市`, …; only documents whose column of
//! the selected level holds the selected path count), and the measures from their taxonomy
//! numbers. A search counts column ordinals and looks up the names of those it counted only,
//! in the level's own small dictionary; nothing is kept between searches.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::{MEASURE_NUMBERS, REGION_LEVELS};
use crate::taxonomy::Taxonomy;

/// The key under which documents without a region are counted (no region is named so).
pub const UNKNOWN: &str = "";

/// Counts the documents under each region right below `root`, and those without a region.
pub struct RegionChildren {
    /// The selected path (`甘肃省/张掖市`), empty for the root.
    root: String,
    /// Its level: 0 for the root, 1 for a province, …
    depth: usize,
}

impl RegionChildren {
    pub fn new(root: &Facet) -> RegionChildren {
        let path = if root.is_root() {
            Vec::new()
        } else {
            root.to_path()
        };
        RegionChildren {
            root: path.join("/"),
            depth: path.len(),
        }
    }
}

/// Which documents of a segment are under the root.
enum Selected {
    /// All: the root is the root.
    All,
    /// Those whose column of the root's level holds the root's ordinal.
    Path(StrColumn, u64),
    /// None: no document of the segment has the root's path.
    Absent,
}

pub struct SegmentRegionChildren {
    /// Any region at all (the first level).
    any: Option<StrColumn>,
    selected: Selected,
    /// The level below the selected one (None below a county).
    children: Option<StrColumn>,
    counts: Vec<u64>,
    unknown: u64,
}

fn level(segment: &SegmentReader, depth: usize) -> tantivy::Result<Option<StrColumn>> {
    match REGION_LEVELS.get(depth) {
        Some(name) => segment.fast_fields().str(name),
        None => Ok(None),
    }
}

impl Collector for RegionChildren {
    /// Documents per child name (children without documents left out), and under `UNKNOWN`
    /// those without a region.
    type Fruit = BTreeMap<String, u64>;
    type Child = SegmentRegionChildren;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentRegionChildren> {
        let selected = match self.depth {
            0 => Selected::All,
            depth => match level(segment, depth - 1)? {
                Some(column) => match column.dictionary().term_ord(&self.root)? {
                    Some(ord) => Selected::Path(column, ord),
                    None => Selected::Absent,
                },
                None => Selected::Absent,
            },
        };
        let children = level(segment, self.depth)?;
        let terms = children.as_ref().map_or(0, |c| c.num_terms());
        Ok(SegmentRegionChildren {
            any: level(segment, 0)?,
            selected,
            children,
            counts: vec![0; terms],
            unknown: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        Ok(super::facets::sum_counts(fruits))
    }
}

impl SegmentCollector for SegmentRegionChildren {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let has_region = self
            .any
            .as_ref()
            .is_some_and(|any| any.ords().first(doc).is_some());
        if !has_region {
            self.unknown += 1;
            return;
        }
        match &self.selected {
            Selected::All => {}
            Selected::Path(column, ord) if column.ords().first(doc) == Some(*ord) => {}
            _ => return,
        }
        if let Some(child) = self.children.as_ref().and_then(|c| c.ords().first(doc)) {
            self.counts[child as usize] += 1;
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let counted: Vec<u64> = (0..self.counts.len() as u64)
            .filter(|&ord| self.counts[ord as usize] > 0)
            .collect();
        let mut names: Vec<String> = Vec::with_capacity(counted.len());
        if let Some(children) = &self.children {
            // Every counted ordinal is in the column's own dictionary; a read error of the
            // mapped dictionary leaves the names out (the segment's files were verified).
            let _ = children
                .dictionary()
                .sorted_ords_to_term_cb(&counted, |bytes| {
                    let path = String::from_utf8_lossy(bytes);
                    names.push(path.rsplit('/').next().unwrap_or_default().to_string());
                });
        }
        let mut out: BTreeMap<String, u64> = names
            .into_iter()
            .zip(&counted)
            .map(|(name, &ord)| (name, self.counts[ord as usize]))
            .collect();
        if self.unknown > 0 {
            out.insert(UNKNOWN.to_string(), self.unknown);
        }
        out
    }
}

/// Counts the documents per measure id.
pub struct MeasureCounts;

pub struct SegmentMeasureCounts {
    column: Column<u64>,
    counts: Vec<u64>,
}

impl Collector for MeasureCounts {
    type Fruit = BTreeMap<String, u64>;
    type Child = SegmentMeasureCounts;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentMeasureCounts> {
        Ok(SegmentMeasureCounts {
            column: segment.fast_fields().u64(MEASURE_NUMBERS)?,
            counts: vec![0; Taxonomy::get().measures.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        Ok(super::facets::sum_counts(fruits))
    }
}

impl SegmentCollector for SegmentMeasureCounts {
    type Fruit = BTreeMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for number in self.column.values_for_doc(doc) {
            if let Some(count) = self.counts.get_mut(number as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let measures = &Taxonomy::get().measures;
        self.counts
            .iter()
            .zip(measures)
            .filter(|(count, _)| **count > 0)
            .map(|(count, m)| (m.id.clone(), *count))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::{self, Fields};
    use tantivy::collector::{FacetCollector, FacetCounts};
    use tantivy::query::AllQuery;
    use tantivy::{Index, TantivyDocument};

    const PATHS: [&str; 8] = [
        "甘肃省/张掖市/临泽县",
        "甘肃省/张掖市",
        "甘肃省",
        "甘肃省/兰州市",
        "浙江省/杭州市/西湖区",
        "浙江省/宁波市",
        "",
        "浙江省/杭州市/滨江区",
    ];

    /// zhili's schema, two segments, one document without a region; the measures of the
    /// i-th document are the first i % 3 of the taxonomy.
    fn index() -> Index {
        let index = Index::create_in_ram(schema::build());
        crate::index::tokenizer::register(&index);
        let fields = Fields::resolve(&index.schema()).unwrap();
        let taxonomy = Taxonomy::get();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, path) in PATHS.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            if !path.is_empty() {
                doc.add_facet(fields.region, Facet::from_path(path.split('/')));
                let parts: Vec<&str> = path.split('/').collect();
                for depth in 0..parts.len() {
                    doc.add_text(fields.region_levels[depth], parts[..=depth].join("/"));
                }
            }
            for (number, m) in taxonomy.measures.iter().enumerate().take(i % 3) {
                doc.add_facet(fields.measure, Facet::from_path([m.id.as_str()]));
                doc.add_u64(fields.measure_numbers, number as u64);
            }
            writer.add_document(doc).unwrap();
            if i == 3 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        index
    }

    fn tantivy_counts(counts: &FacetCounts, root: &str) -> BTreeMap<String, u64> {
        counts
            .get(root)
            .map(|(facet, n)| (facet.to_path().last().unwrap().to_string(), n))
            .collect()
    }

    #[test]
    fn counts_what_tantivys_facet_collector_counts_and_the_documents_without_a_region() {
        let index = index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        for root in [
            "/",
            "/甘肃省",
            "/甘肃省/张掖市",
            "/浙江省/杭州市",
            "/浙江省/宁波市",
            "/甘肃省/张掖市/临泽县",
            "/无此省",
        ] {
            let mut theirs = FacetCollector::for_field("region");
            theirs.add_facet(Facet::from(root));
            let mut expected = tantivy_counts(&searcher.search(&AllQuery, &theirs).unwrap(), root);
            expected.insert(UNKNOWN.to_string(), 1);
            let ours = RegionChildren::new(&Facet::from(root));
            assert_eq!(
                searcher.search(&AllQuery, &ours).unwrap(),
                expected,
                "{root}"
            );
        }
        let mut theirs = FacetCollector::for_field("measure");
        theirs.add_facet(Facet::root());
        let expected = tantivy_counts(&searcher.search(&AllQuery, &theirs).unwrap(), "/");
        let ours = searcher.search(&AllQuery, &MeasureCounts).unwrap();
        assert_eq!(ours, expected);
        let given: usize = (0..PATHS.len()).map(|i| i % 3).sum();
        assert_eq!(ours.values().sum::<u64>(), given as u64);
    }
}
