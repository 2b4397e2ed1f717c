//! Read-only side: a request → a response. Query building from analyzer tokens, the
//! matching strategy (stop words, synonyms, relaxation), facets, snippets, documents, similar
//! documents. No actix here; `server` wraps it.

pub mod compare;
pub mod docx;
mod engine;
pub mod export;
mod facet_children;
mod facets;
pub mod feed;
mod filters;
mod hits;
pub mod pivot;
mod plan;
pub mod precedents;
pub mod query;
mod regions;
pub mod request;
mod similar;
pub mod snippet;
mod stopwords;
pub mod synonyms;
pub mod types;

pub use engine::{Engine, Extras, Matching};
pub use request::{Origin, RawRequest, RequestError};
pub use types::*;
