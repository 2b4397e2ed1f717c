//! Writing: open the current generation (or a fresh one for a full rebuild), delete a file's
//! documents, add documents, and commit together with the manifest. Nothing becomes visible
//! before `commit`; a process killed before it leaves the last commit as it was. A fresh
//! generation is merged into one segment before it becomes current. An update of a generation
//! whose document files are mostly deleted documents rebuilds it instead, when the run sees
//! the whole corpus.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tantivy::indexer::NoMergePolicy;
use tantivy::schema::Facet;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::model::{Added, CaseDoc};
use crate::taxonomy::Taxonomy;
use crate::{Error, Result};

use super::documents::{self, CommittedFile, Dictionary, DocumentWriter, Location};
use super::fold;
use super::integrity;
use super::layout::{IndexDir, WriteLock};
use super::manifest::Manifest;
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::stored;
use super::tokenizer;

/// Memory for tantivy's indexing threads (split between them).
const WRITER_BUDGET: usize = 256 * 1024 * 1024;

/// An open write session on an index directory.
pub struct IndexUpdate {
    dir: IndexDir,
    lock: WriteLock,
    generation: PathBuf,
    /// True when `generation` is new and becomes current only at commit.
    fresh: bool,
    writer: IndexWriter,
    fields: Fields,
    /// The document files of the last commit, and the writer of this session's.
    committed_documents: Vec<CommittedFile>,
    documents: DocumentWriter,
    /// The documents held back until `documents` has its dictionary, made from them.
    sampled: Vec<CaseDoc>,
    dictionary: Dictionary,
    /// Why the current generation was not used (it is damaged, or mostly deleted documents),
    /// when that is so.
    rebuilt_because: Option<String>,
}

impl IndexUpdate {
    /// Locks the index directory and opens a write session, with the manifest of the last
    /// commit. `full` (or a missing or outdated index) starts a fresh generation with an
    /// empty manifest; so does a generation whose document files are mostly deleted
    /// documents, when the run is of the `whole_corpus` (a run over some paths would lose
    /// the others).
    pub fn open(root: &Path, full: bool, whole_corpus: bool) -> Result<(IndexUpdate, Manifest)> {
        let dir = IndexDir::new(root);
        let lock = dir.lock()?;
        dir.remove_uncommitted(&lock)?;
        let existing = if full {
            Current::None
        } else {
            open_current(&dir, whole_corpus)?
        };
        let mut rebuilt_because = None;
        let (generation, fresh, index, manifest, committed_documents) = match existing {
            Current::Whole(whole) => (
                whole.generation,
                false,
                whole.index,
                whole.manifest,
                whole.documents,
            ),
            Current::None | Current::Rebuild(_) => {
                if let Current::Rebuild(why) = existing {
                    rebuilt_because = Some(why);
                }
                let generation = dir.create_next(&lock)?;
                let index = create_index(&generation)?;
                (generation, true, index, Manifest::new(), Vec::new())
            }
        };
        let documents = DocumentWriter::open(&generation, &committed_documents)?;
        let writer = index
            .writer(WRITER_BUDGET)
            .map_err(|e| write_error(&generation, e))?;
        if fresh {
            // Merged once, at commit: a merge the policy started meanwhile would take
            // segments from under that merge (tantivy then fails it: "segments that were
            // merged could not be found", seen at 1M documents).
            writer.set_merge_policy(Box::new(NoMergePolicy));
        }
        // Segments a failed run left behind take space the next commit may need.
        let _ = writer.garbage_collect_files().wait();
        let fields = Fields::resolve(&index.schema())?;
        let update = IndexUpdate {
            dir,
            lock,
            generation,
            fresh,
            writer,
            fields,
            committed_documents,
            documents,
            sampled: Vec::new(),
            dictionary: Dictionary::default(),
            rebuilt_because,
        };
        Ok((update, manifest))
    }

    /// Deletes every document that came from the file at `source_path` (visible at commit),
    /// those held back for the dictionary too.
    pub fn delete_file(&mut self, source_path: &str) {
        self.sampled.retain(|doc| doc.source.path != source_path);
        self.writer
            .delete_term(Term::from_field_text(self.fields.file, source_path));
    }

    /// Adds one document (a near-duplicate, `duplicate_of` set, is stored but not searchable).
    /// The first documents of a session are held back and sampled for the dictionary of its
    /// document file, then added (at the latest by the commit; `delete_file` drops those of
    /// its file, as tantivy deletes the documents added before it).
    pub fn add(&mut self, doc: &CaseDoc) -> Result<()> {
        if !self.documents.wants_samples() {
            return self.write(doc);
        }
        self.dictionary.sample(&doc.text);
        self.sampled.push(doc.clone());
        if self.dictionary.is_full() {
            self.write_sampled()?;
        }
        Ok(())
    }

