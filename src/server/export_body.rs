//! The streamed body of `GET /api/export`: the documents of one search (`Matching`, on the
//! searcher snapshot the search ran on) are loaded and written a chunk at a time on the
//! blocking pool, so an export of 10,000 documents never holds them all in memory. The
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
use crate::render::export::{ExportFormat, ExportWriter};
use crate::search::Matching;

/// Most documents loaded per trip to the blocking pool.
const CHUNK: usize = 50;
/// A chunk ends with the document that takes it past this many bytes.
pub(super) const CHUNK_BYTES: usize = 16 * 1024;

type Writer = ExportWriter<Vec<u8>>;
/// The writer and the position of the next document.
type State = (Writer, usize);
type Step = std::io::Result<(Option<State>, Vec<u8>)>;
type Pending = Pin<Box<dyn Future<Output = Result<Step, actix_web::error::BlockingError>>>>;

pub(super) struct ExportBody {
    matching: Arc<Matching>,
    /// While no step holds it.
    state: Option<State>,
    pending: Option<Pending>,
    finished: bool,
}

impl ExportBody {
    pub(super) fn new(format: ExportFormat, matching: Matching) -> crate::Result<ExportBody> {
        let writer = ExportWriter::new(format, Vec::new())
            .map_err(|err| Error::io("starting an export", err))?;
        Ok(ExportBody {
            matching: Arc::new(matching),
            state: Some((writer, 0)),
            pending: None,
            finished: false,
        })
    }

    /// Starts the next step: the next chunk of documents, or the end of the export.
    fn start_step(&mut self) -> Option<Pending> {
        let (mut writer, at) = self.state.take()?;
        let matching = Arc::clone(&self.matching);
        Some(Box::pin(web::block(move || -> Step {
            if at >= matching.len() {
                return Ok((None, writer.finish()?));
            }
            let mut failed = None;
            let mut written = 0;
            let next = matching
                .for_each_from(at, |doc| {
                    if let Err(err) = writer.write(&doc) {
                        failed = Some(err);
                        return Ok(false);
                    }
                    written += 1;
                    Ok(written < CHUNK && writer.sink().len() < CHUNK_BYTES)
                })
                .map_err(|err| std::io::Error::other(err.to_string()))?;
            if let Some(err) = failed {
                return Err(err);
            }
            let bytes = std::mem::take(writer.sink());
            Ok((Some((writer, next)), bytes))
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
