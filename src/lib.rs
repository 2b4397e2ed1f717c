//! zhili (治理): full-text search and side-by-side comparison of Chinese social-governance
//! case studies.
//!
//! The program is a pipeline, one module per stage:
//! `ingest` (files → `RawCase`) → `tag` (→ tags) → `index` (the only writer of `index/`)
//! → `search` (read-only: query, facets, snippets) → `render` (labels, citations, exports,
//! tables, Word, Atom, terminal text) → `server` (HTTP) and `cli`.
//! `pipeline` runs the stages in order for `zhili ingest`; `model` holds the hand-off types,
//! `taxonomy` the measure types, `error` the error type.
//!
//! End to end, from a folder of files to a highlighted hit:
//! ```
//! use zhili::pipeline::{IngestOptions, run_ingest};
//! use zhili::search::{Engine, SearchRequest};
//!
//! let dir = tempfile::tempdir()?;
//! let corpus = dir.path().join("corpus");
//! std::fs::create_dir_all(&corpus)?;
//! std::fs::write(corpus.join("case.txt"), "网格化管理经验\n临泽县网格员每日巡逻，化解矛盾纠纷。\n")?;
//!
//! let summary = run_ingest(&IngestOptions::new(&corpus, dir.path().join("index")))?;
//! assert_eq!(summary.documents, 1);
//!
//! let engine = Engine::open(&dir.path().join("index"))?;
//! let response = engine.search(&SearchRequest::new("网格员 巡逻"))?;
//! assert_eq!(response.total, 1);
//! assert!(response.hits[0].snippet.contains("<mark>网格员</mark>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cli;
pub mod crawl;
pub mod error;
pub mod index;
pub mod ingest;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod search;
pub mod server;
pub mod tag;
pub mod taxonomy;

pub use error::{Error, Result};
