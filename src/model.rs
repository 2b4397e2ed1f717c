//! Hand-off types between the pipeline stages: data only, no behaviour beyond small helpers.
//!
//! `RawFile` (walk/decode) → `RawCase` (clean/split) → `CaseDoc` (tag) → index.
//! The JSON shapes of `Region`, `Source`, `Passage` and `CaseDoc` are the API's (spec/api.md).

use serde::{Deserialize, Serialize};

/// One input file, decoded to plain text (HTML and docx already reduced to their text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFile {
    /// Path as shown to users and stored in the index: relative to the corpus dir when the file
    /// is inside it, with `/` separators, so ids are the same on every machine.
    pub path: String,
    pub kind: FileKind,
    /// Decoded text, not yet cleaned. Paragraphs separated by newlines.
    pub text: String,
    /// Canonical URL when the file itself says where it came from (crawl metadata, `<link rel=canonical>`).
    pub url: Option<String>,
    /// Publication date the crawler found for the page (`published` in its sidecar).
    pub published: Option<String>,
    /// Who published it: the crawler's `source` (the page's `来源` line).
    pub publisher: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Text,
    Markdown,
    Html,
    Docx,
}

/// One document found inside a file, before tagging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawCase {
    pub source_path: String,
    /// 0-based position of this document inside its file (part of its stable id).
    pub ordinal: usize,
    pub title: String,
    /// The document's cleaned text (title line excluded), paragraphs separated by `\n`.
    pub text: String,
    /// URL the text names (`文章来源：http…`) or the file's own URL.
    pub url: Option<String>,
    /// Publication date (`YYYY-MM-DD` or `YYYY-MM`): crawl metadata or a date line under the
    /// title. Evidence for the year.
    pub published: Option<String>,
    /// The issuing body or outlet: crawl metadata or a `来源：` line under the title.
    pub publisher: Option<String>,
    /// Paragraph-sized pieces of `text`, in order; their concatenation covers the text.
    pub passages: Vec<String>,
}

/// The place a case is about, as full official names. Any level may be `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    /// `province/city/county` down to the deepest known level; `None` when nothing is known.
    pub path: Option<String>,
}

impl Region {
    /// Builds a region from its levels, filling `path` consistently.
    pub fn from_levels(
        province: Option<String>,
        city: Option<String>,
        county: Option<String>,
    ) -> Region {
        let parts: Vec<&str> = [&province, &city, &county]
            .iter()
            .map_while(|level| level.as_deref())
            .collect();
        let path = (!parts.is_empty()).then(|| parts.join("/"));
        Region {
            province,
            city,
            county,
            path,
        }
    }
}

/// Tags the tagger gives one `RawCase`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    pub region: Region,
    pub year: Option<i32>,
    pub years_mentioned: Vec<i32>,
    /// Measure ids, most prominent first.
    pub measures: Vec<String>,
    /// Measure ids per passage, index-aligned with `RawCase::passages`.
    pub passage_measures: Vec<Vec<String>>,
    /// Per passage, the phrases that decided each of its measures.
    pub passage_evidence: Vec<Evidence>,
}

/// Measure id → the lexicon phrases that decided it.
pub type Evidence = std::collections::BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub path: String,
    pub url: Option<String>,
    /// The issuing body or outlet, when the page or text names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Publication date, `YYYY-MM-DD` or `YYYY-MM`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// `<doc id>-p<n>`, n from 1.
    pub id: String,
    pub measures: Vec<String>,
    /// Why each measure was given: the phrases that decided it (none for pinned measures).
    #[serde(default, skip_serializing_if = "Evidence::is_empty")]
    pub evidence: Evidence,
    pub text: String,
}

/// A tagged document: what the index stores and `GET /api/docs/{id}` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDoc {
    pub id: String,
    pub title: String,
    pub region: Region,
    pub year: Option<i32>,
    pub years_mentioned: Vec<i32>,
    pub measures: Vec<String>,
    pub source: Source,
    /// Sources of near-duplicates collapsed into this (canonical) document.
    pub duplicates: Vec<Source>,
    /// Id of the canonical document when this one is a near-duplicate of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Of a canonical document: the other versions of its text folded into it, newest first.
    #[serde(default)]
    pub versions: Vec<Version>,
    /// When the document was first indexed (kept when its file changes or the index is
    /// rebuilt); `None` only for documents that never went through an ingest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<Added>,
    pub text: String,
    pub passages: Vec<Passage>,
}

/// Another version of a document's text (a near-duplicate folded into it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub id: String,
    pub title: String,
    pub year: Option<i32>,
}

/// A moment, as Unix seconds; shown as an ISO 8601 date-time in UTC (`2026-12-02T13:35:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Added(pub i64);

impl Added {
    pub fn now() -> Added {
        Added::at(std::time::SystemTime::now()).unwrap_or(Added(0))
    }

    /// `2026-12-02T13:35:00Z`.
    pub fn iso(self) -> String {
        let secs = u64::try_from(self.0).unwrap_or(0);
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        humantime::format_rfc3339_seconds(at).to_string()
    }

    /// Midnight (UTC) starting a `YYYY-MM-DD` day; `None` when `day` is not such a date.
    pub fn day_start(day: &str) -> Option<Added> {
        let well_formed = day.len() == 10
            && day.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return None;
        }
        let at = humantime::parse_rfc3339(&format!("{day}T00:00:00Z")).ok()?;
        Added::at(at)
    }

    /// `time` in whole seconds; `None` before 1970.
    fn at(time: std::time::SystemTime) -> Option<Added> {
        let secs = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(Added(i64::try_from(secs).ok()?))
    }
}

impl Serialize for Added {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Added {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Added, D::Error> {
        let text = String::deserialize(deserializer)?;
        let at = humantime::parse_rfc3339_weak(&text).map_err(serde::de::Error::custom)?;
        Added::at(at).ok_or_else(|| serde::de::Error::custom(format!("{text} is before 1970")))
    }
}

/// Stable, URL-safe id of the `ordinal`-th document of the file at `source_path`.
pub fn doc_id(source_path: &str, ordinal: usize) -> String {
    let digest = blake3::hash(format!("{source_path}#{ordinal}").as_bytes());
    digest.to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_path_stops_at_first_unknown_level() {
        let region = Region::from_levels(Some("甘肃省".into()), None, Some("临泽县".into()));
        assert_eq!(region.path.as_deref(), Some("甘肃省"));
        assert_eq!(Region::from_levels(None, None, None).path, None);
    }

    #[test]
    fn added_is_shown_as_an_iso_date_time_and_days_start_at_midnight_utc() {
        let day = Added::day_start("2026-12-02").unwrap();
        assert_eq!(day.iso(), "2026-12-02T00:00:00Z");
        let json = serde_json::to_string(&Added(day.0 + 3661)).unwrap();
        assert_eq!(json, "\"2026-12-02T01:01:01Z\"");
        assert_eq!(
            serde_json::from_str::<Added>(&json).unwrap(),
            Added(day.0 + 3661)
        );
        for bad in [
            "2026-13-01",
            "2026-2-01",
            "yesterday",
            "2026-12-02T00:00:00Z",
            "",
        ] {
            assert_eq!(Added::day_start(bad), None, "{bad}");
        }
    }

    #[test]
    fn doc_ids_are_stable_and_url_safe() {
        let id = doc_id("seeds/000.txt", 3);
        assert_eq!(id, doc_id("seeds/000.txt", 3));
        assert_ne!(id, doc_id("seeds/000.txt", 4));
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(id.len(), 16);
    }
}
