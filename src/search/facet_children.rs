//! Counting a facet's children over a result set: the regions right under the selected one,
//! or the measures. tantivy's `FacetCollector` works out, on every search and for every
//! segment, which child of the root each facet of the segment falls under, by reading the
//! segment's whole facet dictionary (a cost that grows with the number of regions; measured
//! in BENCHMARKS.md). Segments never change, so `FacetMappings` keeps that
//! mapping per segment, field and root for as long as the index is open, and a search only
//! counts. (This keeps no results: a mapping depends on the index alone.)

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Dictionary;
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Facet ordinals that are not below the root.
const NONE: u32 = u32::MAX;
/// The key under which documents without any facet of the field are counted (no child is
/// named so).
pub const UNKNOWN: &str = "";
/// Mappings kept before the cache starts over (roots are the regions users pick).
const MAX_MAPPINGS: usize = 1024;

/// Which child of a root each facet ordinal of one segment falls under.
struct Mapping {
    /// By facet ordinal: index into `children`, or `NONE`.
    child_of: Vec<u32>,
    /// The root's children's names, in dictionary order.
    children: Vec<String>,
}

type MappingKey = (SegmentId, &'static str, String);

/// The mappings computed so far for one open index.
#[derive(Default)]
pub struct FacetMappings(Mutex<HashMap<MappingKey, Arc<Mapping>>>);

impl FacetMappings {
    fn get(
        &self,
        segment: &SegmentReader,
        field: &'static str,
        root: &Facet,
        reader: &FacetReader,
    ) -> tantivy::Result<Arc<Mapping>> {
        let key = (segment.segment_id(), field, root.encoded_str().to_string());
        if let Some(mapping) = self.0.lock().expect("facet cache poisoned").get(&key) {
            return Ok(Arc::clone(mapping));
        }
        let mapping = Arc::new(compute(reader.facet_dict(), root)?);
        let mut cache = self.0.lock().expect("facet cache poisoned");
        if cache.len() >= MAX_MAPPINGS {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&mapping));
        Ok(mapping)
    }
}

/// One pass over the facet dictionary: facets below the root sort together, each child's
/// subtree in one run (the separator byte 0 sorts before any other).
fn compute(dict: &Dictionary, root: &Facet) -> std::io::Result<Mapping> {
    let mut prefix = root.encoded_str().as_bytes().to_vec();
    if !root.is_root() {
        prefix.push(0);
    }
    let mut child_of = vec![NONE; dict.num_terms()];
    let mut children: Vec<String> = Vec::new();
    let mut terms = dict.range().ge(&prefix).into_stream()?;
    while terms.advance() {
        let Some(rest) = terms.key().strip_prefix(prefix.as_slice()) else {
            break;
        };
        let name = &rest[..rest.iter().position(|&b| b == 0).unwrap_or(rest.len())];
        if name.is_empty() {
            continue; // the root itself
        }
        if children.last().map(String::as_bytes) != Some(name) {
            children.push(String::from_utf8_lossy(name).into_owned());
        }
        child_of[terms.term_ord() as usize] = (children.len() - 1) as u32;
    }
    Ok(Mapping { child_of, children })
}

/// Counts the documents under each child of `root` in the facet field `field`.
pub struct FacetChildren {
    field: &'static str,
    root: Facet,
    mappings: Arc<FacetMappings>,
}

impl FacetChildren {
    pub fn new(field: &'static str, root: Facet, mappings: Arc<FacetMappings>) -> FacetChildren {
        FacetChildren {
            field,
            root,
            mappings,
        }
    }
}

pub struct SegmentFacetChildren {
    reader: FacetReader,
    mapping: Arc<Mapping>,
    counts: Vec<u64>,
    /// Documents without any facet of the field.
    unknown: u64,
}

impl Collector for FacetChildren {
    /// Documents per child name (children without documents left out), and under `UNKNOWN`
    /// those without any facet of the field.
    type Fruit = BTreeMap<String, u64>;
    type Child = SegmentFacetChildren;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetChildren> {
        let reader = segment.facet_reader(self.field)?;
        let mapping = self
            .mappings
            .get(segment, self.field, &self.root, &reader)?;
        Ok(SegmentFacetChildren {
            counts: vec![0; mapping.children.len()],
            unknown: 0,
            reader,
            mapping,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        Ok(super::facets::sum_counts(fruits))
    }
}

impl SegmentCollector for SegmentFacetChildren {
    type Fruit = BTreeMap<String, u64>;

    /// A document counts once per child, however many of its facets fall under it (a
    /// document's facet ordinals are sorted, so those come one after another).
    fn collect(&mut self, doc: DocId, _: Score) {
        let mut previous = NONE;
        let mut any = false;
        for ord in self.reader.facet_ords(doc) {
            any = true;
            let child = self
                .mapping
                .child_of
                .get(ord as usize)
                .copied()
                .unwrap_or(NONE);
            if child != NONE && child != previous {
                self.counts[child as usize] += 1;
            }
            previous = child;
        }
        self.unknown += u64::from(!any);
    }

    fn harvest(self) -> BTreeMap<String, u64> {
        let mut counts: BTreeMap<String, u64> = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(child, count)| (self.mapping.children[child].clone(), *count))
            .collect();
        if self.unknown > 0 {
            counts.insert(UNKNOWN.to_string(), self.unknown);
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{FacetCollector, FacetCounts};
    use tantivy::query::AllQuery;
    use tantivy::schema::{INDEXED, Schema};
    use tantivy::{Index, TantivyDocument};

    const PATHS: [&str; 7] = [
        "/甘肃省/张掖市/临泽县",
        "/甘肃省/张掖市",
        "/甘肃省",
        "/甘肃省酒泉/x",
        "/浙江省/杭州市/西湖区",
        "/浙江省/宁波市",
        "/a/b",
    ];

    /// Two segments of facets, with one document carrying two facets under one child.
    fn index() -> Index {
        let mut builder = Schema::builder();
        let field = builder.add_facet_field("region", INDEXED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, path) in PATHS.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_facet(field, Facet::from(*path));
            if i == 0 {
                doc.add_facet(field, Facet::from("/甘肃省/兰州市"));
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
    fn counts_what_tantivys_facet_collector_counts_and_reuses_the_mapping() {
        let index = index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let mappings = Arc::new(FacetMappings::default());
        for root in [
            "/",
            "/甘肃省",
            "/甘肃省/张掖市",
            "/浙江省/宁波市",
            "/无此省",
        ] {
            let mut theirs = FacetCollector::for_field("region");
            theirs.add_facet(Facet::from(root));
            let expected = tantivy_counts(&searcher.search(&AllQuery, &theirs).unwrap(), root);
            let ours = FacetChildren::new("region", Facet::from(root), Arc::clone(&mappings));
            for _ in 0..2 {
                assert_eq!(
                    searcher.search(&AllQuery, &ours).unwrap(),
                    expected,
                    "{root}"
                );
            }
        }
        let by_province = FacetChildren::new("region", Facet::root(), Arc::clone(&mappings));
        let counts = searcher.search(&AllQuery, &by_province).unwrap();
        assert_eq!(
            counts.get("甘肃省"),
            Some(&3),
            "the two-facet document counts once"
        );
        assert_eq!(
            mappings.0.lock().unwrap().len(),
            5 * 2,
            "one mapping per root and segment"
        );
    }
}
