//! Evaluation of the tagger on a labelled set built from `../shared/data`: local regulations
//! (`lawrefbook-laws`: province from the folder, city from the title prefix, year from the
//! file name), national administrative regulations (no region), and the 2026 provincial
//! government work reports (province, year 2026). Prints precision and recall for province,
//! city and year, separately for the tuning part and the held-out part (a fixed 30% chosen
//! by a hash of the path, never used for tuning). Reads those data files only.

use std::fmt::Write as _;
use std::path::Path;

use super::Tagger;
use super::gazetteer;
use crate::model::RawCase;
use crate::{Error, Result};

/// One document with its expected tags (`None` = no region at that level / not labelled year).
pub struct Labelled {
    pub case: RawCase,
    pub province: Option<String>,
    pub city: Option<String>,
    /// `None` when the year is unknown (then year is not scored for this document).
    pub year: Option<i32>,
    pub held_out: bool,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub predicted: usize,
    pub predicted_correct: usize,
    pub labelled: usize,
    pub labelled_found: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.predicted_correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.labelled_found, self.labelled)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Counts per field (province, city, year) for the tuning part (0) and the held-out part (1).
#[derive(Debug, Default)]
pub struct Report {
    pub docs: [usize; 2],
    pub province: [Counts; 2],
    pub city: [Counts; 2],
    pub year: [Counts; 2],
    pub errors: Vec<String>,
}

impl Report {
    pub fn table(&self) -> String {
        let mut out = String::from("part      field     docs  precision  recall\n");
        for (part, name) in ["tuning", "held-out"].iter().enumerate() {
            for (field, c) in [
                ("province", &self.province),
                ("city", &self.city),
                ("year", &self.year),
            ] {
                let c = c[part];
                let _ = writeln!(
                    out,
                    "{name:<9} {field:<9} {:>5}  {:>8.1}%  {:>5.1}%   ({}/{} predicted, {}/{} labelled)",
                    self.docs[part],
                    100.0 * c.precision(),
                    100.0 * c.recall(),
                    c.predicted_correct,
                    c.predicted,
                    c.labelled_found,
                    c.labelled
                );
            }
        }
        out
    }
}

fn score(c: &mut Counts, predicted: Option<&str>, label: Option<&str>, label_known: bool) {
    if !label_known {
        return;
    }
    if let Some(p) = predicted {
        c.predicted += 1;
        c.predicted_correct += usize::from(Some(p) == label);
    }
    if label.is_some() {
        c.labelled += 1;
        c.labelled_found += usize::from(predicted == label);
    }
}

/// Tags every document of `set` and counts agreements; up to 40 disagreements are kept.
pub fn evaluate(tagger: &Tagger, set: &[Labelled]) -> Report {
    let mut r = Report::default();
    for doc in set {
        let part = usize::from(doc.held_out);
        let tags = tagger.tag_unpinned(&doc.case);
        r.docs[part] += 1;
        let region = &tags.region;
        score(
            &mut r.province[part],
            region.province.as_deref(),
            doc.province.as_deref(),
            true,
        );
        score(
            &mut r.city[part],
            region.city.as_deref(),
            doc.city.as_deref(),
            true,
        );
        let (py, ly) = (
            tags.year.map(|y| y.to_string()),
            doc.year.map(|y| y.to_string()),
        );
        score(
            &mut r.year[part],
            py.as_deref(),
            ly.as_deref(),
            doc.year.is_some(),
        );
        let only = std::env::var("ZHILI_EVAL_SHOW").unwrap_or_default();
        let wrong_region = region.province.is_some() && region.province != doc.province
            || region.city.is_some() && region.city != doc.city;
        let wrong_year = doc.year.is_some() && tags.year != doc.year;
        let wrong = match only.as_str() {
            "year" => wrong_year,
            "region" => wrong_region,
            _ => wrong_region || wrong_year,
        };
        if wrong && !doc.held_out && r.errors.len() < 40 {
            r.errors.push(format!(
                "{}: got {:?} {:?}, want {:?}/{:?} {:?}",
                doc.case.source_path, region.path, tags.year, doc.province, doc.city, doc.year
            ));
        }
    }
    r
}

/// Loads the set, tags it with the embedded lexicon and prints the table; returns the report.
pub fn run(data_dir: &Path, sample_every: usize) -> Result<Report> {
    let set = load_set(data_dir, sample_every)?;
    let tagger = Tagger::load(Path::new("/nonexistent-zhili-corpus"))?;
    let report = evaluate(&tagger, &set);
    println!("{}", report.table());
    Ok(report)
}

/// Builds the labelled set from `data_dir` (the shared `data` folder), keeping every
/// `sample_every`-th document of each source.
pub fn load_set(data_dir: &Path, sample_every: usize) -> Result<Vec<Labelled>> {
    let mut set = laws(data_dir, sample_every.max(1))?;
    set.extend(reports(data_dir)?);
    Ok(set)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
}

fn held_out(path: &str) -> bool {
    blake3::hash(path.as_bytes()).as_bytes()[0] % 10 < 3
}

