//! `zhili ingest [PATH ...] [--full] [--json] [--follow-symlinks none|inside]`: bring the index up to date with the corpus.

use std::path::PathBuf;

use clap::Args;

use crate::ingest::FollowSymlinks;
use crate::pipeline::{IngestOptions, IngestSummary, run_ingest};

use super::{Dirs, print_json};
use crate::render::terminal::printable;

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Files or directories to import (default: the corpus dir).
    pub paths: Vec<PathBuf>,
    /// Rebuild the whole index from scratch (into a fresh directory, switched atomically).
    #[arg(long)]
    pub full: bool,
    /// Print one JSON summary object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Skip files larger than this many megabytes.
    #[arg(long, default_value_t = 50, env = "ZHILI_MAX_FILE_MB")]
    pub max_file_mb: u64,
    /// Skip files holding a document with more than this many megabytes of text (after
    /// unpacking: a docx, or a text file that is one long document).
    #[arg(long, default_value_t = 8, env = "ZHILI_MAX_DOC_MB")]
    pub max_doc_mb: u64,
    /// Symbolic links to follow: `inside` the corpus root (the default) or `none`. Links
    /// outside the root, dangling or looping are never followed; each is reported.
    #[arg(long, value_enum, default_value_t = Follow::Inside)]
    pub follow_symlinks: Follow,
}

/// `--follow-symlinks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Follow {
    None,
    Inside,
}

impl From<Follow> for FollowSymlinks {
    fn from(follow: Follow) -> FollowSymlinks {
        match follow {
            Follow::None => FollowSymlinks::None,
            Follow::Inside => FollowSymlinks::Inside,
        }
    }
}

pub fn run(args: IngestArgs) -> anyhow::Result<()> {
    let options = IngestOptions {
        paths: args.paths,
        full: args.full,
        max_file_bytes: args.max_file_mb.saturating_mul(1024 * 1024),
        max_doc_bytes: args.max_doc_mb.saturating_mul(1024 * 1024),
        follow_symlinks: args.follow_symlinks.into(),
        progress: !args.json,
        ..IngestOptions::new(&args.dirs.corpus, &args.dirs.index)
    };
    let summary = run_ingest(&options)?;
    report_skipped(&summary);
    if args.json {
        print_json(&summary)
    } else {
        println!("{}", describe(&summary));
        Ok(())
    }
}

/// One line on stderr for each warning, and for each file or link skipped, naming it and the
/// reason.
pub(crate) fn report_skipped(summary: &IngestSummary) {
    for warning in &summary.warnings {
        eprintln!("{}", printable(&format!("zhili: warning: {warning}")));
    }
    for error in &summary.errors {
        let seen = if error.new {
            ""
        } else {
            " (failing before too)"
        };
        let line = format!("zhili: skipped {}: {}{seen}", error.path, error.error);
        eprintln!("{}", printable(&line));
    }
}

/// The summary line, then one line per kind of change naming the files (the first few).
pub(crate) fn describe(s: &IngestSummary) -> String {
    let mut out = summary_line(s);
    let c = &s.changes;
    let folded: Vec<String> = c
        .folded
        .iter()
        .map(|f| format!("{} → {}", f.path, f.into))
        .collect();
    for (kind, paths) in [
        ("added", c.added.clone()),
        ("changed", c.changed.clone()),
        ("removed", c.removed.clone()),
        ("folded into another document", folded),
    ] {
        if !paths.is_empty() {
            out.push_str(&format!("\n  {kind}: {}", printable(&names(&paths))));
        }
    }
    let new = s.errors.iter().filter(|e| e.new).count();
    if !s.errors.is_empty() {
        out.push_str(&format!(
            "\n  skipped: {new} new, {} failing before too",
            s.errors.len() - new
        ));
    }
    out
}

/// At most `SHOWN` names, then how many more.
fn names(paths: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    text
}

/// One line for people.
fn summary_line(s: &IngestSummary) -> String {
    let holds = format!(
        "the index holds {} documents ({} passages, {} near-duplicates folded)",
        s.documents, s.passages, s.duplicates
    );
    if s.files_indexed == 0 && s.files_removed == 0 {
        return format!(
            "nothing to index: {} files unchanged, {} skipped; {holds}",
            s.files_unchanged, s.files_failed
        );
    }
    format!(
        "indexed {} files ({:.1} MB) in {:.2} s; {} unchanged, {} removed, {} skipped; {holds}",
        s.files_indexed,
        s.bytes as f64 / 1e6,
        s.seconds,
        s.files_unchanged,
        s.files_removed,
        s.files_failed
    )
}
