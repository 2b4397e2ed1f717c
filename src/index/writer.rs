//! Writing: open the current generation (or a fresh one for a full rebuild), delete a file's
//! documents, add documents, and commit together with the manifest. Nothing becomes visible
//! before `commit`; a process killed before it leaves the last commit as it was.

use std::path::{Path, PathBuf};

use tantivy::schema::Facet;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use crate::model::CaseDoc;
use crate::{Error, Result};

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
}

impl IndexUpdate {
    /// Locks the index directory and opens a write session, with the manifest of the last
    /// commit. `full` (or a missing or outdated index) starts a fresh generation with an
    /// empty manifest.
    pub fn open(root: &Path, full: bool) -> Result<(IndexUpdate, Manifest)> {
        let dir = IndexDir::new(root);
        let lock = dir.lock()?;
        let existing = if full { None } else { open_current(&dir)? };
        let (generation, fresh, index, manifest) = match existing {
            Some((generation, index, manifest)) => (generation, false, index, manifest),
            None => {
                let generation = dir.create_next(&lock)?;
                let index = create_index(&generation)?;
                (generation, true, index, Manifest::new())
            }
        };
        let writer = index.writer(WRITER_BUDGET)?;
        let fields = Fields::resolve(&index.schema())?;
        let update = IndexUpdate {
            dir,
            lock,
            generation,
            fresh,
            writer,
            fields,
        };
        Ok((update, manifest))
    }

    /// Deletes every document that came from the file at `source_path` (visible at commit).
    pub fn delete_file(&mut self, source_path: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.file, source_path));
    }

    /// Adds one document (a near-duplicate, `duplicate_of` set, is stored but not searchable).
    pub fn add(&mut self, doc: &CaseDoc) -> Result<()> {
        self.writer.add_document(to_tantivy(&self.fields, doc)?)?;
        Ok(())
    }

    /// Commits the documents and the manifest together; a fresh generation becomes current.
    pub fn commit(mut self, manifest: &Manifest) -> Result<()> {
        let payload = manifest.store(&self.generation)?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        Manifest::remove_stale(&self.generation, &payload);
        if self.fresh {
            self.dir.switch_to(&self.generation, &self.lock)?;
        }
        Ok(())
    }
}

/// The current generation with its manifest, when it exists and has this schema version.
fn open_current(dir: &IndexDir) -> Result<Option<(PathBuf, Index, Manifest)>> {
    let Some(generation) = dir.current()? else {
        return Ok(None);
    };
    let index = open_index(&generation)?;
    let metas = index.load_metas()?;
    let manifest = Manifest::load(&generation, metas.payload.as_deref())?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Ok(None);
    }
    Ok(Some((generation, index, manifest)))
}

fn create_index(generation: &Path) -> Result<Index> {
    let index = Index::create_in_dir(generation, schema::build())?;
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

fn to_tantivy(fields: &Fields, doc: &CaseDoc) -> Result<TantivyDocument> {
    let mut out = TantivyDocument::default();
    out.add_text(fields.id, &doc.id);
    out.add_text(fields.file, &doc.source.path);
    out.add_text(fields.title, &doc.title);
    out.add_text(fields.body, &doc.text);
    out.add_text(fields.grams, &doc.title);
    out.add_text(fields.grams, &doc.text);
    if let Some(path) = &doc.region.path {
        out.add_facet(fields.region, Facet::from_path(path.split('/')));
    }
    for measure in &doc.measures {
        out.add_facet(fields.measure, Facet::from_path([measure.as_str()]));
    }
    if let Some(year) = doc.year {
        out.add_i64(fields.year, i64::from(year));
    }
    out.add_u64(fields.canonical, u64::from(doc.duplicate_of.is_none()));
    out.add_text(fields.doc, stored::encode(doc)?);
    Ok(out)
}

/// Builds a fresh index under `root` holding exactly `docs`, with an empty manifest.
pub fn build_index(root: &Path, docs: &[CaseDoc]) -> Result<()> {
    let (mut update, _) = IndexUpdate::open(root, true)?;
    for doc in docs {
        update.add(doc)?;
    }
    update.commit(&Manifest::new())
}
