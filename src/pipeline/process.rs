//! One file through the stages: read → split → tag → `CaseDoc`s, plus its manifest entry; a
//! file whose pinned-tags sidecar is refused is not read, and one holding a document longer
//! than the limit per document is not indexed. Pure apart from reading the file;
//! runs on many threads at once.

use std::fs;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::index::manifest::{DocEntry, FileEntry};
use crate::ingest::{self, ReadOptions, dedup};
use crate::model::{CaseDoc, Passage, RawCase, Source, doc_id};
use crate::tag::Tagger;

use super::scan::Found;

/// A file's documents, ready to index, and what the manifest records of it.
pub struct Processed {
    pub entry: FileEntry,
    pub docs: Vec<CaseDoc>,
    pub timings: StageTimes,
}

/// Thread-seconds spent in each stage (summed over files and threads).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageTimes {
    pub read: f64,
    pub split: f64,
    pub tag: f64,
    pub fingerprint: f64,
    /// Handing documents to the index writer (its threads tokenize meanwhile).
    pub index: f64,
    /// Commit and merges.
    pub commit: f64,
}

impl StageTimes {
    pub fn add(&mut self, other: &StageTimes) {
        self.read += other.read;
        self.split += other.split;
        self.tag += other.tag;
        self.fingerprint += other.fingerprint;
        self.index += other.index;
        self.commit += other.commit;
    }
}

/// Seconds since `started`, restarting the clock.
fn lap(started: &mut Instant) -> f64 {
    let seconds = started.elapsed().as_secs_f64();
    *started = Instant::now();
    seconds
}

/// Reads and converts one file; the error is the reason it was skipped.
pub fn process(file: &Found, tagger: &Tagger, options: &ReadOptions) -> Result<Processed, String> {
    let mut clock = Instant::now();
    let mut timings = StageTimes::default();
    if let Some(error) = tagger.pin_error(&file.path) {
        return Err(error);
    }
    let raw = ingest::read_file(&file.abs, &file.path, options)?;
    let bytes = fs::read(&file.abs).map_err(|e| format!("cannot read: {e}"))?;
    timings.read = lap(&mut clock);
    let cases = ingest::split_file(&raw);
    too_long(&cases, options.max_doc_bytes)?;
    timings.split = lap(&mut clock);
    let docs: Vec<CaseDoc> = cases.into_iter().map(|case| to_doc(case, tagger)).collect();
    timings.tag = lap(&mut clock);
    let entry = FileEntry {
        size: file.size,
        mtime_ns: file.mtime_ns,
        hash: content_hash(&bytes),
        fingerprint: tagger.fingerprint(&file.path, file.pin_sidecar),
        docs: docs.iter().map(doc_entry).collect(),
    };
    timings.fingerprint = lap(&mut clock);
    Ok(Processed {
        entry,
        docs,
        timings,
    })
}

/// Refuses a file one of whose documents holds more than `max` bytes of text.
fn too_long(cases: &[RawCase], max: u64) -> Result<(), String> {
    let Some(case) = cases.iter().find(|case| case.text.len() as u64 > max) else {
        return Ok(());
    };
    let which = match cases.len() {
        1 => "its text".to_string(),
        _ => format!("its document {} (“{}”)", case.ordinal + 1, case.title),
    };
    Err(format!(
        "{which} is {} long, more than the {} limit per document (--max-doc-mb); not read",
        ingest::human_size(case.text.len() as u64),
        ingest::human_size(max)
    ))
}

impl Processed {
    /// Bytes of text its documents hold (titles, texts and passages).
    pub fn held_bytes(&self) -> u64 {
        let doc = |d: &CaseDoc| {
            d.title.len() + d.text.len() + d.passages.iter().map(|p| p.text.len()).sum::<usize>()
        };
        self.docs.iter().map(doc).sum::<usize>() as u64
    }
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
            evidence: tags.passage_evidence.get(i).cloned().unwrap_or_default(),
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
            publisher: case.publisher,
            published: case.published,
        },
        duplicates: Vec::new(),
        duplicate_of: None,
        versions: vec![],
        added: None,
        text: case.text,
        passages,
    }
}

fn doc_entry(doc: &CaseDoc) -> DocEntry {
    DocEntry {
        id: doc.id.clone(),
        title: doc.title.clone(),
        added: doc.added,
        url: doc.source.url.clone(),
        chars: doc.text.chars().count(),
        year: doc.year,
        passages: doc.passages.len(),
        signature: dedup::signature(&doc.text).into(),
        duplicate_of: doc.duplicate_of.clone(),
        duplicates: doc.duplicates.clone(),
        versions: doc.versions.clone(),
    }
}
