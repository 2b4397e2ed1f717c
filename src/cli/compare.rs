//! `zhili compare`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
