//! `zhili search QUERY [filters] [--limit N] [--json]`.

use clap::Args;

use crate::model::Region;
use crate::search::{Engine, SearchRequest, SearchResponse, SortOrder};

use super::render::{printable, snippet_for_terminal};
use super::{Dirs, Filters, print_json};

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub dirs: Dirs,
    /// The query: words (AND), "a phrase", -excluded, a OR b. Empty: every document.
    #[arg(allow_hyphen_values = true, default_value = "")]
    pub query: String,
    #[command(flatten)]
    pub filters: Filters,
    /// Results per page.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 1)]
    pub page: usize,
    /// relevance, year (newest first) or added (newest first by when first indexed).
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
    /// Print the body of GET /api/search.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Year,
    Added,
}

pub fn run(args: SearchArgs) -> anyhow::Result<()> {
    let engine = Engine::open(&args.dirs.index)?.with_corpus(&args.dirs.corpus);
    let request = args.filters.apply_to(SearchRequest {
        page: args.page,
        per_page: args.limit,
        sort: match args.sort {
            SortArg::Relevance => SortOrder::Relevance,
            SortArg::Year => SortOrder::Year,
            SortArg::Added => SortOrder::Added,
        },
        ..SearchRequest::new(args.query.clone())
    });
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
            region_text(&hit.region),
            hit.year.map_or("年份不详".to_string(), |y| y.to_string()),
            if hit.measures.is_empty() {
                "-".to_string()
            } else {
                hit.measures.join(", ")
            },
            snippet_for_terminal(&hit.snippet),
            hit.id,
            printable(hit.source.url.as_deref().unwrap_or(&hit.source.path)),
        ));
    }
    out
}

pub(crate) fn region_text(region: &Region) -> String {
    region
        .path
        .clone()
        .unwrap_or_else(|| "地区不详".to_string())
}
