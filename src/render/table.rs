//! Tables and lists people paste into a brief: CSV cells and records (the `csv` crate, cells a
//! spreadsheet would run as formulas defused), Markdown escaping that leaves a title as it
//! reads, and the comparison of cases as CSV (with a UTF-8 BOM, for Excel) and as a Markdown
//! table. Input: strings and a [`Comparison`]. Output: bytes or text. Pure.

use std::io::{self, Write};

use crate::search::compare::Comparison;

use super::label::{Cited, md_citation, region_label, year_label};

/// A CSV cell defused when a spreadsheet would run it as a formula (`=…`, `+…`, `@…`).
pub fn csv_field(value: &str) -> String {
    let risky = value.chars().next().is_some_and(|c| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
        )
    });
    if risky {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// One CSV record (quoted by the `csv` crate where needed), cells defused.
pub(crate) fn write_csv_record<'a, W: Write>(
    out: &mut W,
    cells: impl IntoIterator<Item = &'a str>,
) -> io::Result<()> {
    let mut record = csv::Writer::from_writer(Vec::new());
    record.write_record(cells.into_iter().map(csv_field))?;
    let bytes = record
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&bytes)
}

/// Escapes only what Markdown would read as markup in running text (emphasis, code, links,
/// HTML), so that a title pastes as the text it is: `(2021-04-06)` stays as written.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// The comparison as CSV (a BOM first, for Excel): a column per case, rows 地区 and 年份,
/// one row per measure some case has passages for (its passages one per line), and 引用.
pub fn comparison_csv(cmp: &Comparison) -> io::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    let titles = cmp.docs.iter().map(|d| d.title.trim());
    write_csv_record(&mut out, std::iter::once("措施类型").chain(titles))?;
    let regions: Vec<String> = cmp.docs.iter().map(|d| region_label(&d.region)).collect();
    write_csv_record(&mut out, fact_row("地区", &regions))?;
    let years: Vec<String> = cmp.docs.iter().map(|d| year_label(d.year)).collect();
    write_csv_record(&mut out, fact_row("年份", &years))?;
    for row in cmp.filled_rows() {
        let cells: Vec<String> = row.cells.iter().map(|c| c.join("\n")).collect();
        write_csv_record(&mut out, fact_row(&row.label, &cells))?;
    }
    let citations: Vec<String> = cmp.docs.iter().map(|d| d.citation.clone()).collect();
    write_csv_record(&mut out, fact_row("引用", &citations))?;
    Ok(out)
}

fn fact_row<'a>(label: &'a str, cells: &'a [String]) -> impl Iterator<Item = &'a str> {
    std::iter::once(label).chain(cells.iter().map(String::as_str))
}

/// The comparison as a Markdown table that pastes cleanly (rows as in `comparison_csv`,
/// passages of a cell separated by `<br>`), and the numbered citations under it.
pub fn comparison_markdown(cmp: &Comparison) -> String {
    // Inside a table cell a `|` ends the cell: escaped too.
    let cell = |text: &str| md_escape(text.trim()).replace('|', "\\|");
    let row =
        |label: &str, cells: Vec<String>| format!("| {} | {} |\n", cell(label), cells.join(" | "));
    let mut out = String::from("# 案例对比\n\n");
    let titles = cmp
        .docs
        .iter()
        .map(|d| format!("《{}》", cell(&d.title)))
        .collect();
    out.push_str(&row("措施类型", titles));
    out.push_str(&format!("|{}\n", " --- |".repeat(cmp.docs.len() + 1)));
    let regions = cmp
        .docs
        .iter()
        .map(|d| cell(&region_label(&d.region)))
        .collect();
    out.push_str(&row("地区", regions));
    out.push_str(&row(
        "年份",
        cmp.docs.iter().map(|d| year_label(d.year)).collect(),
    ));
    for measure in cmp.filled_rows() {
        let cells = measure
            .cells
            .iter()
            .map(|passages| match passages.is_empty() {
                true => "—".to_string(),
                false => passages
                    .iter()
                    .map(|p| cell(p))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            });
        out.push_str(&row(&measure.label, cells.collect()));
    }
    out.push_str("\n## 引用\n\n");
    for (i, doc) in cmp.docs.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, md_citation(Cited::from(doc))));
    }
    out
}
