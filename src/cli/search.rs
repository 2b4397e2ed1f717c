//! `zhili search`.

use clap::Args;

use super::Dirs;

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub dirs: Dirs,
}

pub fn run(args: SearchArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("not implemented yet")
}
