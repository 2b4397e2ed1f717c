//! `zhili compare ID ID [ID ...] [--json | --format docx|csv|md [--output FILE]]`: the body
//! of `GET /api/compare`, the same Word, CSV or Markdown file as `format=` there, or a
//! readable rendering of the measure rows that have passages.

use anyhow::Context;
use clap::Args;

use super::Dirs;
use crate::render::table;
use crate::search::Engine;
use crate::search::Origin;
use crate::search::compare::compare;
use crate::search::request::measure_ids;
use crate::server::params::{self, ViewFormat};

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Ids of the documents to compare (2 to 6).
    #[arg(required = true, num_args = 1..)]
    pub ids: Vec<String>,
    /// Print the JSON body of GET /api/compare.
    #[arg(long)]
    pub json: bool,
    /// `docx` (a Word file, to --output), `csv` or `md` (to --output, or printed).
    #[arg(long)]
    pub format: Option<String>,
    /// The file to write the --format output to.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
    /// Only the rows of these measures (repeatable; default: every measure with passages).
    #[arg(long = "measure")]
    pub measures: Vec<String>,
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let ids = params::compare_ids(&[("ids".to_string(), args.ids.join(","))])?;
    let engine = Engine::open(&args.dirs.index)
        .with_context(|| format!("cannot open the index at {}", args.dirs.index.display()))?;
    let docs = ids
        .iter()
        .map(|id| engine.doc(id))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut comparison = compare(&docs);
    comparison.keep_measures(&measure_ids(&args.measures, Origin::Cli)?);
    let all = [
        ViewFormat::Json,
        ViewFormat::Docx,
        ViewFormat::Csv,
        ViewFormat::Md,
    ];
    let bytes = match ViewFormat::parse(args.format.as_deref(), &all, "--format")? {
        ViewFormat::Json if args.output.is_none() => {
            if args.json || args.format.is_some() {
                return super::print_json(&comparison);
            }
            print!("{}", comparison.to_text());
            return Ok(());
        }
        ViewFormat::Json => serde_json::to_vec(&comparison)?,
        ViewFormat::Docx if args.output.is_none() => anyhow::bail!(
            "--format docx writes a Word file: add --output FILE (e.g. --output compare.docx)"
        ),
        ViewFormat::Docx => crate::render::docx::comparison(&comparison)?,
        ViewFormat::Csv => table::comparison_csv(&comparison)?,
        ViewFormat::Md => table::comparison_markdown(&comparison).into_bytes(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("cannot write --output {}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
            Ok(())
        }
    }
}
