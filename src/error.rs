//! The library's one error type. `User` errors are the caller's to fix (bad query, bad
//! parameter, unknown id) and carry words a person understands; the rest are internal.
//! No HTTP here: `server::error` maps these to status codes.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user asked for is malformed: a query, a parameter, a file argument.
    #[error("{0}")]
    BadRequest(String),
    /// An id or path that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A request the service refuses to answer for whoever sent it (a foreign `Host`).
    #[error("{0}")]
    Forbidden(String),
    /// The index was written by a zhili with another index format; an ingest rebuilds it.
    #[error(
        "the index at {path} was built by another version of zhili (index format {found}, this one \
         reads {expected}): run `zhili ingest` to rebuild it from the corpus"
    )]
    OutdatedIndex {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// Another process holds the index for writing.
    #[error("the index at {0} is being written by another process; try again when it finishes")]
    IndexBusy(PathBuf),
    /// Displayed as its context; the I/O error is its `source` (printed by `{:#}` chains).
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::BadRequest(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::NotFound(message.into())
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::Internal(message.into())
    }

    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// True when the caller, not the program, is at fault.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::BadRequest(_) | Error::NotFound(_) | Error::Forbidden(_)
        )
    }
}

impl From<tantivy::query::QueryParserError> for Error {
    fn from(err: tantivy::query::QueryParserError) -> Error {
        Error::BadRequest(format!("the query could not be understood: {err}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Error {
        Error::Internal(format!("JSON error: {err}"))
    }
}
