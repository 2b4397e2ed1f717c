//! One file through the stages: read → split → tag → `CaseDoc`s, plus its manifest entry.
//! Pure apart from reading the file; runs on many threads at once.

use std::fs;

use crate::index::manifest::{DocEntry, FileEntry};
use crate::ingest::{self, ReadOptions, dedup};
use crate::model::{CaseDoc, Passage, RawCase, Source, doc_id};
use crate::tag::Tagger;

use super::scan::Found;

/// A file's documents, ready to index, and what the manifest records of it.
pub struct Processed {
    pub entry: FileEntry,
    pub docs: Vec<CaseDoc>,
}

/// Reads and converts one file; the error is the reason it was skipped.
pub fn process(file: &Found, tagger: &Tagger, options: &ReadOptions) -> Result<Processed, String> {
    let raw = ingest::read_file(&file.abs, &file.path, options)?;
    let bytes = fs::read(&file.abs).map_err(|e| format!("cannot read: {e}"))?;
    let docs: Vec<CaseDoc> = ingest::split_file(&raw)
        .into_iter()
        .map(|case| to_doc(case, tagger))
        .collect();
    let entry = FileEntry {
        size: file.size,
        mtime_ns: file.mtime_ns,
        hash: content_hash(&bytes),
        fingerprint: tagger.fingerprint(&file.path),
        docs: docs.iter().map(doc_entry).collect(),
    };
    Ok(Processed { entry, docs })
}

pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

fn to_doc(case: RawCase, tagger: &Tagger) -> CaseDoc {
    let tags = tagger.tag(&case);
    let id = doc_id(&case.source_path, case.ordinal);
    let passages = case
        .passages
        .into_iter()
        .enumerate()
        .map(|(i, text)| Passage {
            id: format!("{id}-p{}", i + 1),
            measures: tags.passage_measures.get(i).cloned().unwrap_or_default(),
            text,
        })
        .collect();
    CaseDoc {
        id,
        title: case.title,
        region: tags.region,
        year: tags.year,
        years_mentioned: tags.years_mentioned,
        measures: tags.measures,
        source: Source {
            path: case.source_path,
            url: case.url,
        },
        duplicates: Vec::new(),
        duplicate_of: None,
        text: case.text,
        passages,
    }
}

fn doc_entry(doc: &CaseDoc) -> DocEntry {
    DocEntry {
        id: doc.id.clone(),
        url: doc.source.url.clone(),
        chars: doc.text.chars().count(),
        passages: doc.passages.len(),
        signature: dedup::signature(&doc.text),
        duplicate_of: doc.duplicate_of.clone(),
        duplicates: doc.duplicates.clone(),
    }
}
