//! `ingest` end to end: scan → read → split → tag → index, then near-duplicate status across
//! the whole index, incrementally against the manifest of the last commit. The only code that
//! runs the stages in order. Nothing is visible to readers until the single commit at the end.

mod batch;
mod duplicates;
mod process;
mod report;
mod scan;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::index::manifest::{FileEntry, Manifest};
use crate::index::{IndexDir, IndexUpdate, LastIngest};
use crate::ingest::{FollowSymlinks, ReadOptions};
use crate::model::Added;
use crate::tag::Tagger;

use duplicates::Status;
use process::Processed;
pub use process::StageTimes;
pub use report::{Changes, Folded};
use scan::Found;

/// What to ingest and where.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// Paths to import (default: the corpus dir). Files inside the corpus dir are named
    /// relative to it; others by the path as given.
    pub paths: Vec<PathBuf>,
    /// Rebuild from scratch in a fresh directory and switch to it atomically.
    pub full: bool,
    pub max_file_bytes: u64,
    pub max_doc_bytes: u64,
    /// Which symbolic links to follow (never those leading outside the corpus root).
    pub follow_symlinks: FollowSymlinks,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
}

impl IngestOptions {
    pub fn new(corpus: impl Into<PathBuf>, index: impl Into<PathBuf>) -> IngestOptions {
        IngestOptions {
            corpus: corpus.into(),
            index: index.into(),
            paths: Vec::new(),
            full: false,
            max_file_bytes: ReadOptions::default().max_bytes,
            max_doc_bytes: ReadOptions::default().max_doc_bytes,
            follow_symlinks: FollowSymlinks::default(),
            progress: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileError {
    pub path: String,
    pub error: String,
    /// First seen in this run (the file did not fail in the run before).
    #[serde(default)]
    pub new: bool,
}

/// The `zhili ingest --json` summary (spec/api.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestSummary {
    pub files_seen: u64,
    pub files_indexed: u64,
    pub files_unchanged: u64,
    pub files_removed: u64,
    pub files_failed: u64,
    /// Searchable documents and their passages in the index after the run.
    pub documents: u64,
    pub passages: u64,
    /// Near-duplicates folded into a canonical document (not searchable themselves).
    pub duplicates: u64,
    /// Bytes of the files read and indexed in this run.
    pub bytes: u64,
    pub seconds: f64,
    /// Where the time went (thread-seconds; reading, splitting and tagging run in parallel).
    pub stage_seconds: StageTimes,
    pub errors: Vec<FileError>,
    /// Things the run did that the user should know about (a damaged index rebuilt).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The files added, changed, removed and folded in this run.
    pub changes: Changes,
}

/// Brings the index up to date with the corpus.
pub fn run_ingest(options: &IngestOptions) -> Result<IngestSummary> {
    let started = Instant::now();
    let mut summary = IngestSummary::default();
    let tagger = Tagger::load(&options.corpus)?;
    let (mut update, previous) =
        IndexUpdate::open(&options.index, options.full, options.paths.is_empty())?;
    let added = FirstIndexed::new(&update, &previous);
    summary
        .warnings
        .extend(update.rebuilt_because().map(str::to_string));
    let roots = scan::roots(&options.corpus, &options.paths, &mut summary.errors);
    let mut skipped = Vec::new();
    let found = scan::find_files(&roots, options.follow_symlinks, &mut skipped);
    summary.files_seen = found.len() as u64;
    summary.files_failed = skipped.len() as u64;
    summary.errors.append(&mut skipped);

    // Copied only once something changes it: a no-op run over a million documents would
    // otherwise copy and compare a manifest of a million entries.
    let mut manifest: Cow<Manifest> = Cow::Borrowed(&previous);
    let removed = scan::removed(&previous, &roots, &found);
    for path in &removed {
        update.delete_file(path);
        manifest.to_mut().files.remove(path);
        summary.files_removed += 1;
    }
    let to_read = select_changed(&found, &mut manifest, &tagger, &mut summary);
    let read_options = ReadOptions {
        max_bytes: options.max_file_bytes,
        max_doc_bytes: options.max_doc_bytes,
    };
    let progress = progress_bar(options.progress, to_read.len());
    process_all(&to_read, &tagger, &read_options, |file, outcome| {
        progress.inc(1);
        let statuses = HashMap::new();
        if record(
            &mut update,
            manifest.to_mut(),
            &mut summary,
            file,
            outcome,
            &statuses,
            &added,
        )? {
            summary.files_indexed += 1;
            summary.bytes += file.size;
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    let read_now: Vec<&str> = to_read.iter().map(|f| f.path.as_str()).collect();
    // Statuses can only change when some document came or went.
    let settled = if summary.files_indexed + summary.files_removed > 0 || options.full {
        settle_duplicates(
            &mut update,
            manifest.to_mut(),
            &found,
            &tagger,
            &read_options,
            &mut summary,
            &added,
        )?
    } else {
        Vec::new()
    };
    // Unchanged files re-indexed only because their near-duplicate status changed.
    let extra = settled
        .iter()
        .filter(|p| !read_now.contains(&p.as_str()))
        .count() as u64;
    summary.files_indexed += extra;
    summary.files_unchanged = summary.files_unchanged.saturating_sub(extra);
    summary.changes = Changes::between(&previous, &manifest, &read_now, removed);
    let failed = report::mark_failures(&mut summary.errors, &previous);
    if failed != manifest.failed {
        manifest.to_mut().failed = failed;
    }

    let committing = Instant::now();
    // Nothing read, removed or re-stamped: the committed index and manifest already say it all
    // (rewriting the manifest was a third of a no-op at 100k documents).
    let changed = match &manifest {
        Cow::Borrowed(_) => false,
        Cow::Owned(manifest) => *manifest != previous,
    };
    if update.is_fresh() || changed {
        update.commit(&manifest)?;
    }
    summary.stage_seconds.commit = committing.elapsed().as_secs_f64();
    count_index(&manifest, &mut summary);
    summary.seconds = started.elapsed().as_secs_f64();
    let last = LastIngest {
        finished_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        files_indexed: summary.files_indexed,
        files_failed: summary.files_failed,
        documents: summary.documents,
    };
    // The index is committed: a status file that cannot be written does not fail the run.
    if let Err(err) = IndexDir::new(&options.index).write_last_ingest(&last) {
        summary.warnings.push(format!("{err:#}"));
    }
    Ok(summary)
}

/// Reads and converts `files` on the processing threads, in batches bounded by the bytes of
/// documents they hold (`batch::Limits`), and hands each outcome to `record` in order.
fn process_all(
    files: &[&Found],
    tagger: &Tagger,
    options: &ReadOptions,
    record: impl FnMut(&&Found, std::result::Result<Processed, String>) -> Result<()>,
) -> Result<()> {
    batch::run(
        files,
        batch::Limits::default(),
        |file| process::process(file, tagger, options),
        |outcome| outcome.as_ref().map_or(0, Processed::held_bytes),
        record,
    )
}

/// The files that need reading: new ones, and those whose size, mtime or tagger fingerprint
/// changed and whose content hash differs. Unchanged files are counted.
fn select_changed<'a>(
    found: &'a [Found],
    manifest: &mut Cow<Manifest>,
    tagger: &Tagger,
    summary: &mut IngestSummary,
) -> Vec<&'a Found> {
    let mut to_read = Vec::new();
    for file in found {
        let fingerprint = tagger.fingerprint(&file.path, file.pin_sidecar);
        let Some(entry) = manifest.files.get(&file.path) else {
            to_read.push(file);
            continue;
        };
        if scan::unchanged_by_stat(entry, file, &fingerprint) {
            summary.files_unchanged += 1;
            continue;
        }
        let same_content =
            std::fs::read(&file.abs).is_ok_and(|b| process::content_hash(&b) == entry.hash);
        if same_content && entry.fingerprint == fingerprint {
            let entry = (manifest.to_mut().files.get_mut(&file.path)).expect("listed above");
            entry.size = file.size;
            entry.mtime_ns = file.mtime_ns;
            summary.files_unchanged += 1;
        } else {
            to_read.push(file);
        }
    }
    to_read
}

/// Indexes one processed file (replacing what the index held of it), or reports why not and
/// returns false. A file that fails keeps whatever the index already held of it.
fn record(
    update: &mut IndexUpdate,
    manifest: &mut Manifest,
    summary: &mut IngestSummary,
    file: &Found,
    outcome: std::result::Result<Processed, String>,
    statuses: &HashMap<String, Status>,
    added: &FirstIndexed,
) -> Result<bool> {
    let mut processed = match outcome {
        Ok(processed) => processed,
        Err(error) => {
            summary.files_failed += 1;
            summary.errors.push(FileError {
                path: file.path.clone(),
                error,
                new: true,
            });
            return Ok(false);
        }
    };
    stamp(&mut processed, statuses, added);
    let started = Instant::now();
    update.delete_file(&file.path);
    for doc in &processed.docs {
        update.add(doc)?;
    }
    processed.timings.index = started.elapsed().as_secs_f64();
    summary.stage_seconds.add(&processed.timings);
    manifest.files.insert(file.path.clone(), processed.entry);
    Ok(true)
}

/// When documents were first indexed: the dates the index held (also of an index being
/// rebuilt), and this run's start for documents it has never held. The held dates are
/// gathered on the first question: a run that indexes nothing never asks.
struct FirstIndexed<'a> {
    rebuilt: HashMap<String, Added>,
    previous: &'a Manifest,
    held: OnceLock<HashMap<&'a str, Added>>,
    now: Added,
}

impl<'a> FirstIndexed<'a> {
    fn new(update: &IndexUpdate, previous: &'a Manifest) -> FirstIndexed<'a> {
        FirstIndexed {
            rebuilt: match update.is_fresh() {
                true => update.added_before(),
                false => HashMap::new(),
            },
            previous,
            held: OnceLock::new(),
            now: Added::now(),
        }
    }

    fn of(&self, id: &str) -> Added {
        let held = self.held.get_or_init(|| {
            let docs = self.previous.files.values().flat_map(|file| &file.docs);
            docs.filter_map(|doc| Some((doc.id.as_str(), doc.added?)))
                .collect()
        });
        (held.get(id).or_else(|| self.rebuilt.get(id)))
            .copied()
            .unwrap_or(self.now)
    }
}

/// Gives a processed file's documents their near-duplicate status and first-indexed date.
fn stamp(processed: &mut Processed, statuses: &HashMap<String, Status>, added: &FirstIndexed) {
    for (doc, entry) in processed
        .docs
        .iter_mut()
        .zip(processed.entry.docs.iter_mut())
    {
        let status = statuses.get(&doc.id).cloned().unwrap_or_default();
        doc.duplicate_of = status.duplicate_of.clone();
        doc.duplicates = status.duplicates.clone();
        doc.versions = status.versions.clone();
        doc.added = Some(added.of(&doc.id));
        entry.duplicate_of = status.duplicate_of;
        entry.duplicates = status.duplicates;
        entry.versions = status.versions;
        entry.added = doc.added;
    }
}

/// Recomputes near-duplicate groups over the whole manifest and re-indexes the files whose
/// documents' status changed (a new twin arrived, a canonical one was removed, …). Returns the
/// paths re-indexed.
fn settle_duplicates(
    update: &mut IndexUpdate,
    manifest: &mut Manifest,
    found: &[Found],
    tagger: &Tagger,
    read_options: &ReadOptions,
    summary: &mut IngestSummary,
    added: &FirstIndexed,
) -> Result<Vec<String>> {
    let statuses = duplicates::statuses(manifest);
    let stale = duplicates::stale_files(manifest, &statuses);
    let files: Vec<&Found> = found
        .iter()
        .filter(|f| stale.binary_search(&f.path).is_ok())
        .filter(|f| !summary.errors.iter().any(|e| e.path == f.path))
        .collect();
    let mut settled = Vec::new();
    process_all(&files, tagger, read_options, |file, outcome| {
        if record(update, manifest, summary, file, outcome, &statuses, added)? {
            settled.push(file.path.clone());
        }
        Ok(())
    })?;
    Ok(settled)
}

fn count_index(manifest: &Manifest, summary: &mut IngestSummary) {
    let docs = manifest.files.values().flat_map(|f: &FileEntry| &f.docs);
    for doc in docs {
        if doc.duplicate_of.is_some() {
            summary.duplicates += 1;
        } else {
            summary.documents += 1;
            summary.passages += doc.passages as u64;
        }
    }
}

fn progress_bar(wanted: bool, len: usize) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed_precise} (eta {eta})")
            .expect("valid template"),
    );
    bar
}