    /// Makes the document file's dictionary of the documents held back, and adds them.
    fn write_sampled(&mut self) -> Result<()> {
        (self.documents).set_dictionary(std::mem::take(&mut self.dictionary));
        for doc in std::mem::take(&mut self.sampled) {
            self.write(&doc)?;
        }
        Ok(())
    }

    fn write(&mut self, doc: &CaseDoc) -> Result<()> {
        let stored = (self.documents).append(&stored::encode_record(doc), doc.text.as_bytes())?;
        let doc = to_tantivy(&self.fields, doc, stored);
        self.writer
            .add_document(doc)
            .map_err(|e| write_error(&self.generation, e))?;
        Ok(())
    }

    /// When this session rebuilds the current generation because it is damaged or mostly
    /// deleted documents: the sentence that says so.
    pub fn rebuilt_because(&self) -> Option<&str> {
        self.rebuilt_because.as_deref()
    }

    /// When the documents of the index this session replaces were first indexed (a fresh
    /// generation starts from an empty manifest, but keeps these dates).
    pub fn added_before(&self) -> HashMap<String, Added> {
        let Ok(Some(current)) = self.dir.current() else {
            return HashMap::new();
        };
        let payload = open_index(&current).and_then(|index| Ok(index.load_metas()?.payload));
        match payload {
            Ok(payload) => Manifest::added_times(&current, payload.as_deref()),
            Err(_) => HashMap::new(),
        }
    }

    /// True when this session writes a new generation (a full rebuild, or no usable index).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Commits the documents and the manifest together; a fresh generation becomes current.
    pub fn commit(mut self, manifest: &Manifest) -> Result<()> {
        if !self.sampled.is_empty() {
            self.write_sampled()?;
        }
        let mut documents = std::mem::take(&mut self.committed_documents);
        documents.extend(self.documents.finish()?);
        let payload = manifest.store(&self.generation, &documents)?;
        let generation = self.generation.clone();
        let failed = |e| write_error(&generation, e);
        let mut prepared = self.writer.prepare_commit().map_err(failed)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(failed)?;
        if self.fresh {
            // A rebuilt index is merged into one segment: a search pays per segment for
            // opening each term's postings, and a full build leaves one segment per flush
            // of each indexing thread. Incremental commits leave tantivy's merge policy to
            // merge their small segments.
            let segments = self
                .writer
                .index()
                .searchable_segment_ids()
                .map_err(failed)?;
            // The commit is made: a failed merge leaves a valid index of several segments.
            if segments.len() > 1
                && let Err(err) = self.writer.merge(&segments).wait()
            {
                tracing::warn!(
                    target: "zhili::index",
                    "the rebuilt index in {} stays in {} segments (merging them failed: {err})",
                    generation.display(),
                    segments.len()
                );
            }
        }
        self.writer.wait_merging_threads().map_err(failed)?;
        Manifest::remove_stale(&self.generation, &payload);
        if self.fresh {
            self.dir.switch_to(&self.generation, &self.lock)?;
        }
        Ok(())
    }
}

/// A failed index write, with the path and, when the disk is what failed (tantivy's writer
/// threads die with "index writer was killed" and the cause goes to its log), the disk's error.
fn write_error(generation: &Path, err: tantivy::TantivyError) -> Error {
    let probe = generation.join(".space-probe");
    let tried = std::fs::write(&probe, vec![0u8; 1 << 20]);
    let _ = std::fs::remove_file(&probe);
    match tried {
        Err(io) => Error::io(
            format!("cannot write the index in {}", generation.display()),
            io,
        ),
        Ok(()) => Error::internal(format!(
            "cannot write the index in {}: {err}",
            generation.display()
        )),
    }
}

