//! The command line (spec/api.md): one file per command, the only code that uses anyhow.
//! Every command takes `--index DIR`; those that read documents take `--corpus DIR`.

mod bench;
mod compare;
mod crawl;
mod export;
mod ingest;
mod render;
mod search;
mod serve;
mod show;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::Added;
use crate::search::{MeasureMatch, SearchRequest};

#[derive(Debug, Parser)]
#[command(
    name = "zhili",
    version,
    about = "Search and compare Chinese social-governance case studies"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the index and the corpus live.
#[derive(Debug, Clone, Args)]
pub struct Dirs {
    /// Index directory.
    #[arg(long, global = true, default_value = "index", env = "ZHILI_INDEX")]
    pub index: PathBuf,
    /// Corpus directory (the files to import).
    #[arg(long, global = true, default_value = "corpus", env = "ZHILI_CORPUS")]
    pub corpus: PathBuf,
}

/// `--measure-match` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Match {
    #[default]
    Any,
    All,
}

/// The search filters shared by `search` and `export`.
#[derive(Debug, Clone, Default, Args)]
pub struct Filters {
    /// Region path prefix, e.g. 甘肃省 or 甘肃省/张掖市.
    #[arg(long)]
    pub region: Option<String>,
    /// Measure id (repeatable; several are OR-ed, or AND-ed with --measure-match all).
    #[arg(long = "measure")]
    pub measures: Vec<String>,
    /// How several --measure values combine: any (OR) or all (AND).
    #[arg(long, value_enum, default_value_t = Match::Any)]
    pub measure_match: Match,
    #[arg(long)]
    pub year_from: Option<i32>,
    #[arg(long)]
    pub year_to: Option<i32>,
    /// Only documents first indexed on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = day)]
    pub added_from: Option<Added>,
}

fn day(value: &str) -> std::result::Result<Added, String> {
    Added::day_start(value).ok_or_else(|| "not a date like 2026-12-01".to_string())
}

impl Filters {
    /// `request` with these filters set.
    pub fn apply_to(&self, request: SearchRequest) -> SearchRequest {
        SearchRequest {
            region: self.region.clone(),
            measures: self.measures.clone(),
            measure_match: match self.measure_match {
                Match::Any => MeasureMatch::Any,
                Match::All => MeasureMatch::All,
            },
            year_from: self.year_from,
            year_to: self.year_to,
            added_from: self.added_from,
            ..request
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import files into the index (new and changed files are indexed, removed ones deleted).
    Ingest(ingest::IngestArgs),
    /// Search the index.
    Search(search::SearchArgs),
    /// Print one document.
    Show(show::ShowArgs),
    /// Compare documents side by side, aligned by measure type.
    Compare(compare::CompareArgs),
    /// Write matching documents as ndjson, es-bulk, quickwit, sphinxql, csv or md.
    Export(export::ExportArgs),
    /// Serve the HTTP API and the web page.
    Serve(serve::ServeArgs),
    /// Fetch case-study pages over HTTP(S) into the corpus, then ingest them.
    Crawl(crawl::CrawlArgs),
    /// Benchmark ingest and queries with the peers' protocol (shared bench README).
    Bench(bench::BenchArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Ingest(args) => ingest::run(args),
        Command::Search(args) => search::run(args),
        Command::Show(args) => show::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Crawl(args) => crawl::run(args),
        Command::Bench(args) => bench::run(args),
    }
}

/// Prints the error that ended a command on stderr, its control characters escaped.
pub fn print_error(err: &anyhow::Error) {
    eprintln!("{}", render::printable(&format!("zhili: {err:#}")));
}

/// Prints a value as one line of JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
