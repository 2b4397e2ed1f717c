//! Near-duplicate status across the whole index: which document of each group of near-
//! duplicates is canonical, and which sources it lists. The canonical one is of the newest
//! year (a revised text is never hidden behind its older version); among those, a text at
//! least [`FULLER`] times as long as another wins (a full text beside its excerpt), but a copy
//! that only adds or drops a little (a paragraph slipped into a copied file) does not displace
//! the file that was there first: the oldest file (modification time) wins, then the longest,
//! then the smallest path and id.

use std::collections::HashMap;

use crate::index::manifest::{DocEntry, Manifest};
use crate::ingest::dedup;
use crate::model::{Source, Version};

/// The near-duplicate status a document should be indexed with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub duplicate_of: Option<String>,
    pub duplicates: Vec<Source>,
    /// Of the canonical document: the other members, newest first.
    pub versions: Vec<Version>,
}

/// How many times as long a text must be to win over a near-duplicate of the same year: a
/// full text beside an excerpt of it, not a copy with a paragraph more.
pub const FULLER: f64 = 1.25;

/// The status of every document of the manifest that is in a near-duplicate group.
/// Documents missing from the map are unique.
pub fn statuses(manifest: &Manifest) -> HashMap<String, Status> {
    let docs: Vec<Member> = manifest
        .files
        .iter()
        .flat_map(|(path, entry)| {
            entry.docs.iter().map(move |doc| Member {
                path: path.as_str(),
                mtime_ns: entry.mtime_ns,
                doc,
            })
        })
        .collect();
    let decoded: Vec<dedup::Signature> = docs.iter().map(|m| m.doc.signature.signature()).collect();
    let signatures: Vec<&dedup::Signature> = decoded.iter().collect();
    let mut out = HashMap::new();
    for group in dedup::clusters(&signatures) {
        let canonical = canonical(&docs, &group);
        let canonical_id = docs[canonical].doc.id.clone();
        let mut sources: Vec<Source> = Vec::new();
        let mut versions: Vec<Version> = Vec::new();
        for &member in group.iter().filter(|&&m| m != canonical) {
            let Member { path, doc, .. } = docs[member];
            sources.push(Source {
                path: path.to_string(),
                url: doc.url.clone(),
                ..Default::default()
            });
            versions.push(Version {
                id: doc.id.clone(),
                title: doc.title.clone(),
                year: doc.year,
            });
            out.insert(
                doc.id.clone(),
                Status {
                    duplicate_of: Some(canonical_id.clone()),
                    ..Status::default()
                },
            );
        }
        sources.sort_by(|a, b| a.path.cmp(&b.path));
        sources.dedup();
        // Newest first; a version with no year last; then by title and id, so the order is
        // the same on every run.
        versions.sort_by(|a, b| {
            (b.year.cmp(&a.year))
                .then_with(|| a.title.cmp(&b.title))
                .then_with(|| a.id.cmp(&b.id))
        });
        out.insert(
            canonical_id,
            Status {
                duplicate_of: None,
                duplicates: sources,
                versions,
            },
        );
    }
    out
}

/// A document of the manifest, with the file it is in.
#[derive(Clone, Copy)]
struct Member<'a> {
    path: &'a str,
    mtime_ns: u128,
    doc: &'a DocEntry,
}

/// The canonical member of `group` (indices into `docs`), as the module header says.
fn canonical(docs: &[Member], group: &[usize]) -> usize {
    let year = group.iter().map(|&m| docs[m].doc.year).max().flatten();
    let newest: Vec<usize> = group
        .iter()
        .copied()
        .filter(|&m| docs[m].doc.year == year)
        .collect();
    let longest = newest.iter().map(|&m| docs[m].doc.chars).max().unwrap_or(0);
    newest
        .into_iter()
        .filter(|&m| docs[m].doc.chars as f64 * FULLER >= longest as f64)
        .min_by(|&a, &b| {
            let (a, b) = (docs[a], docs[b]);
            (a.mtime_ns.cmp(&b.mtime_ns))
                .then(b.doc.chars.cmp(&a.doc.chars))
                .then_with(|| a.path.cmp(b.path))
                .then_with(|| a.doc.id.cmp(&b.doc.id))
        })
        .expect("a group has members")
}

/// Paths of the files holding a document whose indexed status differs from `wanted`.
pub fn stale_files(manifest: &Manifest, wanted: &HashMap<String, Status>) -> Vec<String> {
    manifest
        .files
        .iter()
        .filter(|(_, entry)| {
            entry.docs.iter().any(|doc| {
                let want = wanted.get(&doc.id).cloned().unwrap_or_default();
                want.duplicate_of != doc.duplicate_of
                    || want.duplicates != doc.duplicates
                    || want.versions != doc.versions
            })
        })
        .map(|(path, _)| path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, chars: usize, year: Option<i32>) -> DocEntry {
        DocEntry {
            id: id.into(),
            url: None,
            chars,
            year,
            passages: 1,
            signature: dedup::Signature::default().into(),
            duplicate_of: None,
            duplicates: Vec::new(),
            title: id.into(),
            added: None,
            versions: Vec::new(),
        }
    }

    #[test]
    fn the_newest_then_a_fuller_text_then_the_oldest_file_is_canonical() {
        let docs = [
            entry("excerpt", 400, Some(2021)),
            entry("original", 1000, Some(2021)),
            entry("tampered", 1100, Some(2021)),
            entry("older-year", 5000, Some(2019)),
            entry("revised", 900, Some(2022)),
        ];
        let member = |i: usize, mtime_ns: u128| Member {
            path: "p",
            mtime_ns,
            doc: &docs[i],
        };
        let all = [
            member(0, 1),
            member(1, 2),
            member(2, 3),
            member(3, 0),
            member(4, 9),
        ];
        assert_eq!(canonical(&all, &[0, 1, 2]), 1, "the original, first there");
        assert_eq!(canonical(&all, &[0, 2]), 2, "a full text beats its excerpt");
        assert_eq!(
            canonical(&all, &[0, 1, 2, 3, 4]),
            4,
            "the newest year first"
        );
        assert_eq!(
            canonical(&all, &[1, 3]),
            1,
            "a longer older version does not win"
        );
    }
}
