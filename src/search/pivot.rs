//! The overview (`GET /api/pivot`): matching documents counted by two of region, measure and
//! year in one collector pass over the result set. A region axis lists the level right under
//! the request's region (provinces when none is selected); a document with no value on an
//! axis (no region there, no measure, no year) is counted apart, under `unknown`. Input: the
//! result query (`engine`) and the two axes. Output: a `Pivot`, data only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::YEAR;
use crate::render::label::{measure_label, year_label};
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

/// What a row or a column counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    Region,
    Measure,
    Year,
}

impl Axis {
    /// `region`, `measure` or `year`; `parameter` names the parameter in the error.
    pub fn parse(parameter: &str, value: &str) -> Result<Axis> {
        match value {
            "region" => Ok(Axis::Region),
            "measure" => Ok(Axis::Measure),
            "year" => Ok(Axis::Year),
            _ => Err(Error::bad_request(format!(
                "{parameter} 只能是 region、measure 或 year，而不是“{value}”（{parameter} must be region, measure or year）"
            ))),
        }
    }
}

/// A value on an axis: a region path or a measure id, or a year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisValue {
    Year(i32),
    Text(String),
}

/// One row or column: its value (what the filter takes), its label and how many matching
/// documents have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PivotEntry {
    pub value: AxisValue,
    pub label: String,
    pub count: u64,
}

/// The documents with no value on an axis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PivotUnknown {
    /// Documents with no row value.
    pub rows: u64,
    /// Documents with no column value.
    pub cols: u64,
    /// Per column: documents in it with no row value (the 地区不详 / 年份不详 row).
    pub row_cells: Vec<u64>,
    /// Per row: documents in it with no column value.
    pub col_cells: Vec<u64>,
    /// Documents with neither.
    pub both: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pivot {
    pub query: String,
    pub row_axis: Axis,
    pub col_axis: Axis,
    pub rows: Vec<PivotEntry>,
    pub cols: Vec<PivotEntry>,
    /// `cells[i][j]`: documents in row `i` and column `j`.
    pub cells: Vec<Vec<u64>>,
    pub unknown: PivotUnknown,
    /// Matching documents (a document with several measures counts once here).
    pub total: u64,
    /// As in a search response: the query words that did not have to match.
    pub relaxed: Vec<String>,
}

type Key = Option<AxisValue>;

/// What the collector found: documents per (row, column) pair, per row, per column.
#[derive(Debug, Default)]
pub struct Counts {
    cells: HashMap<(Key, Key), u64>,
    rows: HashMap<Key, u64>,
    cols: HashMap<Key, u64>,
    total: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        for (key, n) in other.cells {
            *self.cells.entry(key).or_insert(0) += n;
        }
        for (key, n) in other.rows {
            *self.rows.entry(key).or_insert(0) += n;
        }
        for (key, n) in other.cols {
            *self.cols.entry(key).or_insert(0) += n;
        }
        self.total += other.total;
    }
}

/// Counts matching documents by two axes. `region_root`: the parts of the selected region
/// path (none for the whole country).
pub struct PivotCollector {
    rows: Axis,
    cols: Axis,
    region_root: Vec<String>,
}

impl PivotCollector {
    pub fn new(rows: Axis, cols: Axis, region: Option<&str>) -> Result<PivotCollector> {
        if rows == cols {
            return Err(Error::bad_request(
                "rows 和 cols 不能是同一项（rows and cols must differ）",
            ));
        }
        Ok(PivotCollector {
            rows,
            cols,
            region_root: region
                .map(|path| path.split('/').map(str::to_string).collect())
                .unwrap_or_default(),
        })
    }
}

/// How one segment reads an axis's values of a document.
enum AxisReader {
    Facet(FacetReader),
    Year(Column<i64>),
}

impl AxisReader {
    fn open(axis: Axis, segment: &SegmentReader) -> tantivy::Result<AxisReader> {
        Ok(match axis {
            Axis::Region => AxisReader::Facet(segment.facet_reader("region")?),
            Axis::Measure => AxisReader::Facet(segment.facet_reader("measure")?),
            Axis::Year => AxisReader::Year(segment.fast_fields().i64(YEAR)?),
        })
    }

    /// The document's raw values: facet ordinals, or the year.
    fn read(&self, doc: DocId, out: &mut Vec<u64>) {
        out.clear();
        match self {
            AxisReader::Facet(reader) => out.extend(reader.facet_ords(doc)),
            AxisReader::Year(column) => out.extend(column.first(doc).map(|y| y as u64)),
        }
    }
}

pub struct SegmentPivot {
    axes: [(Axis, AxisReader); 2],
    /// Raw (row, column) pairs; `u64::MAX` for no value.
    cells: HashMap<(u64, u64), u64>,
    rows: HashMap<u64, u64>,
    cols: HashMap<u64, u64>,
    total: u64,
    scratch: [Vec<u64>; 2],
    region_root: Vec<String>,
}

const NONE: u64 = u64::MAX;

