//! Export of matching documents (`zhili export`, `GET /api/export`): ndjson (one `GET
//! /api/docs/{id}` body a line), es-bulk (an Elasticsearch/OpenSearch `_bulk` action line before
//! each), quickwit (ndjson plus `title_segmented`/`text_segmented`, the texts cut by zhili's
//! own analyzer, since Quickwit has no jieba), sphinxql (multi-row `INSERT` statements for Sphinx
//! 2.2 / Manticore real-time indexes, the texts cut the same way, region, measures and year as
//! attributes, optionally spread over N shards by document id), csv and md (a citation list).
//! Input: `CaseDoc`s one at a time. Output: bytes on any `io::Write`, streamed: nothing but the
//! current document is held (sphinxql: at most one pending batch of rows per shard).

use std::io::{self, Write};
use std::str::FromStr;

use crate::index::tokenizer;
use crate::model::CaseDoc;
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

use super::label::{
    Cited, citation, md_citation, measure_labels, region_label, source_text, year_label,
};
use super::table::{md_escape, write_csv_record};

/// Index name used in es-bulk action lines.
pub const ES_INDEX: &str = "cases";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Ndjson,
    EsBulk,
    Quickwit,
    SphinxQl,
    Csv,
    Md,
    /// A Word citation list (`docx`), written when the export finishes.
    Docx,
}

impl FromStr for ExportFormat {
    type Err = Error;

    fn from_str(s: &str) -> Result<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" => Ok(ExportFormat::Ndjson),
            "es-bulk" | "bulk" => Ok(ExportFormat::EsBulk),
            "quickwit" => Ok(ExportFormat::Quickwit),
            "sphinxql" | "sphinx" | "manticore" => Ok(ExportFormat::SphinxQl),
            "csv" => Ok(ExportFormat::Csv),
            "md" | "markdown" => Ok(ExportFormat::Md),
            "docx" | "word" => Ok(ExportFormat::Docx),
            _ => Err(Error::bad_request(format!(
                "参数 format 只能是 csv、md、docx、ndjson、es-bulk、quickwit 或 sphinxql，收到的是“{s}”"
            ))),
        }
    }
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::EsBulk => "es-bulk",
            ExportFormat::Quickwit => "quickwit",
            ExportFormat::SphinxQl => "sphinxql",
            ExportFormat::Csv => "csv",
            ExportFormat::Md => "md",
            ExportFormat::Docx => "docx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Ndjson | ExportFormat::EsBulk | ExportFormat::Quickwit => {
                "application/x-ndjson; charset=utf-8"
            }
            ExportFormat::SphinxQl => "application/sql; charset=utf-8",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Md => "text/markdown; charset=utf-8",
            ExportFormat::Docx => super::docx::CONTENT_TYPE,
        }
    }

    /// File name offered for download.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "zhili-cases.ndjson",
            ExportFormat::EsBulk => "zhili-cases.bulk.ndjson",
            ExportFormat::Quickwit => "zhili-cases.quickwit.ndjson",
            ExportFormat::SphinxQl => "zhili-cases.sphinx.sql",
            ExportFormat::Csv => "zhili-cases.csv",
            ExportFormat::Md => "zhili-cases.md",
            ExportFormat::Docx => "zhili-cases.docx",
        }
    }
}

/// CSV header of the citation list.
pub const CSV_HEADER: &str = "title,region,year,measures,source,id,citation";

/// Writes documents in one format, one at a time.
pub struct ExportWriter<W: Write> {
    format: ExportFormat,
    out: W,
    written: usize,
    /// For a Word file: the documents (without their texts) until `finish`.
    held: Vec<CaseDoc>,
    sphinx: SphinxBatches,
}

impl<W: Write> ExportWriter<W> {
    /// Starts an export (writes the csv header or the md heading).
    pub fn new(format: ExportFormat, mut out: W) -> io::Result<ExportWriter<W>> {
        match format {
            ExportFormat::Csv => {
                // A byte-order mark, so that Excel on Windows reads the file as UTF-8.
                out.write_all("\u{feff}".as_bytes())?;
                write_csv_record(&mut out, CSV_HEADER.split(','))?;
            }
            ExportFormat::Md => writeln!(out, "# 案例引用清单\n")?,
            ExportFormat::Ndjson
            | ExportFormat::EsBulk
            | ExportFormat::Quickwit
            | ExportFormat::SphinxQl
            | ExportFormat::Docx => {}
        }
        Ok(ExportWriter {
            format,
            out,
            written: 0,
            held: Vec::new(),
            sphinx: SphinxBatches::new(None),
        })
    }

