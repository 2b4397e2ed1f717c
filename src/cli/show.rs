//! `zhili show`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: ShowArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
