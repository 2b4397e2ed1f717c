//! Read-only side: a request → a response. Query building from analyzer tokens, facets,
//! snippets, documents, similar documents. No actix here; `server` wraps it.

pub mod compare;
pub mod export;
pub mod types;

use std::path::Path;

pub use types::*;

use crate::Result;
use crate::model::CaseDoc;

/// An open, searchable index. Cheap to share (`Arc<Engine>`); picks up new commits by itself.
pub struct Engine {}

impl Engine {
    /// Opens the index under `index_dir` (the directory `ingest` writes).
    pub fn open(index_dir: &Path) -> Result<Engine> {
        let _ = index_dir;
        todo!("lead")
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse> {
        let _ = request;
        todo!("lead")
    }

    /// One document by id (`Error::NotFound` for an unknown id).
    pub fn doc(&self, id: &str) -> Result<CaseDoc> {
        let _ = id;
        todo!("lead")
    }

    /// Documents most like `id`, itself and near-duplicates excluded.
    pub fn similar(&self, id: &str, limit: usize) -> Result<Vec<Hit>> {
        let _ = (id, limit);
        todo!("lead")
    }

    /// Every document matching the request's query and filters (page ignored), best first,
    /// at most `limit`. For export.
    pub fn matching_docs(&self, request: &SearchRequest, limit: usize) -> Result<Vec<CaseDoc>> {
        let _ = (request, limit);
        todo!("lead")
    }

    /// Number of searchable (canonical) documents.
    pub fn document_count(&self) -> u64 {
        todo!("lead")
    }

    /// Searchable documents per measure id, for every measure of the taxonomy.
    pub fn measure_counts(&self) -> Result<Vec<(String, u64)>> {
        todo!("lead")
    }
}