    /// Spreads sphinxql rows over `shards` indexes `cases_0`..`cases_{N-1}` (by document id);
    /// without it every row goes to `cases`. Other formats ignore it.
    pub fn with_shards(mut self, shards: Option<u32>) -> ExportWriter<W> {
        self.sphinx = SphinxBatches::new(shards);
        self
    }

    pub fn write(&mut self, doc: &CaseDoc) -> io::Result<()> {
        self.written += 1;
        match self.format {
            ExportFormat::Ndjson => write_json_line(&mut self.out, doc),
            ExportFormat::EsBulk => {
                let action = serde_json::json!({"index": {"_index": ES_INDEX, "_id": doc.id}});
                write_json_line(&mut self.out, &action)?;
                write_json_line(&mut self.out, doc)
            }
            ExportFormat::Quickwit => write_json_line(&mut self.out, &quickwit_doc(doc)?),
            ExportFormat::SphinxQl => self.sphinx.push(&mut self.out, doc),
            ExportFormat::Csv => write_csv_row(&mut self.out, doc),
            ExportFormat::Md => write_md_item(&mut self.out, self.written, doc),
            ExportFormat::Docx => {
                self.held.push(CaseDoc {
                    text: String::new(),
                    passages: Vec::new(),
                    ..doc.clone()
                });
                Ok(())
            }
        }
    }

