//! `zhili export [QUERY] [filters] [--sort …] [--format ndjson|es-bulk|quickwit|sphinxql|csv|md|docx]
//! [--shards N] [--output FILE]`: every document the search lists (all canonical ones when no
//! query or filter), in its order (`Engine::matching`, as `/api/export`), streamed to
//! stdout or FILE one document in memory at a time (a Word file holds the documents' fields,
//! not their texts, until it is written); `--shards N` (sphinxql only) sends each row to the
//! index `cases_k` of its shard.

use std::io::{BufWriter, Write};

use anyhow::Context;
use clap::Args;

use super::{Dirs, Filters};
use crate::render::export::{ExportFormat, ExportWriter};
use crate::search::{Engine, Origin, RawRequest, SearchRequest};

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Query (optional: without it, every document that passes the filters).
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// The order, as in `search`: relevance (the default), year or added (newest first).
    #[arg(long)]
    pub sort: Option<String>,
    /// Output format: ndjson, es-bulk, quickwit, sphinxql, csv, md or docx (a Word file: needs
    /// --output).
    #[arg(long, default_value = "ndjson")]
    pub format: String,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
    /// sphinxql only: spread the rows over N real-time indexes cases_0..cases_{N-1} by
    /// document id (for a distributed index over N agents).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_SHARDS))]
    pub shards: Option<u32>,
}

/// Most shards `--shards` accepts.
const MAX_SHARDS: i64 = 1024;

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let format: ExportFormat = args.format.parse()?;
    if args.shards.is_some() && format != ExportFormat::SphinxQl {
        anyhow::bail!(
            "--shards only applies to --format sphinxql, not to --format {}",
            format.as_str()
        );
    }
    let request = RawRequest {
        sort: args.sort.clone(),
        ..args.filters.raw(args.query.as_deref().unwrap_or_default())
    }
    .validate(Origin::Cli)?;
    let engine = Engine::open(&args.dirs.index)
        .with_context(|| format!("cannot open the index at {}", args.dirs.index.display()))?
        .with_corpus(&args.dirs.corpus);
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot write --output {}", path.display()))?;
        return write_all(&engine, format, args.shards, &request, BufWriter::new(file));
    }
    if format == ExportFormat::Docx {
        anyhow::bail!(
            "--format docx writes a Word file: add --output FILE (e.g. --output cases.docx)"
        );
    }
    let stdout = std::io::stdout().lock();
    let out = BufWriter::new(stdout);
    match write_all(&engine, format, args.shards, &request, out) {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

fn write_all<W: Write>(
    engine: &Engine,
    format: ExportFormat,
    shards: Option<u32>,
    request: &SearchRequest,
    out: W,
) -> anyhow::Result<()> {
    let mut writer = ExportWriter::new(format, out)?.with_shards(shards);
    let mut failed: Option<std::io::Error> = None;
    let walked = engine.matching(request, usize::MAX).and_then(|matching| {
        matching.for_each_from(0, |doc| {
            writer.write(&doc).map_err(|err| {
                let stop = crate::Error::internal(format!("export stopped: {err}"));
                failed = Some(err);
                stop
            })?;
            Ok(true)
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
