//! `zhili compare ID ID [ID ...] [--json | --format docx --output FILE]`: the body of
//! `GET /api/compare`, a Word table, or a readable rendering of the measure rows that have
//! passages.

use anyhow::Context;
use clap::Args;

use super::Dirs;
use crate::search::Engine;
use crate::search::compare::compare;
use crate::server::params;

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
    /// `docx` writes the comparison as a Word file to --output.
    #[arg(long)]
    pub format: Option<String>,
    /// The file for --format docx.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let ids = params::compare_ids(&[("ids".to_string(), args.ids.join(","))])?;
    let engine = Engine::open(&args.dirs.index)
        .with_context(|| format!("cannot open the index at {}", args.dirs.index.display()))?;
    let docs = ids
        .iter()
        .map(|id| engine.doc(id))
        .collect::<crate::Result<Vec<_>>>()?;
    let comparison = compare(&docs);
    match (args.format.as_deref(), &args.output) {
        (None, _) => {}
        (Some("docx"), Some(path)) => {
            let bytes = crate::search::docx::comparison(&comparison)?;
            return std::fs::write(path, bytes)
                .with_context(|| format!("cannot write --output {}", path.display()));
        }
        (Some("docx"), None) => {
            anyhow::bail!(
                "--format docx writes a Word file: add --output FILE (e.g. --output compare.docx)"
            )
        }
        (Some(other), _) => anyhow::bail!("--format takes docx, not {other:?}"),
    }
    if args.json {
        super::print_json(&comparison)
    } else {
        print!("{}", comparison.to_text());
        Ok(())
    }
}
