//! `zhili bench --docs DIR --queries FILE [--repeat N]`: the peer benchmark protocol of the
//! shared bench README. Builds a fresh index of DIR in a temp dir (the full ingest: read,
//! clean, split, tag, index, commit), runs the queries once to warm up and N times timed, each
//! call doing the whole search a user waits for (facets and snippets unless `--bare`), and
//! prints the peers' summary line and JSON line.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::json;

use crate::pipeline::{IngestOptions, run_ingest};
use crate::search::{Engine, Extras, Origin, RawRequest, SearchRequest};

use super::Filters;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Folder of documents (searched recursively).
    #[arg(long)]
    pub docs: PathBuf,
    /// Queries, one a line; `#` lines skipped; spaces mean AND.
    #[arg(long)]
    pub queries: PathBuf,
    /// Timed passes over the query list (after one warm-up pass).
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Hits fetched per query.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Skip facets and snippets (to show what they cost).
    #[arg(long)]
    pub bare: bool,
    /// Filters applied to every query (zhili only: the peers have none).
    #[command(flatten)]
    pub filters: Filters,
    /// Append the JSON line to this file too.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Build the index here instead of a temp dir (kept afterwards).
    #[arg(long)]
    pub index_dir: Option<PathBuf>,
    /// Query the index already in `--index-dir` without rebuilding it (to profile queries
    /// alone): the ingest is incremental, a no-op when DOCS did not change.
    #[arg(long, requires = "index_dir")]
    pub reuse_index: bool,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let queries = load_queries(&args.queries)?;
    let temp = tempfile::tempdir()?;
    let index = args
        .index_dir
        .clone()
        .unwrap_or_else(|| temp.path().join("index"));
    let started = Instant::now();
    let summary = run_ingest(&IngestOptions {
        full: !args.reuse_index,
        ..IngestOptions::new(&args.docs, &index)
    })?;
    let build_s = started.elapsed().as_secs_f64();
    let engine = Engine::open(&index)?.with_corpus(&args.docs);
    let extras = Extras {
        facets: !args.bare,
        snippets: !args.bare,
    };
    let (latencies, hits) = time_queries(&engine, &queries, extras, &args)?;
    let text_bytes: u64 = summary.bytes;
    let result = json!({
        "peer": if args.bare { "zhili-bare" } else { "zhili" },
        "docs": summary.files_indexed,
        "documents": summary.documents,
        "text_mb": round(text_bytes as f64 / 1e6),
        "build_s": round(build_s),
        "index_mb": round(dir_size(&index) as f64 / 1e6),
        "queries": queries.len(),
        "repeat": args.repeat,
        "q_median_ms": round(percentile(&latencies, 50.0)),
        "q_p95_ms": round(percentile(&latencies, 95.0)),
        "q_p99_ms": round(percentile(&latencies, 99.0)),
        "q_mean_ms": round(latencies.iter().sum::<f64>() / latencies.len().max(1) as f64),
        "hits_total": hits.values().sum::<u64>(),
        "zero_hit_queries": hits.values().filter(|&&n| n == 0).count(),
        "facets_and_snippets": !args.bare,
        "ingest_mb_s": round(text_bytes as f64 / 1e6 / build_s.max(1e-9)),
        "stage_seconds": summary.stage_seconds,
    });
    eprintln!(
        "[{}] docs={} text={}MB build={}s index={}MB query median={}ms p95={}ms (n={}) hits_total={} zero-hit queries={}",
        result["peer"].as_str().unwrap_or_default(),
        result["docs"],
        result["text_mb"],
        result["build_s"],
        result["index_mb"],
        result["q_median_ms"],
        result["q_p95_ms"],
        latencies.len(),
        result["hits_total"],
        result["zero_hit_queries"],
    );
    let line = serde_json::to_string(&result)?;
    println!("{line}");
    if let Some(path) = &args.json {
        use std::io::Write;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(file, "{line}")?;
    }
    Ok(())
}

fn load_queries(path: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

/// Per-call latencies in ms over `repeat` passes (warm-up excluded) and hits per query.
fn time_queries(
    engine: &Engine,
    queries: &[String],
    extras: Extras,
    args: &BenchArgs,
) -> anyhow::Result<(Vec<f64>, BTreeMap<String, u64>)> {
    // Validated once, before the clock runs.
    let requests = queries
        .iter()
        .map(|q| {
            let raw = RawRequest {
                per_page: Some(args.limit.to_string()),
                ..args.filters.raw(q)
            };
            Ok((q.as_str(), raw.validate(Origin::Cli)?))
        })
        .collect::<anyhow::Result<BTreeMap<&str, SearchRequest>>>()?;
    let request = |q: &str| &requests[q];
    let mut hits = BTreeMap::new();
    for q in queries {
        hits.insert(q.clone(), engine.search_with(request(q), extras)?.total);
    }
    let mut latencies = Vec::with_capacity(queries.len() * args.repeat);
    for _ in 0..args.repeat {
        for q in queries {
            let started = Instant::now();
            std::hint::black_box(engine.search_with(request(q), extras)?);
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok((latencies, hits))
}

/// Linear interpolation between closest ranks, as the peers compute it.
fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let k = (sorted.len() - 1) as f64 * p / 100.0;
    let (f, c) = (
        k.floor() as usize,
        (k.floor() as usize + 1).min(sorted.len() - 1),
    );
    sorted[f] + (sorted[c] - sorted[f]) * (k - f as f64)
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_the_peers() {
        let values = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&values, 50.0), 2.5);
        assert!((percentile(&values, 95.0) - 3.85).abs() < 1e-9);
    }
}
