//! `zhili serve`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