impl Collector for PivotCollector {
    type Fruit = Counts;
    type Child = SegmentPivot;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentPivot> {
        Ok(SegmentPivot {
            axes: [
                (self.rows, AxisReader::open(self.rows, segment)?),
                (self.cols, AxisReader::open(self.cols, segment)?),
            ],
            cells: HashMap::new(),
            rows: HashMap::new(),
            cols: HashMap::new(),
            total: 0,
            scratch: [Vec::new(), Vec::new()],
            region_root: self.region_root.clone(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut total = Counts::default();
        for fruit in fruits {
            total.add(fruit);
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentPivot {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let [rows, cols] = &mut self.scratch;
        self.axes[0].1.read(doc, rows);
        self.axes[1].1.read(doc, cols);
        if rows.is_empty() {
            rows.push(NONE);
        }
        if cols.is_empty() {
            cols.push(NONE);
        }
        for &r in rows.iter() {
            *self.rows.entry(r).or_insert(0) += 1;
            for &c in cols.iter() {
                *self.cells.entry((r, c)).or_insert(0) += 1;
            }
        }
        for &c in cols.iter() {
            *self.cols.entry(c).or_insert(0) += 1;
        }
        self.total += 1;
    }

    /// Raw values become axis values: a facet ordinal the region child or the measure id it
    /// falls under, a year itself; values outside the axis (a region above the selected
    /// one) become unknown.
    fn harvest(self) -> Counts {
        let mut resolved: [HashMap<u64, Key>; 2] = [HashMap::new(), HashMap::new()];
        for (side, (axis, reader)) in self.axes.iter().enumerate() {
            let raws: BTreeSet<u64> = match side {
                0 => self.rows.keys().copied().collect(),
                _ => self.cols.keys().copied().collect(),
            };
            for raw in raws {
                let value = resolve(*axis, reader, raw, &self.region_root);
                resolved[side].insert(raw, value);
            }
        }
        let mut counts = Counts {
            total: self.total,
            ..Counts::default()
        };
        let key = |side: usize, raw: u64| resolved[side].get(&raw).cloned().flatten();
        for ((r, c), n) in self.cells {
            *counts.cells.entry((key(0, r), key(1, c))).or_insert(0) += n;
        }
        for (r, n) in self.rows {
            *counts.rows.entry(key(0, r)).or_insert(0) += n;
        }
        for (c, n) in self.cols {
            *counts.cols.entry(key(1, c)).or_insert(0) += n;
        }
        counts
    }
}

fn resolve(axis: Axis, reader: &AxisReader, raw: u64, root: &[String]) -> Key {
    if raw == NONE {
        return None;
    }
    match reader {
        AxisReader::Year(_) => i32::try_from(raw as i64).ok().map(AxisValue::Year),
        AxisReader::Facet(facets) => {
            let mut facet = Facet::root();
            facets.facet_from_ord(raw, &mut facet).ok()?;
            let path = facet.to_path();
            match axis {
                Axis::Measure => path.first().map(|id| AxisValue::Text(id.to_string())),
                _ => {
                    let under = path.len() > root.len() && path[..root.len()] == root[..];
                    under.then(|| AxisValue::Text(path[..=root.len()].join("/")))
                }
            }
        }
    }
}

/// The table of `counts`: regions by count (most first), measures in taxonomy order, years
/// in order; unknowns apart.
pub fn table(counts: Counts, rows: Axis, cols: Axis, query: &str, relaxed: Vec<String>) -> Pivot {
    let row_entries = entries(rows, &counts.rows);
    let col_entries = entries(cols, &counts.cols);
    let cell = |r: Key, c: Key| counts.cells.get(&(r, c)).copied().unwrap_or(0);
    let cells = row_entries
        .iter()
        .map(|r| {
            col_entries
                .iter()
                .map(|c| cell(Some(r.value.clone()), Some(c.value.clone())))
                .collect()
        })
        .collect();
    let unknown = PivotUnknown {
        rows: counts.rows.get(&None).copied().unwrap_or(0),
        cols: counts.cols.get(&None).copied().unwrap_or(0),
        row_cells: col_entries
            .iter()
            .map(|c| cell(None, Some(c.value.clone())))
            .collect(),
        col_cells: row_entries
            .iter()
            .map(|r| cell(Some(r.value.clone()), None))
            .collect(),
        both: cell(None, None),
    };
    Pivot {
        query: query.to_string(),
        row_axis: rows,
        col_axis: cols,
        rows: row_entries,
        cols: col_entries,
        cells,
        unknown,
        total: counts.total,
        relaxed,
    }
}

fn entries(axis: Axis, found: &HashMap<Key, u64>) -> Vec<PivotEntry> {
    let known: BTreeMap<&AxisValue, u64> = found
        .iter()
        .filter_map(|(key, n)| Some((key.as_ref()?, *n)))
        .collect();
    let entry = |value: &AxisValue, count: u64| PivotEntry {
        label: label(axis, value),
        value: value.clone(),
        count,
    };
    match axis {
        Axis::Year => known.iter().map(|(v, n)| entry(v, *n)).collect(),
        Axis::Measure => Taxonomy::get()
            .measures
            .iter()
            .filter_map(|m| {
                let value = AxisValue::Text(m.id.clone());
                known.get(&value).map(|n| entry(&value, *n))
            })
            .collect(),
        Axis::Region => {
            let mut out: Vec<PivotEntry> = known.iter().map(|(v, n)| entry(v, *n)).collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            out
        }
    }
}

fn label(axis: Axis, value: &AxisValue) -> String {
    match value {
        AxisValue::Year(year) => year_label(Some(*year)),
        AxisValue::Text(text) => match axis {
            Axis::Measure => measure_label(text).to_string(),
            _ => text.rsplit('/').next().unwrap_or(text).to_string(),
        },
    }
}
