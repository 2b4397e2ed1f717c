//! `zhili show ID [--json]`: one document.

use clap::Args;

use crate::model::CaseDoc;
use crate::search::Engine;

use super::{Dirs, print_json};
use crate::render::label::{measure_label, measure_labels, year_label};
use crate::render::terminal::{printable, region_path};

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// Document id (as printed by `search`).
    pub id: String,
    /// Print the body of GET /api/docs/{id}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ShowArgs) -> anyhow::Result<()> {
    let engine = Engine::open(&args.dirs.index)?;
    let doc = engine.doc(&args.id)?;
    if args.json {
        return print_json(&doc);
    }
    print!("{}", describe(&doc));
    Ok(())
}

fn describe(doc: &CaseDoc) -> String {
    let mut out = format!(
        "{}\nid {} · {} · {} · {}\nsource {}\n",
        printable(&doc.title),
        doc.id,
        region_path(&doc.region),
        year_label(doc.year),
        measure_labels(&doc.measures),
        printable(doc.source.url.as_deref().unwrap_or(&doc.source.path)),
    );
    for duplicate in &doc.duplicates {
        out.push_str(&format!(
            "also at {}\n",
            printable(duplicate.url.as_deref().unwrap_or(&duplicate.path))
        ));
    }
    if let Some(canonical) = &doc.duplicate_of {
        out.push_str(&format!("near-duplicate of {canonical}\n"));
    }
    for version in &doc.versions {
        out.push_str(&format!(
            "other version {} · {} · {}\n",
            version.id,
            year_label(version.year),
            printable(&version.title)
        ));
    }
    if let Some(added) = doc.added {
        out.push_str(&format!("added {}\n", added.iso()));
    }
    for passage in &doc.passages {
        out.push('\n');
        if !passage.measures.is_empty() {
            out.push_str(&format!("[{}] ", measure_labels(&passage.measures)));
        }
        out.push_str(&passage.text);
        out.push('\n');
        let why: Vec<String> = passage
            .measures
            .iter()
            .filter_map(|id| {
                let words = passage.evidence.get(id).filter(|w| !w.is_empty())?;
                Some(format!("{}：{}", measure_label(id), words.join("、")))
            })
            .collect();
        if !why.is_empty() {
            out.push_str(&format!("  依据 {}\n", why.join("；")));
        }
    }
    out
}
