//! Pinned tags ("human corrections win"): a sidecar `<file>.tags.toml` next to a corpus file,
//! or a section per file path in `<corpus>/zhili-tags.toml`; either may narrow a pin to one
//! document of a compilation (`[[doc]]` with `ordinal` or `title`). Pinned fields replace the
//! computed ones. Reads only those pin files, none larger than `MAX_USER_FILE_BYTES` (a larger
//! one is refused, naming it); format documented in docs/tagging.md.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::gazetteer;
use crate::model::{RawCase, Region, Tags};
use crate::{Error, Result};

pub(crate) const CORPUS_FILE: &str = "zhili-tags.toml";
pub(crate) const SIDECAR_SUFFIX: &str = ".tags.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilePins {
    /// `省/市/县` (full or short names); `""` pins "no region".
    region: Option<String>,
    /// `0` pins "no year"; otherwise within [`YEARS`].
    year: Option<i64>,
    measures: Option<Vec<String>>,
    #[serde(default)]
    doc: Vec<DocPins>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocPins {
    ordinal: Option<usize>,
    title: Option<String>,
    region: Option<String>,
    year: Option<i64>,
    measures: Option<Vec<String>>,
}

/// Parsed pins of one file and the raw text they came from (for the fingerprint).
type Parsed = (FilePins, String);

/// The years a pin may name (besides `0`, "no year"): four digits, as the tagger finds them.
const YEARS: std::ops::RangeInclusive<i64> = 1000..=9999;

/// A sidecar as read (None when absent): its text, and its pins or why they are refused.
type Sidecar = Option<Arc<(std::result::Result<FilePins, String>, String)>>;

/// All pins under one corpus root; sidecars are read on first use and cached for the run.
pub(crate) struct Pins {
    root: PathBuf,
    corpus: HashMap<String, Parsed>,
    sidecars: Mutex<HashMap<String, Sidecar>>,
}

fn parse(text: &str, origin: &Path) -> Result<FilePins> {
    let bad = |msg: String| Error::bad_request(format!("pinned tags {}: {msg}", origin.display()));
    let pins: FilePins = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    let taxonomy = crate::taxonomy::Taxonomy::get();
    let lists = std::iter::once(&pins.measures).chain(pins.doc.iter().map(|d| &d.measures));
    for id in lists.flatten().flatten() {
        if taxonomy.measure(id).is_none() {
            return Err(bad(format!(
                "unknown measure id `{id}` (see data/measures.toml)"
            )));
        }
    }
    let years = std::iter::once(pins.year).chain(pins.doc.iter().map(|d| d.year));
    if let Some(year) = years.flatten().find(|y| *y != 0 && !YEARS.contains(y)) {
        return Err(bad(format!(
            "year = {year} is not a year (a four-digit year, or 0 for none)"
        )));
    }
    Ok(pins)
}

/// `fingerprint_input` of a file with nothing pinned.
pub const UNPINNED: &str = "\u{0}";

