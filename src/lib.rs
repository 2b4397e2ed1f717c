//! zhili (治理): full-text search and side-by-side comparison of Chinese social-governance
//! case studies.
//!
//! The program is a pipeline, one module per stage:
//! `ingest` (files → `RawCase`) → `tag` (→ `CaseDoc`) → `index` (the only writer of `index/`)
//! → `search` (read-only: query, facets, snippets) → `server` (HTTP) and `cli`.
//! `model` holds the hand-off types, `taxonomy` the measure types, `error` the error type.

pub mod cli;
pub mod crawl;
pub mod error;
pub mod index;
pub mod ingest;
pub mod model;
pub mod pipeline;
pub mod search;
pub mod server;
pub mod tag;
pub mod taxonomy;

pub use error::{Error, Result};
