//! `zhili crawl URL … [--out DIR] [--depth N] [--include PAT] [--exclude PAT] [--allow-private]
//! [--delay-ms MS] [--max-pages N] [--json]`: crawl into the corpus, then run the normal
//! incremental ingest so the index holds what changed. Exits non-zero when every page failed.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use regex::Regex;
use serde::Serialize;

use super::Dirs;
use crate::crawl::{self, CrawlOptions, CrawlSummary};
use crate::pipeline::{self, IngestOptions, IngestSummary};

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Start URLs (http or https).
    #[arg(required = true)]
    pub urls: Vec<String>,
    /// Where copies go (default: <corpus>/crawled).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Link steps to follow from the start URLs, same host only.
    #[arg(long, default_value_t = 0)]
    pub depth: u32,
    /// Follow only links whose URL matches this regex (repeatable; any may match).
    #[arg(long)]
    pub include: Vec<String>,
    /// Never follow links whose URL matches this regex (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Also crawl private, loopback and link-local addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// Pause between requests to the same host, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub delay_ms: u64,
    /// Most pages fetched in one run.
    #[arg(long, default_value_t = 1000)]
    pub max_pages: usize,
    /// Most requests in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Whole-request timeout, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub timeout_ms: u64,
    /// Largest response body accepted, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    pub max_bytes: u64,
    /// Crawl only; do not ingest afterwards.
    #[arg(long)]
    pub no_ingest: bool,
    /// Print one summary object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub dirs: Dirs,
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    crawl: &'a CrawlSummary,
    ingest: Option<&'a IngestSummary>,
}

fn patterns(list: &[String], flag: &str) -> anyhow::Result<Vec<Regex>> {
    list.iter()
        .map(|p| Regex::new(p).with_context(|| format!("{flag} {p:?} is not a valid regex")))
        .collect()
}

pub fn run(args: CrawlArgs) -> anyhow::Result<()> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.dirs.corpus.join("crawled"));
    let options = CrawlOptions {
        urls: args.urls.clone(),
        out: out.clone(),
        depth: args.depth,
        include: patterns(&args.include, "--include")?,
        exclude: patterns(&args.exclude, "--exclude")?,
        allow_private: args.allow_private,
        delay: Duration::from_millis(args.delay_ms),
        max_pages: args.max_pages,
        concurrency: args.concurrency,
        timeout: Duration::from_millis(args.timeout_ms),
        connect_timeout: Duration::from_millis(args.timeout_ms.min(10_000)),
        max_body_bytes: args.max_bytes,
        echo_errors: true,
        ..CrawlOptions::default()
    };
    let summary = crawl::run(&options)?;
    let all_failed = every_page_failed(&summary);
    let ingest = if args.no_ingest || all_failed {
        None
    } else {
        Some(ingest_after(&args, &out)?)
    };
    if args.json {
        super::print_json(&Report {
            crawl: &summary,
            ingest: ingest.as_ref(),
        })?;
    } else {
        eprintln!(
            "crawled {} pages: {} saved, {} unchanged, {} skipped (not articles), {} failed",
            summary.pages_fetched,
            summary.pages_saved,
            summary.pages_unchanged,
            summary.pages_skipped,
            summary.pages_failed
        );
        if let Some(ingest) = &ingest {
            eprintln!(
                "ingest: {} files indexed, {} unchanged; the index holds {} documents",
                ingest.files_indexed, ingest.files_unchanged, ingest.documents
            );
        }
    }
    if all_failed {
        anyhow::bail!(
            "crawl: every page failed ({} of them, one line each above); nothing was saved",
            summary.pages_failed
        );
    }
    Ok(())
}

/// True when pages failed and none was fetched: the run did nothing (and exits non-zero).
fn every_page_failed(summary: &CrawlSummary) -> bool {
    summary.pages_failed > 0
        && summary.pages_saved + summary.pages_unchanged + summary.pages_skipped == 0
}

/// The normal incremental ingest: the whole corpus when the copies are inside it (unchanged
/// files are skipped cheaply), otherwise the out dir itself.
fn ingest_after(args: &CrawlArgs, out: &std::path::Path) -> anyhow::Result<IngestSummary> {
    let corpus = &args.dirs.corpus;
    let inside = match (out.canonicalize(), corpus.canonicalize()) {
        (Ok(out), Ok(corpus)) => out.starts_with(corpus),
        _ => out.starts_with(corpus),
    };
    let options = IngestOptions {
        paths: if inside {
            Vec::new()
        } else {
            vec![out.to_path_buf()]
        },
        progress: !args.json,
        ..IngestOptions::new(corpus, &args.dirs.index)
    };
    let summary = pipeline::run_ingest(&options).context("ingesting the crawled pages")?;
    super::ingest::report_skipped(&summary);
    Ok(summary)
}
