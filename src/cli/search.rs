//! `zhili search QUERY [filters] [--limit N] [--json]`.

use clap::Args;

use crate::search::{Engine, Origin, RawRequest, SearchResponse};

use super::{Dirs, Filters, print_json};
use crate::render::label::year_label;
use crate::render::terminal::{printable, region_path, snippet_for_terminal};

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// The query: words (AND), "a phrase", -excluded, a OR b. Empty: every document.
    #[arg(allow_hyphen_values = true, default_value = "")]
    pub query: String,
    #[command(flatten)]
    pub filters: Filters,
    /// Results per page (1 to 100; default 10).
    #[arg(long)]
    pub limit: Option<String>,
    /// Page, from 1.
    #[arg(long)]
    pub page: Option<String>,
    /// relevance (the default), year (newest first) or added (newest first by when first
    /// indexed).
    #[arg(long)]
    pub sort: Option<String>,
    /// Print the body of GET /api/search.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SearchArgs) -> anyhow::Result<()> {
    let engine = Engine::open(&args.dirs.index)?.with_corpus(&args.dirs.corpus);
    let request = RawRequest {
        page: args.page.clone(),
        per_page: args.limit.clone(),
        sort: args.sort.clone(),
        ..args.filters.raw(&args.query)
    }
    .validate(Origin::Cli)?;
    let response = engine.search(&request)?;
    if args.json {
        return print_json(&response);
    }
    print!("{}", describe(&response));
    Ok(())
}

fn describe(response: &SearchResponse) -> String {
    let mut out = format!("{} results ({:.1} ms)\n", response.total, response.took_ms);
    let first = (response.page - 1) * response.per_page;
    for (i, hit) in response.hits.iter().enumerate() {
        if !response.relaxed.is_empty() && (first + i) as u64 == response.complete {
            // Where the hits that did not need every word begin.
            out.push_str(&format!(
                "\n— 以下结果未包含：{} —\n",
                response.relaxed.join("、")
            ));
        }
        out.push_str(&format!(
            "\n{}. {}\n   {} · {} · {}\n   {}\n   id {} · {}\n",
            first + i + 1,
            printable(&hit.title),
            region_path(&hit.region),
            year_label(hit.year),
            if hit.measures.is_empty() {
                "-".to_string()
            } else {
                hit.measures.join(", ")
            },
            snippet_for_terminal(&hit.snippet_spans),
            hit.id,
            printable(hit.source.url.as_deref().unwrap_or(&hit.source.path)),
        ));
    }
    out
}
