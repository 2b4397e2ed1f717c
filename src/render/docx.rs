//! Word documents (`.docx`) for briefs, written with the `docx-rs` crate: a citation list of
//! exported documents, precedents grouped by place, and a comparison as a table (region, year and source rows, then one row
//! per measure that any case has, the first passages of each cell) followed by its citations.
//! Input: documents or a [`Comparison`]. Output: the bytes of a `.docx` file. Pure.

use std::io::Cursor;

use docx_rs::{
    Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableLayoutType, TableRow,
    WidthType,
};

use super::label::{citation, region_label, year_label};
use crate::model::CaseDoc;
use crate::search::compare::Comparison;
use crate::search::precedents::Precedents;
use crate::search::snippet::unmarked;
use crate::{Error, Result};

/// The MIME type of a `.docx` file.
pub const CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// Passages shown per comparison cell; the rest are counted.
const PASSAGES_PER_CELL: usize = 2;
/// Font for Chinese text (Word and WPS substitute one they have when it is missing).
const CJK_FONT: &str = "SimSun";

fn run(text: &str) -> Run {
    Run::new()
        .add_text(text)
        .fonts(RunFonts::new().east_asia(CJK_FONT))
}

fn paragraph(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text).bold().size(32))
}

fn pack(doc: Docx) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::internal(format!("cannot write the Word document: {e}")))?;
    Ok(out.into_inner())
}

fn new_document() -> Docx {
    // A4 with 2 cm margins (twentieths of a point).
    Docx::new().page_size(11906, 16838).page_margin(
        PageMargin::new()
            .top(1134)
            .bottom(1134)
            .left(1134)
            .right(1134),
    )
}

/// Precedents by place: a heading per place, and under it each document's title and year,
/// its best passage and its citation.
pub fn precedents(found: &Precedents) -> Result<Vec<u8>> {
    let title = if found.query.is_empty() {
        "各地先例".to_string()
    } else {
        format!("各地先例：{}", found.query)
    };
    let mut out = new_document()
        .add_paragraph(heading(&title))
        .add_paragraph(paragraph(&format!(
            "共 {} 篇相关案例，涉及 {} 个地方（按相关度排序）。",
            found.total, found.places
        )));
    if found.groups.is_empty() {
        out = out.add_paragraph(paragraph("（没有符合条件的案例）"));
    }
    for group in &found.groups {
        out = out.add_paragraph(Paragraph::new().add_run(run(&group.label).bold().size(28)));
        for doc in &group.docs {
            let line = format!("《{}》 {}", doc.title.trim(), year_label(doc.year));
            out = out
                .add_paragraph(Paragraph::new().add_run(run(&line).bold()))
                .add_paragraph(paragraph(&unmarked(&doc.passage)))
                .add_paragraph(Paragraph::new().add_run(run(&doc.citation).italic()));
        }
    }
    pack(out)
}

/// A numbered citation list: `1. 《标题》 地区 年份`, then its reference.
pub fn citation_list(title: &str, docs: &[CaseDoc]) -> Result<Vec<u8>> {
    let mut out = new_document().add_paragraph(heading(title));
    if docs.is_empty() {
        out = out.add_paragraph(paragraph("（没有符合条件的案例）"));
    }
    for (n, doc) in docs.iter().enumerate() {
        let year = year_label(doc.year);
        let line = format!(
            "{}. 《{}》 {} {year}",
            n + 1,
            doc.title.trim(),
            region_label(&doc.region)
        );
        out = out
            .add_paragraph(Paragraph::new().add_run(run(&line).bold()))
            .add_paragraph(paragraph(&citation(doc)));
    }
    pack(out)
}

fn cell(texts: &[String], bold: bool) -> TableCell {
    let mut cell = TableCell::new();
    for text in texts {
        let r = if bold { run(text).bold() } else { run(text) };
        cell = cell.add_paragraph(Paragraph::new().add_run(r));
    }
    if texts.is_empty() {
        cell = cell.add_paragraph(paragraph("—"));
    }
    cell
}

/// The width of the text on an A4 page with 2.5 cm margins, in twentieths of a point.
const PAGE_WIDTH: usize = 9638;

