//! The command line (spec/api.md): one file per command, the only code that uses anyhow.
//! Every command takes `--index DIR`; those that read documents take `--corpus DIR`.

mod bench;
mod compare;
mod crawl;
mod export;
mod ingest;
mod search;
mod serve;
mod show;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::search::RawRequest;

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

/// The search filters shared by `search`, `export` and `bench`, as typed: checked by the one
/// validation (`search::request`), whose messages name these flags.
#[derive(Debug, Clone, Default, Args)]
pub struct Filters {
    /// Region path prefix, e.g. 甘肃省 or 甘肃省/张掖市 (甘肃, 张掖 work too).
    #[arg(long)]
    pub region: Option<String>,
    /// Measure id (repeatable; several are OR-ed, or AND-ed with --measure-match all).
    #[arg(long = "measure")]
    pub measures: Vec<String>,
    /// How several --measure values combine: any (OR, the default) or all (AND).
    #[arg(long)]
    pub measure_match: Option<String>,
    /// First year (four digits).
    #[arg(long)]
    pub year_from: Option<String>,
    /// Last year (four digits).
    #[arg(long)]
    pub year_to: Option<String>,
    /// Only documents first indexed on or after this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub added_from: Option<String>,
}

impl Filters {
    /// The request of `query` with these filters, as typed (not yet validated).
    pub fn raw(&self, query: &str) -> RawRequest {
        RawRequest {
            q: Some(query.to_string()),
            region: self.region.clone(),
            measures: self.measures.clone(),
            measure_match: self.measure_match.clone(),
            year_from: self.year_from.clone(),
            year_to: self.year_to.clone(),
            added_from: self.added_from.clone(),
            ..RawRequest::default()
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
    eprintln!(
        "{}",
        crate::render::terminal::printable(&format!("zhili: {err:#}"))
    );
}

/// Prints a value as one line of JSON on stdout.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}