/// A RawCase from a Markdown file: the `# ` line is the title, paragraphs are passages.
pub fn case_from_markdown(path: &str, content: &str) -> RawCase {
    let (title, text) = match content.split_once('\n') {
        Some((first, rest)) if first.starts_with("# ") => {
            (first[2..].trim().to_string(), rest.trim())
        }
        _ => (String::new(), content.trim()),
    };
    case_from_text(path, &title, text)
}

fn case_from_text(path: &str, title: &str, text: &str) -> RawCase {
    let passages = text
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}\n"))
        .collect();
    RawCase {
        source_path: path.to_string(),
        ordinal: 0,
        title: title.to_string(),
        text: text.to_string(),
        url: None,
        published: None,
        publisher: None,
        passages,
    }
}

fn laws(data_dir: &Path, every: usize) -> Result<Vec<Labelled>> {
    let dir = data_dir.join("lawrefbook-laws");
    let manifest = read(&dir.join("manifest.csv"))?;
    let mut out = Vec::new();
    for (i, row) in parse_csv(&manifest).into_iter().skip(1).enumerate() {
        let [path, category, province, title, date, ..] = &row[..] else {
            continue;
        };
        if !matches!(category.as_str(), "地方性法规" | "行政法规") || i % every != 0 {
            continue;
        }
        let content = read(&dir.join(path))?;
        let (province, city) = law_region(province, title);
        out.push(Labelled {
            case: case_from_markdown(path, &content),
            province,
            city,
            year: law_year(date, &content),
            held_out: held_out(path),
        });
    }
    Ok(out)
}

/// The file name's year, when the header block (adoption/amendment lines) names it; otherwise
/// the text does not carry that date and the year is not scored for this file.
fn law_year(date_in_filename: &str, content: &str) -> Option<i32> {
    let year: i32 = date_in_filename.get(..4)?.parse().ok()?;
    let header = content.split("<!-- INFO END -->").next().unwrap_or("");
    let header = if header.len() < content.len() {
        header
    } else {
        ""
    };
    header.contains(&format!("{year}年")).then_some(year)
}

/// Province from the folder's short name; city from the first city or county of that
/// province the title names after the province (full or short name; municipalities: the
/// municipality itself); no city when the title names none (a provincial regulation).
fn law_region(short: &str, title: &str) -> (Option<String>, Option<String>) {
    let g = gazetteer::get();
    let Some(p) = (!short.is_empty())
        .then(|| g.find(short, 0, None))
        .flatten()
    else {
        return (None, None);
    };
    let province = g.places[p].full.clone();
    if gazetteer::is_municipality(&province) {
        return (Some(province.clone()), Some(province));
    }
    let rest = title
        .trim_start_matches(province.as_str())
        .trim_start_matches(short);
    let city = g
        .places
        .iter()
        .enumerate()
        .filter(|&(i, c)| c.level >= 1 && g.chain(i)[0] == Some(p))
        .flat_map(|(i, c)| [c.full.as_str(), c.short.as_str()].map(|n| (i, n)))
        .filter(|(_, n)| n.chars().count() >= 2)
        .filter_map(|(i, n)| rest.find(n).map(|at| (at, std::cmp::Reverse(n.len()), i)))
        .min()
        .and_then(|(_, _, i)| g.chain(i)[1])
        .map(|c| g.places[c].full.clone());
    (Some(province), city)
}

fn reports(data_dir: &Path) -> Result<Vec<Labelled>> {
    let dir = data_dir.join("gov-reports-provincial-2026/files");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(format!("listing {}", dir.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let content = read(&file)?;
        let rows = parse_csv(content.trim_start_matches('\u{feff}'));
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for row in rows.into_iter().skip(1) {
            let [province, year, title, _url, _date, text, ..] = &row[..] else {
                continue;
            };
            let province = gazetteer::get()
                .find(province, 0, None)
                .map(|p| gazetteer::get().places[p].full.clone());
            let city = province
                .as_deref()
                .filter(|p| gazetteer::is_municipality(p))
                .map(String::from);
            out.push(Labelled {
                case: case_from_text(&name, title, text),
                province,
                city,
                year: year.parse().ok(),
                held_out: held_out(&name),
            });
        }
    }
    Ok(out)
}

/// Minimal RFC 4180 reader: quoted fields may hold commas, quotes (`""`) and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reader_handles_quotes_and_newlines() {
        let rows = parse_csv("a,b\n\"x,1\",\"line\nnext \"\"q\"\"\"\n");
        assert_eq!(
            rows[1],
            vec!["x,1".to_string(), "line\nnext \"q\"".to_string()]
        );
    }

    #[test]
    fn law_labels_from_folder_and_title() {
        assert_eq!(
            law_region("山东", "青岛市养犬管理条例"),
            (Some("山东省".into()), Some("青岛市".into()))
        );
        assert_eq!(
            law_region("山东", "山东省禁毒条例"),
            (Some("山东省".into()), None)
        );
        assert_eq!(
            law_region("浙江", "浙江省景宁畲族自治县自治条例")
                .1
                .as_deref(),
            Some("丽水市")
        );
        assert_eq!(
            law_region("上海", "上海口岸服务条例"),
            (Some("上海市".into()), Some("上海市".into()))
        );
        assert_eq!(law_region("", "治安管理处罚法"), (None, None));
    }
}
