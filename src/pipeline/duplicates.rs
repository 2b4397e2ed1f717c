//! Near-duplicate status across the whole index: which document of each group of near-
//! duplicates is canonical (the newest, so that a revised text is never hidden behind its
//! older version; then the longest; ties to the smallest id), and which sources it lists.

use std::collections::HashMap;

use crate::index::manifest::Manifest;
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

/// The status of every document of the manifest that is in a near-duplicate group.
/// Documents missing from the map are unique.
pub fn statuses(manifest: &Manifest) -> HashMap<String, Status> {
    let docs: Vec<(&str, &crate::index::manifest::DocEntry)> = manifest
        .files
        .iter()
        .flat_map(|(path, entry)| entry.docs.iter().map(move |d| (path.as_str(), d)))
        .collect();
    let signatures: Vec<&dedup::Signature> = docs.iter().map(|(_, d)| &d.signature).collect();
    let mut out = HashMap::new();
    for group in dedup::clusters(&signatures) {
        let canonical = *group
            .iter()
            .max_by(|&&a, &&b| {
                let (a, b) = (docs[a].1, docs[b].1);
                (a.year.cmp(&b.year))
                    .then(a.chars.cmp(&b.chars))
                    .then_with(|| b.id.cmp(&a.id))
            })
            .expect("a group has members");
        let canonical_id = docs[canonical].1.id.clone();
        let mut sources: Vec<Source> = Vec::new();
        let mut versions: Vec<Version> = Vec::new();
        for &member in group.iter().filter(|&&m| m != canonical) {
            let (path, doc) = docs[member];
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
