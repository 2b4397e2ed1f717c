//! Read-only side: a request → a response. Query building from analyzer tokens, facets,
//! snippets, documents, similar documents. No actix here; `server` wraps it.

pub mod compare;
pub mod docx;
mod engine;
pub mod export;
mod facet_children;
mod facets;
mod filters;
mod hits;
pub mod query;
mod similar;
pub mod snippet;
pub mod types;

pub use engine::{Engine, Extras};
pub use types::*;
