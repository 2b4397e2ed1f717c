//! Read-only side: a request → a response. Query building from analyzer tokens, the
//! matching strategy (stop words, synonyms, relaxation), facets, snippets, documents, similar
//! documents. No actix here; `server` wraps it.

pub mod compare;
mod engine;
mod facet_children;
mod facets;
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
