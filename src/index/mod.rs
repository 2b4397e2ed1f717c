//! The only writer of `index/`: schema (the one place field names are spelled), tokenizers
//! (the only code that names jieba), and the writer (incremental upsert/delete, commit, full
//! rebuild into a fresh directory switched atomically).

use std::path::Path;

use crate::Result;
use crate::model::CaseDoc;

/// Builds a fresh index at `dir` holding exactly `docs` (all searchable). For tests and
/// benchmarks; `pipeline::run_ingest` is what users run.
pub fn build_index(dir: &Path, docs: &[CaseDoc]) -> Result<()> {
    let _ = (dir, docs);
    todo!("lead")
}
