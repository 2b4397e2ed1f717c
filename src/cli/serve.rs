//! `zhili serve [--addr HOST:PORT] [--allowed-host NAME ...] [--max-connections N]`: ingest the corpus first when the index is missing or
//! empty, then serve the HTTP API and the web page until Ctrl-C.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use super::Dirs;
use crate::Error;
use crate::pipeline::{IngestOptions, run_ingest};
use crate::search::Engine;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Address to listen on, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8080", env = "ZHILI_ADDR")]
    pub addr: String,
    /// Also answer requests whose Host header names NAME (repeatable); by default only the
    /// bound address, localhost, 127.0.0.1 and [::1] are answered (against DNS rebinding).
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,
    /// Most connections open at once, half of them from one address (lowered to fit the
    /// open-files limit); one more is answered 503 at once and closed.
    #[arg(long, default_value_t = crate::server::MAX_CONNECTIONS, env = "ZHILI_MAX_CONNECTIONS")]
    pub max_connections: usize,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging();
    let engine = open_or_ingest(&args.dirs)?;
    tracing::info!(
        "index {} holds {} documents",
        args.dirs.index.display(),
        engine.document_count()
    );
    crate::server::run(
        Arc::new(engine),
        &args.addr,
        &args.allowed_hosts,
        args.max_connections,
    )?;
    Ok(())
}

/// One log line per request on stderr; `RUST_LOG` overrides the default `info`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Opens the index, ingesting the corpus first when the index is missing or holds nothing.
fn open_or_ingest(dirs: &Dirs) -> anyhow::Result<Engine> {
    let has_files = corpus_has_files(&dirs.corpus);
    let needs_ingest = if no_committed_index(&dirs.index) {
        true
    } else {
        match Engine::open(&dirs.index) {
            Ok(engine) if engine.document_count() > 0 || !has_files => {
                return Ok(engine.with_corpus(&dirs.corpus));
            }
            Ok(_) => true,
            // Built by an older zhili: the ingest below rebuilds it.
            Err(err @ Error::OutdatedIndex { .. }) if has_files => {
                eprintln!("zhili: {err}; rebuilding it now");
                true
            }
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("cannot open the index at {}", dirs.index.display()));
            }
        }
    };
    if needs_ingest && !has_files {
        anyhow::bail!(
            "there is no index at {} and no files in the corpus dir {}: put case files there \
             (or pass --corpus DIR) and run again",
            dirs.index.display(),
            dirs.corpus.display()
        );
    }
    eprintln!("zhili: importing {} first", dirs.corpus.display());
    let options = IngestOptions {
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ..IngestOptions::new(&dirs.corpus, &dirs.index)
    };
    let summary = run_ingest(&options).context("importing the corpus failed")?;
    super::ingest::report_skipped(&summary);
    eprintln!(
        "zhili: imported {} files into {} documents ({} failed)",
        summary.files_indexed, summary.documents, summary.files_failed
    );
    Engine::open(&dirs.index)
        .map(|engine| engine.with_corpus(&dirs.corpus))
        .with_context(|| format!("cannot open the index at {}", dirs.index.display()))
}

/// No index was ever committed here: a missing or empty directory, or one that a first import
/// killed before its commit left behind (a generation but no `CURRENT`).
fn no_committed_index(dir: &Path) -> bool {
    crate::index::IndexDir::new(dir)
        .current()
        .is_ok_and(|current| current.is_none())
}

fn corpus_has_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .any(|entry| entry.file_type().is_file())
}