    /// Documents written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Mutable access to the sink (to take what was written so far from a buffer).
    pub fn sink(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.sphinx.flush_all(&mut self.out)?;
        if self.format == ExportFormat::Md && self.written == 0 {
            writeln!(self.out, "（没有符合条件的案例）")?;
        }
        if self.format == ExportFormat::Docx {
            let bytes = super::docx::citation_list("案例引用清单", &self.held)
                .map_err(|e| io::Error::other(e.to_string()))?;
            self.out.write_all(&bytes)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_json_line<W: Write, T: serde::Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Text cut into zhili's index words (jieba search mode, lowercased, punctuation dropped),
/// joined by single spaces: what a whitespace tokenizer needs to index Chinese like zhili does.
pub fn segmented(text: &str) -> String {
    let words: Vec<String> = tokenizer::words(text, true)
        .into_iter()
        .map(|w| w.text)
        .collect();
    words.join(" ")
}

/// The ndjson document plus `title_segmented` and `text_segmented`, for Quickwit.
pub fn quickwit_doc(doc: &CaseDoc) -> io::Result<serde_json::Value> {
    let mut value = serde_json::to_value(doc)?;
    if let Some(object) = value.as_object_mut() {
        object.insert("title_segmented".into(), segmented(&doc.title).into());
        object.insert("text_segmented".into(), segmented(&doc.text).into());
    }
    Ok(value)
}

/// Base name of the SphinxQL indexes: `cases`, or `cases_k` for shard `k`.
pub const SPHINX_INDEX: &str = "cases";

/// The columns of every SphinxQL `INSERT`, in order (`deploy/sphinx/` declares them).
pub const SPHINX_COLUMNS: &str = "id, title, text, zhili_id, title_original, province, city, county, region_path, measures, year";

/// Rows per `INSERT`, and the size after which a batch is sent sooner (searchd's
/// `max_packet_size` is 8 MB by default).
const SPHINX_BATCH_ROWS: usize = 200;
const SPHINX_BATCH_BYTES: usize = 1 << 20;

/// Sphinx's numeric document id: zhili's 16 hex digits read as a u64 (never 0: an id that is
/// not hex, or is 0, is hashed instead). Stable like zhili's id.
pub fn sphinx_id(zhili_id: &str) -> u64 {
    u64::from_str_radix(zhili_id, 16)
        .ok()
        .filter(|&n| n != 0)
        .unwrap_or_else(|| {
            let hash = blake3::hash(zhili_id.as_bytes());
            u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes")).max(1)
        })
}

/// The shard (`0..shards`) that holds the document with Sphinx id `id`.
pub fn sphinx_shard(id: u64, shards: u32) -> u32 {
    (id % u64::from(shards.max(1))) as u32
}

/// A measure id's number in the `measures` multi-value attribute: its position in taxonomy
/// order, from 1 (`data/measures.toml`). `None` for an unknown id.
pub fn measure_number(id: &str) -> Option<u32> {
    let position = Taxonomy::get().position(id)?;
    u32::try_from(position + 1).ok()
}

/// A SphinxQL string literal: quoted, backslashes and `'` escaped, control characters as spaces.
pub fn sql_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            _ if c.is_control() => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// One row of values, `(id, 'title words', …, (1,4), 2023)`, in [`SPHINX_COLUMNS`] order.
fn sphinx_row(id: u64, doc: &CaseDoc) -> String {
    let r = &doc.region;
    let level = |v: &Option<String>| sql_string(v.as_deref().unwrap_or(""));
    let mut numbers: Vec<u32> = doc
        .measures
        .iter()
        .filter_map(|m| measure_number(m))
        .collect();
    numbers.sort_unstable();
    let measures: Vec<String> = numbers.iter().map(u32::to_string).collect();
    let year = doc.year.and_then(|y| u32::try_from(y).ok()).unwrap_or(0);
    format!(
        "({id}, {}, {}, {}, {}, {}, {}, {}, {}, ({}), {year})",
        sql_string(&segmented(&doc.title)),
        sql_string(&segmented(&doc.text)),
        sql_string(&doc.id),
        sql_string(doc.title.trim()),
        level(&r.province),
        level(&r.city),
        level(&r.county),
        level(&r.path),
        measures.join(",")
    )
}

/// Rows waiting to be sent, per shard, as one multi-row `INSERT` each.
struct SphinxBatches {
    shards: Option<u32>,
    /// Per shard: the rows so far joined by `, `, and how many (one statement a line, so that
    /// `grep 'INSERT INTO cases_0 '` picks a shard's statements).
    pending: Vec<(String, usize)>,
}

impl SphinxBatches {
    fn new(shards: Option<u32>) -> SphinxBatches {
        let count = shards.unwrap_or(1).max(1) as usize;
        SphinxBatches {
            shards,
            pending: vec![(String::new(), 0); count],
        }
    }

    fn index_name(&self, shard: usize) -> String {
        match self.shards {
            Some(_) => format!("{SPHINX_INDEX}_{shard}"),
            None => SPHINX_INDEX.to_string(),
        }
    }

    fn push<W: Write>(&mut self, out: &mut W, doc: &CaseDoc) -> io::Result<()> {
        let id = sphinx_id(&doc.id);
        let shard = sphinx_shard(id, self.pending.len() as u32) as usize;
        let (rows, count) = &mut self.pending[shard];
        if *count > 0 {
            rows.push_str(", ");
        }
        rows.push_str(&sphinx_row(id, doc));
        *count += 1;
        if *count >= SPHINX_BATCH_ROWS || rows.len() >= SPHINX_BATCH_BYTES {
            self.flush(out, shard)?;
        }
        Ok(())
    }

    fn flush<W: Write>(&mut self, out: &mut W, shard: usize) -> io::Result<()> {
        let (rows, count) = std::mem::take(&mut self.pending[shard]);
        if count == 0 {
            return Ok(());
        }
        let index = self.index_name(shard);
        writeln!(out, "INSERT INTO {index} ({SPHINX_COLUMNS}) VALUES {rows};")
    }

    fn flush_all<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        (0..self.pending.len()).try_for_each(|shard| self.flush(out, shard))
    }
}

fn write_csv_row<W: Write>(out: &mut W, doc: &CaseDoc) -> io::Result<()> {
    let year = doc.year.map(|y| y.to_string()).unwrap_or_default();
    let cells = [
        doc.title.trim(),
        doc.region.path.as_deref().unwrap_or(""),
        &year,
        &measure_labels(&doc.measures),
        source_text(doc),
        &doc.id,
        &citation(doc),
    ];
    write_csv_record(out, cells)
}

/// `1. 《标题》，地区，年份；措施：…` and the citation under it (its web address as a link).
fn write_md_item<W: Write>(out: &mut W, n: usize, doc: &CaseDoc) -> io::Result<()> {
    let measures = measure_labels(&doc.measures);
    let measures = if measures.is_empty() {
        String::new()
    } else {
        format!("；措施：{}", md_escape(&measures))
    };
    let cite = md_citation(Cited::from(doc));
    writeln!(
        out,
        "{n}. 《{}》，{}，{}{measures}\n   {cite}",
        md_escape(doc.title.trim()),
        md_escape(&region_label(&doc.region)),
        year_label(doc.year)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Passage, Region, Source};
    use crate::render::table::csv_field;

    fn doc(id: &str, title: &str) -> CaseDoc {
        CaseDoc {
            id: id.into(),
            title: title.into(),
            region: Region::from_levels(Some("甘肃省".into()), Some("张掖市".into()), None),
            year: Some(2022),
            years_mentioned: vec![2020],
            measures: vec!["video".into(), "patrol".into()],
            source: Source {
                path: "corpus/a.txt".into(),
                url: Some("https://example.org/a".into()),
                ..Default::default()
            },
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: "正文，带 \"引号\"\n第二段".into(),
            passages: vec![Passage {
                id: format!("{id}-p1"),
                measures: vec!["video".into()],
                evidence: Default::default(),
                text: "正文".into(),
            }],
        }
    }

    fn export(format: ExportFormat, docs: &[CaseDoc]) -> String {
        let mut writer = ExportWriter::new(format, Vec::new()).unwrap();
        for d in docs {
            writer.write(d).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn ndjson_round_trips_every_document() {
        let docs = [doc("a1", "甲"), doc("b2", "乙")];
        let out = export(ExportFormat::Ndjson, &docs);
        let back: Vec<CaseDoc> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, docs);
    }

    #[test]
    fn es_bulk_alternates_action_and_source_lines() {
        let docs = [doc("a1", "甲"), doc("b2", "乙")];
        let out = export(ExportFormat::EsBulk, &docs);
        assert!(out.ends_with('\n'));
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["index"]["_index"], "cases");
        assert_eq!(lines[0]["index"]["_id"], "a1");
        assert_eq!(lines[1]["id"], "a1");
        assert_eq!(lines[2]["index"]["_id"], "b2");
    }

    #[test]
    fn quickwit_lines_add_segmented_title_and_text() {
        let mut d = doc("a1", "网格化管理");
        d.text = "推行网格化管理，设立Wi-Fi站点。".into();
        let out = export(ExportFormat::Quickwit, &[d.clone()]);
        let line: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        let text = line["text_segmented"].as_str().unwrap();
        assert!(text.split(' ').any(|w| w == "网格"), "{text}");
        assert!(!text.contains('，') && !text.contains("  "), "{text}");
        assert!(line["title_segmented"].as_str().unwrap().contains("管理"));
        let mut object = line.as_object().unwrap().clone();
        object.remove("title_segmented");
        object.remove("text_segmented");
        let back: CaseDoc = serde_json::from_value(object.into()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn sphinxql_rows_are_batched_escaped_and_sharded_by_id() {
        let mut d = doc("00000000000000ff", "it's \\ 网格化管理");
        d.text = "推行网格化管理。".into();
        let out = export(ExportFormat::SphinxQl, &[d.clone(), doc("b2", "乙")]);
        assert_eq!(out.matches("INSERT INTO cases (").count(), 1, "{out}");
        assert!(out.ends_with(");\n"), "{out}");
        assert!(
            out.contains("(255, 'it s 网格 网格化 管理', '推行 网格"),
            "{out}"
        );
        assert!(out.contains("'it\\'s \\\\ 网格化管理'"), "{out}");
        assert!(
            out.contains("'甘肃省', '张掖市', '', '甘肃省/张掖市', (1,7), 2022)"),
            "{out}"
        );
        assert_eq!(measure_number("patrol"), Some(1));
        assert_eq!(measure_number("grid"), Some(10));
        assert_eq!(measure_number("nonesuch"), None);

        let mut writer = ExportWriter::new(ExportFormat::SphinxQl, Vec::new())
            .unwrap()
            .with_shards(Some(2));
        for n in 1..=(SPHINX_BATCH_ROWS as u64 * 2 + 2) {
            writer.write(&doc(&format!("{n:016x}"), "甲")).unwrap();
        }
        let sharded = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(sharded.matches("INSERT INTO cases_0 (").count(), 2);
        assert_eq!(sharded.matches("INSERT INTO cases_1 (").count(), 2);
        assert!(
            sharded.contains("INSERT INTO cases_1 (id, title, text, zhili_id, title_original,")
        );
        assert!(!sharded.contains("INSERT INTO cases ("));
        assert!(sharded.contains("VALUES (2, "), "ids 2, 4, … go to shard 0");
        assert_eq!(sharded.lines().count(), 4, "one statement a line");
    }

    #[test]
    fn sphinx_ids_are_the_hex_ids_and_never_zero() {
        assert_eq!(sphinx_id("ffffffffffffffff"), u64::MAX);
        assert_eq!(sphinx_id("1ca011541b0c7cdb"), 0x1ca0_1154_1b0c_7cdb);
        assert_ne!(sphinx_id("0000000000000000"), 0);
        assert_eq!(sphinx_id("not hex"), sphinx_id("not hex"));
        assert_ne!(sphinx_id("not hex"), sphinx_id("not hex either"));
        assert_eq!(sphinx_shard(7, 2), 1);
        assert_eq!(sql_string("a'b\\c\nd"), "'a\\'b\\\\c d'");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let out = export(
            ExportFormat::Csv,
            &[doc("a1", "=HYPERLINK(\"x\"),1"), doc("b2", "普通")],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("\u{feff}{CSV_HEADER}"), "a BOM for Excel");
        assert!(lines[1].starts_with("\"'=HYPERLINK(\"\"x\"\"),1\",甘肃省/张掖市,2022,"));
        assert!(lines[1].contains("视频监控与智能感知、社会面巡逻防控"));
        assert!(lines[2].starts_with("普通,"));
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "＝1"] {
            assert!(csv_field(risky).starts_with('\''), "{risky}");
        }
        let multi = export(ExportFormat::Csv, &[doc("c3", "甲\n乙")]);
        let mut reader = csv::Reader::from_reader(multi.trim_start_matches('\u{feff}').as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(
            &row[0], "甲\n乙",
            "a line break stays inside its quoted cell"
        );
    }

    #[test]
    fn md_is_a_numbered_citation_list_with_escaped_titles() {
        let out = export(
            ExportFormat::Md,
            &[doc("a1", "[点我](javascript:x) *强调*"), doc("b2", "乙")],
        );
        assert!(out.starts_with("# 案例引用清单"));
        assert!(
            out.contains("1. 《\\[点我\\](javascript:x) \\*强调\\*》，甘肃省张掖市，2022年"),
            "{out}"
        );
        assert!(
            out.contains("[EB/OL]. 甘肃省张掖市, 2022. <https://example.org/a>"),
            "{out}"
        );
        let dated = export(
            ExportFormat::Md,
            &[doc("c3", "某市物业管理条例(2021-04-06)")],
        );
        assert!(
            dated.contains("《某市物业管理条例(2021-04-06)》"),
            "{dated}"
        );
        assert!(out.contains("\n2. 《乙》"));
        assert!(export(ExportFormat::Md, &[]).contains("没有符合条件的案例"));
    }

    #[test]
    fn citation_names_title_region_year_and_source() {
        let mut d = doc("a1", " 标题 ");
        assert_eq!(
            citation(&d),
            "标题[EB/OL]. 甘肃省张掖市, 2022. https://example.org/a"
        );
        d.source.publisher = Some("张掖市公安局".into());
        d.source.published = Some("2022-03-07".into());
        assert_eq!(
            citation(&d),
            "张掖市公安局. 标题[EB/OL]. 甘肃省张掖市, 2022-03-07. https://example.org/a"
        );
        d.region = Region::default();
        d.year = None;
        d.source = Source {
            path: "corpus/a.txt".into(),
            ..Default::default()
        };
        assert_eq!(citation(&d), "标题[Z]. 地区不详, 年份不详.");
    }

    #[test]
    fn format_names_parse() {
        assert_eq!(
            "es-bulk".parse::<ExportFormat>().unwrap(),
            ExportFormat::EsBulk
        );
        assert_eq!("CSV".parse::<ExportFormat>().unwrap(), ExportFormat::Csv);
        assert!("pdf".parse::<ExportFormat>().is_err());
    }
}