fn normalise(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

impl Pins {
    pub fn load(root: &Path) -> Result<Pins> {
        let file = root.join(CORPUS_FILE);
        let mut corpus = HashMap::new();
        if file.is_file() {
            let text = super::read_user_file(&file).map_err(|reason| {
                Error::bad_request(format!("pinned tags {}: {reason}", file.display()))
            })?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| Error::bad_request(format!("pinned tags {}: {e}", file.display())))?;
            for (path, value) in table {
                let raw = toml::to_string(&value).unwrap_or_default();
                corpus.insert(normalise(&path), (parse(&raw, &file)?, raw));
            }
        }
        Ok(Pins {
            root: root.to_path_buf(),
            corpus,
            sidecars: Mutex::new(HashMap::new()),
        })
    }

    /// The sidecar of a file, read once per run.
    fn read_sidecar(&self, source_path: &str) -> Sidecar {
        let mut cache = self.sidecars.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(source_path.to_string())
            .or_insert_with(|| {
                let path = self.root.join(format!("{source_path}{SIDECAR_SUFFIX}"));
                let size = path.metadata().ok()?.len();
                Some(Arc::new(match super::read_user_file(&path) {
                    Ok(text) => (parse(&text, &path).map_err(|e| e.to_string()), text),
                    Err(reason) => {
                        let error = format!("pinned tags {}: {reason}", path.display());
                        // Stands for the text in the fingerprint: a fix is picked up.
                        let text = format!("{error} ({size} bytes)");
                        (Err(error), text)
                    }
                }))
            })
            .clone()
    }

    /// Whether the corpus's pins file names the file at `source_path`.
    pub fn pins_in_corpus_file(&self, source_path: &str) -> bool {
        !self.corpus.is_empty() && self.corpus.contains_key(&normalise(source_path))
    }

    /// Why the sidecar of a file is refused (naming it), if it is: the file is then not
    /// indexed, so that its pins are never dropped or stored wrong.
    pub fn sidecar_error(&self, source_path: &str) -> Option<String> {
        self.read_sidecar(source_path)?.0.as_ref().err().cloned()
    }

    /// The raw pin texts that apply to a file, for its fingerprint (`UNPINNED` for none).
    pub fn fingerprint_input(&self, source_path: &str) -> String {
        let key = normalise(source_path);
        let corpus = self.corpus.get(&key).map_or("", |p| p.1.as_str());
        let sidecar = self
            .read_sidecar(source_path)
            .map(|p| p.1.clone())
            .unwrap_or_default();
        format!("{corpus}\u{0}{sidecar}")
    }

    /// Overrides `tags` with whatever is pinned for this document.
    pub fn apply(&self, case: &RawCase, tags: &mut Tags) {
        let key = normalise(&case.source_path);
        if let Some((pins, _)) = self.corpus.get(&key) {
            apply_file(pins, case, tags);
        }
        if let Some(sidecar) = self.read_sidecar(&case.source_path)
            && let Ok(pins) = &sidecar.0
        {
            apply_file(pins, case, tags);
        }
    }
}

fn apply_file(pins: &FilePins, case: &RawCase, tags: &mut Tags) {
    apply_fields(&pins.region, pins.year, &pins.measures, tags);
    for doc in &pins.doc {
        let by_ordinal = doc.ordinal.is_some_and(|o| o == case.ordinal);
        let by_title = doc
            .title
            .as_deref()
            .is_some_and(|t| t.trim() == case.title.trim());
        if by_ordinal || by_title {
            apply_fields(&doc.region, doc.year, &doc.measures, tags);
        }
    }
}

fn apply_fields(
    region: &Option<String>,
    year: Option<i64>,
    measures: &Option<Vec<String>>,
    tags: &mut Tags,
) {
    if let Some(region) = region {
        tags.region = pinned_region(region);
    }
    if let Some(year) = year {
        tags.year = (year != 0).then_some(year as i32);
    }
    if let Some(measures) = measures {
        tags.measures = measures.clone();
    }
}

/// `甘肃/张掖市/临泽` → full official names where the gazetteer knows them.
pub(crate) fn pinned_region(text: &str) -> Region {
    let g = gazetteer::get();
    let mut levels: Vec<Option<String>> = Vec::new();
    let mut parent = None;
    for (level, name) in text
        .split('/')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .take(3)
        .enumerate()
    {
        let found = g.find(name, level as u8, parent);
        parent = found;
        levels.push(Some(
            found.map_or_else(|| name.to_string(), |i| g.places[i].full.clone()),
        ));
    }
    levels.resize(3, None);
    Region::from_levels(levels[0].clone(), levels[1].clone(), levels[2].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_in_pin_files_are_reported() {
        let path = Path::new("a.txt.tags.toml");
        assert!(parse("regoin = \"甘肃省\"", path).is_err());
        assert!(parse("year = \"2020\"", path).is_err());
        assert!(parse("[[doc]]\nordinal = 1\nyaer = 2020", path).is_err());
        assert!(parse("measures = [\"vidoe\"]", path).is_err());
        let err = parse("year = 99999999999", path).unwrap_err().to_string();
        assert!(
            err.contains("a.txt.tags.toml") && err.contains("99999999999"),
            "{err}"
        );
        assert!(parse("[[doc]]\nordinal = 1\nyear = -5", path).is_err());
        assert!(parse("year = 0", path).is_ok());
        assert!(
            parse(
                "region = \"甘肃省\"\n[[doc]]\ntitle = \"x\"\nyear = 2020",
                path
            )
            .is_ok()
        );
    }

    #[test]
    fn pinned_region_uses_full_names() {
        let r = pinned_region("甘肃/张掖/临泽县");
        assert_eq!(r.path.as_deref(), Some("甘肃省/张掖市/临泽县"));
        assert_eq!(pinned_region("").path, None);
    }
}
