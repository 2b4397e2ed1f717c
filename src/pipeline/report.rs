//! What an ingest run did, for the batch job that runs it every night: the files added,
//! changed, removed and folded into another document, and which failures are new. Computed
//! from the manifests before and after the run; writes nothing.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::FileError;
use crate::index::manifest::Manifest;

/// `changes` of the ingest summary (spec/api.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Files whose document became a near-duplicate (or older version) of another in this run.
    pub folded: Vec<Folded>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folded {
    pub path: String,
    /// The file of the document it is folded into.
    pub into: String,
}

impl Changes {
    /// Compares the manifests: `read` are the files read in this run (some may have failed),
    /// `removed` those that disappeared.
    pub fn between(
        before: &Manifest,
        after: &Manifest,
        read: &[&str],
        removed: Vec<String>,
    ) -> Changes {
        let mut changes = Changes {
            removed,
            ..Changes::default()
        };
        if read.is_empty() && changes.removed.is_empty() {
            return changes; // nothing came or went, so nothing was folded either
        }
        for path in read {
            let (Some(now), then) = (after.files.get(*path), before.files.get(*path)) else {
                continue;
            };
            match then {
                None => changes.added.push(path.to_string()),
                Some(then) if then.hash != now.hash || then.fingerprint != now.fingerprint => {
                    changes.changed.push(path.to_string())
                }
                Some(_) => {}
            }
        }
        changes.folded = folded(before, after);
        changes.added.sort();
        changes.changed.sort();
        changes.removed.sort();
        changes
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
            && self.folded.is_empty()
    }
}

/// Documents folded in `after` that were not folded into the same document in `before`.
fn folded(before: &Manifest, after: &Manifest) -> Vec<Folded> {
    let file_of: HashMap<&str, &str> = after
        .files
        .iter()
        .flat_map(|(path, f)| f.docs.iter().map(move |d| (d.id.as_str(), path.as_str())))
        .collect();
    let was: HashMap<&str, Option<&str>> = before
        .files
        .values()
        .flat_map(|f| &f.docs)
        .map(|d| (d.id.as_str(), d.duplicate_of.as_deref()))
        .collect();
    let mut out: Vec<Folded> = Vec::new();
    for (path, file) in &after.files {
        for doc in &file.docs {
            let Some(into) = doc.duplicate_of.as_deref() else {
                continue;
            };
            if was.get(doc.id.as_str()).copied().flatten() == Some(into) {
                continue;
            }
            let into = file_of.get(into).copied().unwrap_or(into).to_string();
            if !out.iter().any(|f| &f.path == path && f.into == into) {
                out.push(Folded {
                    path: path.clone(),
                    into,
                });
            }
        }
    }
    out
}

/// Marks each failure new (the file did not fail in the run before) or recurring, and
/// returns the failures to remember for the next run.
pub fn mark_failures(errors: &mut [FileError], before: &Manifest) -> BTreeMap<String, String> {
    for error in errors.iter_mut() {
        error.new = !before.failed.contains_key(&error.path);
    }
    errors
        .iter()
        .map(|e| (e.path.clone(), e.error.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::manifest::{DocEntry, FileEntry};

    fn file(hash: &str, docs: &[(&str, Option<&str>)]) -> FileEntry {
        FileEntry {
            size: 1,
            mtime_ns: 1,
            hash: hash.into(),
            fingerprint: "f".into(),
            docs: docs
                .iter()
                .map(|(id, into)| DocEntry {
                    id: id.to_string(),
                    url: None,
                    chars: 10,
                    year: None,
                    passages: 1,
                    signature: crate::ingest::dedup::Signature::default().into(),
                    duplicate_of: into.map(str::to_string),
                    duplicates: vec![],
                    title: String::new(),
                    added: None,
                    versions: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn added_changed_removed_and_folded_files_are_named() {
        let mut before = Manifest::new();
        before
            .files
            .insert("a.txt".into(), file("1", &[("A", None)]));
        before
            .files
            .insert("b.txt".into(), file("2", &[("B", None)]));
        let mut after = before.clone();
        after
            .files
            .insert("a.txt".into(), file("9", &[("A", None)]));
        after
            .files
            .insert("c.txt".into(), file("3", &[("C", Some("A"))]));
        after.files.remove("b.txt");
        let read = ["a.txt", "c.txt", "bad.txt"];
        let changes = Changes::between(&before, &after, &read, vec!["b.txt".into()]);
        assert_eq!(changes.added, ["c.txt"]);
        assert_eq!(changes.changed, ["a.txt"]);
        assert_eq!(changes.removed, ["b.txt"]);
        assert_eq!(
            changes.folded,
            [Folded {
                path: "c.txt".into(),
                into: "a.txt".into()
            }]
        );
        let again = Changes::between(&after, &after, &[], vec![]);
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn failures_are_new_or_recurring() {
        let mut before = Manifest::new();
        before.failed.insert("old.bin".into(), "binary".into());
        let mut errors = vec![
            FileError {
                path: "old.bin".into(),
                error: "binary".into(),
                new: true,
            },
            FileError {
                path: "new.bin".into(),
                error: "binary".into(),
                new: false,
            },
        ];
        let remembered = mark_failures(&mut errors, &before);
        assert!(!errors[0].new && errors[1].new);
        assert_eq!(remembered.len(), 2);
    }
}
