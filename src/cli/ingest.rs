//! `zhili ingest`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