/// A comparison table, one column per case, and the cases' citations under it.
pub fn comparison(cmp: &Comparison) -> Result<Vec<u8>> {
    // The measure names take a narrow first column; the cases share the rest of the page.
    let label_width = 1700;
    let case_width = (PAGE_WIDTH - label_width) / cmp.docs.len().max(1);
    let mut grid = vec![label_width];
    grid.extend(std::iter::repeat_n(case_width, cmp.docs.len()));
    let mut header = vec![cell(&["措施类型".to_string()], true)];
    header.extend(
        cmp.docs
            .iter()
            .map(|d| cell(std::slice::from_ref(&d.title), true)),
    );
    let mut rows = vec![TableRow::new(header)];
    let fact = |label: &str, value: &dyn Fn(usize) -> String| {
        let mut cells = vec![cell(&[label.to_string()], true)];
        cells.extend((0..cmp.docs.len()).map(|i| cell(&[value(i)], false)));
        TableRow::new(cells)
    };
    rows.push(fact("地区", &|i| region_label(&cmp.docs[i].region)));
    rows.push(fact("年份", &|i| {
        (cmp.docs[i].year).map_or_else(|| year_label(None), |y| y.to_string())
    }));
    rows.push(fact("来源", &|i| cmp.docs[i].citation.clone()));
    for row in cmp.filled_rows() {
        let mut cells = vec![cell(std::slice::from_ref(&row.label), true)];
        for passages in &row.cells {
            let mut shown: Vec<String> = passages.iter().take(PASSAGES_PER_CELL).cloned().collect();
            if passages.len() > PASSAGES_PER_CELL {
                shown.push(format!(
                    "（另有 {} 段）",
                    passages.len() - PASSAGES_PER_CELL
                ));
            }
            cells.push(cell(&shown, false));
        }
        rows.push(TableRow::new(cells));
    }
    let table = Table::new(rows)
        .set_grid(grid)
        .layout(TableLayoutType::Fixed)
        .width(PAGE_WIDTH, WidthType::Dxa);
    let mut out = new_document()
        .add_paragraph(heading("案例对比"))
        .add_table(table)
        .add_paragraph(heading("引用"));
    for (n, doc) in cmp.docs.iter().enumerate() {
        out = out.add_paragraph(paragraph(&format!("[{}] {}", n + 1, doc.citation)));
    }
    pack(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Passage, Region, Source};
    use crate::search::compare::compare;

    fn doc(id: &str, title: &str, measure: &str, passage: &str) -> CaseDoc {
        CaseDoc {
            id: id.into(),
            title: title.into(),
            region: Region::from_levels(Some("甘肃省".into()), Some("张掖市".into()), None),
            year: Some(2022),
            years_mentioned: vec![],
            measures: vec![measure.into()],
            source: Source {
                path: "corpus/a.txt".into(),
                ..Default::default()
            },
            duplicates: vec![],
            duplicate_of: None,
            versions: vec![],
            added: None,
            text: passage.into(),
            passages: vec![Passage {
                id: format!("{id}-p1"),
                measures: vec![measure.into()],
                evidence: Default::default(),
                text: passage.into(),
            }],
        }
    }

    /// The text of `word/document.xml` inside the package.
    fn document_xml(bytes: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn a_comparison_is_a_word_table_with_fact_rows_passages_and_citations() {
        let docs = [
            doc("a", "临泽县网格化治理", "grid", "网格员每日巡查走访。"),
            doc("b", "张掖市雪亮工程", "video", "建成视频监控点位两千个。"),
        ];
        let xml = document_xml(&comparison(&compare(&docs)).unwrap());
        assert!(xml.contains("<w:tbl>"), "a table");
        for text in [
            "措施类型",
            "地区",
            "年份",
            "来源",
            "网格员每日巡查走访。",
            "临泽县网格化治理[Z]. 甘肃省张掖市, 2022.",
        ] {
            assert!(xml.contains(text), "{text} missing");
        }
        assert!(!xml.contains("corpus/a.txt"), "no local path");
    }

    #[test]
    fn a_citation_list_numbers_its_cases() {
        let docs = [doc("a", "临泽县网格化治理", "grid", "网格员。")];
        let xml = document_xml(&citation_list("案例引用清单", &docs).unwrap());
        assert!(xml.contains("1. 《临泽县网格化治理》 甘肃省张掖市 2022年"));
        assert!(document_xml(&citation_list("t", &[]).unwrap()).contains("没有符合条件的案例"));
    }
}