/// The current generation with its manifest, when it exists, has this schema version and
/// is whole. A damaged one (a file truncated or overwritten: its checksum fails, or it does
/// not open, or a document file ends early) is reported and left for a fresh generation to
/// replace, rebuilt from the corpus; so is one of the `whole_corpus` whose document files are
/// mostly deleted documents.
fn open_current(dir: &IndexDir, whole_corpus: bool) -> Result<Current> {
    let Some(generation) = dir.current()? else {
        return Ok(Current::None);
    };
    let opened = open_index(&generation).and_then(|index| {
        let payload = index.load_metas()?.payload;
        let manifest = Manifest::load(&generation, payload.as_deref())?;
        let documents = Manifest::documents_of(payload.as_deref())?;
        Ok((index, manifest, documents))
    });
    let (index, manifest, documents) = match opened {
        Ok(opened) => opened,
        Err(err) => return damaged(&generation, &format!("{err:#}")),
    };
    if manifest.schema_version != SCHEMA_VERSION {
        return Ok(Current::None);
    }
    match integrity::damage(&generation, &index, &documents) {
        Ok(None) => {}
        Ok(Some(why)) => return damaged(&generation, &why),
        Err(err) => return damaged(&generation, &err.to_string()),
    }
    let usage = match documents::usage(&index, &generation, &documents) {
        Ok(usage) => usage,
        Err(err) => return damaged(&generation, &err.to_string()),
    };
    if whole_corpus && usage.mostly_dead() {
        return Ok(Current::Rebuild(format!(
            "the index in {} is mostly deleted documents ({} of its {} stored bytes are \
             live); rebuilding it from the corpus",
            generation.display(),
            usage.live,
            usage.total
        )));
    }
    Ok(Current::Whole(Box::new(WholeGeneration {
        generation,
        index,
        manifest,
        documents,
    })))
}

fn damaged(generation: &Path, why: &str) -> Result<Current> {
    Ok(Current::Rebuild(format!(
        "the index in {} is damaged ({why}); rebuilding it from the corpus",
        generation.display()
    )))
}

/// What `open_current` found.
enum Current {
    /// No usable index (none yet, or of another format): start a fresh one.
    None,
    Whole(Box<WholeGeneration>),
    /// Damaged (or mostly deleted documents), with the sentence that says so: start a fresh
    /// one.
    Rebuild(String),
}

/// A generation to update, as its last commit left it.
struct WholeGeneration {
    generation: PathBuf,
    index: Index,
    manifest: Manifest,
    /// The document files the commit names.
    documents: Vec<CommittedFile>,
}

fn create_index(generation: &Path) -> Result<Index> {
    let index = Index::builder()
        .schema(schema::build())
        .create_in_dir(generation)?;
    tokenizer::register(&index);
    Ok(index)
}

/// Opens a generation directory for reading or writing, with the analyzers registered.
pub fn open_index(generation: &Path) -> Result<Index> {
    let index = Index::open_in_dir(generation).map_err(|err| {
        Error::internal(format!(
            "cannot open the index in {}: {err}",
            generation.display()
        ))
    })?;
    tokenizer::register(&index);
    Ok(index)
}

fn to_tantivy(fields: &Fields, doc: &CaseDoc, stored: Location) -> TantivyDocument {
    let mut out = TantivyDocument::default();
    out.add_text(fields.id, &doc.id);
    out.add_text(fields.file, &doc.source.path);
    out.add_text(fields.title, &doc.title);
    out.add_text(fields.body, &doc.text);
    out.add_text(fields.grams, &doc.title);
    out.add_text(fields.grams, &doc.text);
    if let Some(path) = &doc.region.path {
        out.add_facet(fields.region, Facet::from_path(path.split('/')));
        let ends = path.match_indices('/').map(|(i, _)| i).chain([path.len()]);
        for (field, end) in fields.region_levels.iter().zip(ends) {
            out.add_text(*field, &path[..end]);
        }
    }
    let taxonomy = Taxonomy::get();
    for measure in &doc.measures {
        out.add_facet(fields.measure, Facet::from_path([measure.as_str()]));
        if let Some(number) = taxonomy.position(measure) {
            out.add_u64(fields.measure_numbers, number as u64);
        }
    }
    if let Some(year) = doc.year {
        out.add_i64(fields.year, i64::from(year));
    }
    if let Some(added) = doc.added {
        out.add_i64(fields.added, added.0);
    }
    out.add_u64(fields.canonical, u64::from(doc.duplicate_of.is_none()));
    out.add_u64(fields.stored_in, stored.file);
    out.add_u64(fields.stored_at, stored.at);
    out.add_u64(fields.stored_len, stored.len);
    out.add_u64(
        fields.traditional,
        u64::from(fold::has_traditional(&doc.text)),
    );
    out
}

/// Builds a fresh index under `root` holding exactly `docs`, with an empty manifest.
pub fn build_index(root: &Path, docs: &[CaseDoc]) -> Result<()> {
    let (mut update, _) = IndexUpdate::open(root, true, true)?;
    for doc in docs {
        update.add(doc)?;
    }
    update.commit(&Manifest::new())
}
