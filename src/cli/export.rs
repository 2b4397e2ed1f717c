//! `zhili export`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
