//! The streamed body of `GET /api/export`: documents are loaded and written a chunk at a time
//! on the blocking pool, so an export of 10,000 documents never holds them all in memory. The
//! next chunk is made only when the HTTP layer asks for it, that is once the client has taken
//! the previous one (the connection's write buffer drained), and a chunk stops at
//! [`CHUNK_BYTES`]: a client that reads slowly holds one chunk, not the export.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::{self, Bytes};

use crate::Error;
use crate::search::Engine;
use crate::search::export::{ExportFormat, ExportWriter};

/// Most documents loaded per trip to the blocking pool.
const CHUNK: usize = 50;
/// A chunk ends with the document that takes it past this many bytes.
pub(super) const CHUNK_BYTES: usize = 16 * 1024;

type Writer = ExportWriter<Vec<u8>>;
type Ids = std::vec::IntoIter<String>;
type Step = std::io::Result<(Option<(Writer, Ids)>, Vec<u8>)>;
type Pending = Pin<Box<dyn Future<Output = Result<Step, actix_web::error::BlockingError>>>>;

pub(super) struct ExportBody {
    engine: Arc<Engine>,
    /// The writer and the ids left, while no step holds them.
    state: Option<(Writer, Ids)>,
    pending: Option<Pending>,
    finished: bool,
}

impl ExportBody {
    pub(super) fn new(
        engine: Arc<Engine>,
        format: ExportFormat,
        ids: Vec<String>,
    ) -> crate::Result<ExportBody> {
        let writer = ExportWriter::new(format, Vec::new())
            .map_err(|err| Error::io("starting an export", err))?;
        Ok(ExportBody {
            engine,
            state: Some((writer, ids.into_iter())),
            pending: None,
            finished: false,
        })
    }

    /// Starts the next step: the next chunk of documents, or the end of the export.
    fn start_step(&mut self) -> Option<Pending> {
        let (mut writer, mut ids) = self.state.take()?;
        let engine = Arc::clone(&self.engine);
        Some(Box::pin(web::block(move || -> Step {
            if ids.len() == 0 {
                return Ok((None, writer.finish()?));
            }
            for id in ids.by_ref().take(CHUNK) {
                match engine.doc(&id) {
                    Ok(doc) => writer.write(&doc)?,
                    // Deleted by a re-ingest since the search: leave it out.
                    Err(Error::NotFound(_)) => {}
                    Err(err) => return Err(std::io::Error::other(err.to_string())),
                }
                if writer.sink().len() >= CHUNK_BYTES {
                    break;
                }
            }
            let bytes = std::mem::take(writer.sink());
            Ok((Some((writer, ids)), bytes))
        })))
    }
}

impl MessageBody for ExportBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(pending) = this.pending.as_mut() {
                let step = match pending.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(step) => step,
                };
                this.pending = None;
                let (state, bytes) = match step {
                    Ok(Ok(done)) => done,
                    Ok(Err(err)) => return Poll::Ready(Some(Err(err))),
                    Err(_) => {
                        return Poll::Ready(Some(Err(std::io::Error::other("export stopped"))));
                    }
                };
                this.finished = state.is_none();
                this.state = state;
                if !bytes.is_empty() {
                    return Poll::Ready(Some(Ok(Bytes::from(bytes))));
                }
            }
            if this.finished {
                return Poll::Ready(None);
            }
            match this.start_step() {
                Some(step) => this.pending = Some(step),
                None => return Poll::Ready(None),
            }
        }
    }
}
