//! `zhili show ID [--json]`: one document.

use clap::Args;

use crate::model::CaseDoc;
use crate::search::Engine;
use crate::taxonomy::Taxonomy;

use super::render::printable;
use super::search::region_text;
use super::{Dirs, print_json};

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

fn labels(ids: &[String]) -> String {
    let taxonomy = Taxonomy::get();
    ids.iter()
        .map(|id| taxonomy.label(id).unwrap_or(id).to_string())
        .collect::<Vec<_>>()
        .join("、")
}

fn describe(doc: &CaseDoc) -> String {
    let mut out = format!(
        "{}\nid {} · {} · {} · {}\nsource {}\n",
        printable(&doc.title),
        doc.id,
        region_text(&doc.region),
        doc.year.map_or("年份不详".to_string(), |y| y.to_string()),
        labels(&doc.measures),
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
            version
                .year
                .map_or("年份不详".to_string(), |y| y.to_string()),
            printable(&version.title)
        ));
    }
    if let Some(added) = doc.added {
        out.push_str(&format!("added {}\n", added.iso()));
    }
    for passage in &doc.passages {
        out.push('\n');
        if !passage.measures.is_empty() {
            out.push_str(&format!("[{}] ", labels(&passage.measures)));
        }
        out.push_str(&passage.text);
        out.push('\n');
        let why: Vec<String> = passage
            .measures
            .iter()
            .filter_map(|id| {
                let words = passage.evidence.get(id).filter(|w| !w.is_empty())?;
                Some(format!(
                    "{}：{}",
                    labels(std::slice::from_ref(id)),
                    words.join("、")
                ))
            })
            .collect();
        if !why.is_empty() {
            out.push_str(&format!("  依据 {}\n", why.join("；")));
        }
    }
    out
}
