//! `zhili export [QUERY] [filters] [--format ndjson|es-bulk|quickwit|csv|md|docx] [--output
//! FILE]`: every matching document (all canonical ones when no query or filter) streamed to
//! stdout or FILE in index order, one document in memory at a time (no list of ids is collected
//! first; a Word file holds the documents' fields, not their texts, until it is written).

use std::io::{BufWriter, Write};

use anyhow::Context;
use clap::Args;

use super::{Dirs, Filters};
use crate::search::export::{ExportFormat, ExportWriter};
use crate::search::{Engine, SearchRequest};
use crate::server::params;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Query (optional: without it, every document that passes the filters).
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Output format: ndjson, es-bulk, quickwit, csv, md or docx (a Word file: needs --output).
    #[arg(long, default_value = "ndjson")]
    pub format: String,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let format: ExportFormat = args.format.parse()?;
    let mut request = args
        .filters
        .apply_to(SearchRequest::new(args.query.unwrap_or_default()));
    params::check(&mut request)?;
    let engine = Engine::open(&args.dirs.index)
        .with_context(|| format!("cannot open the index at {}", args.dirs.index.display()))?
        .with_corpus(&args.dirs.corpus);
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write --output {}", path.display()))?;
        return write_all(&engine, format, &request, BufWriter::new(file));
    }
    if format == ExportFormat::Docx {
        anyhow::bail!(
            "--format docx writes a Word file: add --output FILE (e.g. --output cases.docx)"
        );
    }
    let stdout = std::io::stdout().lock();
    match write_all(&engine, format, &request, BufWriter::new(stdout)) {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

fn write_all<W: Write>(
    engine: &Engine,
    format: ExportFormat,
    request: &SearchRequest,
    out: W,
) -> anyhow::Result<()> {
    let mut writer = ExportWriter::new(format, out)?;
    let mut failed: Option<std::io::Error> = None;
    let walked = engine.for_each_matching(request, usize::MAX, |doc| {
        writer.write(&doc).map_err(|err| {
            let stop = crate::Error::internal(format!("export stopped: {err}"));
            failed = Some(err);
            stop
        })
    });
    if let Some(err) = failed {
        return Err(err.into());
    }
    walked?;
    writer.finish()?;
    Ok(())
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
