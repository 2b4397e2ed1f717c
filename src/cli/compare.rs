//! `zhili compare ID ID [ID ...] [--json]`: the body of `GET /api/compare`, or a readable
//! rendering of the measure rows that have passages.

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
    if args.json {
        super::print_json(&comparison)
    } else {
        print!("{}", comparison.to_text());
        Ok(())
    }
}
