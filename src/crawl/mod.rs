//! Crawl stage: web pages → `corpus/crawled/<host>/…` (original HTML as UTF-8 plus a
//! `.meta.json` sidecar). Input: start URLs and [`CrawlOptions`]. Output: files and a
//! [`CrawlSummary`]. Never indexes: the CLI runs the normal incremental ingest afterwards.
//!
//! Polite and safe by default: robots.txt, a per-host delay, a global concurrency cap, an
//! identifying User-Agent; http/https only, timeouts, a body cap, a redirect cap, a page cap,
//! and non-public addresses refused unless `allow_private`. One failure is one line
//! (`crawl: <url>: <reason>`) and one summary entry; the run goes on.
//!
//! Files: `fetch` (HTTP and limits), `address` (which addresses may be crawled), `robots`,
//! `charset`, `store` (layout, sidecar, atomic writes), `page` (one URL end to end), `frontier`
//! (scheduling). The article is extracted by `ingest::article`, the extractor ingest uses too.

mod address;
pub mod charset;
pub(crate) mod fetch;
mod frontier;
mod page;
mod robots;
pub mod store;

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use address::forbidden_reason;
pub use store::PageMeta;

use crate::{Error, Result};

/// What to crawl and how.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    pub urls: Vec<String>,
    /// Where copies go (`<corpus>/crawled` by default).
    pub out: PathBuf,
    /// How many link steps to follow from the start URLs (0: only the start URLs).
    pub depth: u32,
    /// Followed links must match one of these (when any), and none of `exclude`.
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub allow_private: bool,
    /// Pause between two requests to the same host (robots.txt's Crawl-delay wins when longer).
    pub delay: Duration,
    /// Most URLs fetched in one run.
    pub max_pages: usize,
    /// Most requests in flight at once (never more than one per host).
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// Whole request, from sending to the last body byte.
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub user_agent: String,
    /// Print each failure as `crawl: <url>: <reason>` on stderr as it happens.
    pub echo_errors: bool,
}

impl Default for CrawlOptions {
    fn default() -> CrawlOptions {
        CrawlOptions {
            urls: Vec::new(),
            out: PathBuf::from("corpus/crawled"),
            depth: 0,
            include: Vec::new(),
            exclude: Vec::new(),
            allow_private: false,
            delay: Duration::from_secs(1),
            max_pages: 1000,
            concurrency: 4,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            user_agent: default_user_agent(),
            echo_errors: false,
        }
    }
}

/// `zhili/<version> (+<homepage>)`.
pub fn default_user_agent() -> String {
    format!(
        "zhili/{} (+https://github.com/zhili-search/zhili; case-study crawler)",
        env!("CARGO_PKG_VERSION")
    )
}

/// One failed URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlError {
    pub url: String,
    pub error: String,
}

/// The `zhili crawl --json` summary. Every URL taken from the queue counts once in
/// `pages_fetched` and once in exactly one of `pages_saved`, `pages_unchanged`, `pages_failed`
/// or `pages_skipped` (listing pages and other pages without an article's worth of text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlSummary {
    pub pages_fetched: u64,
    pub pages_unchanged: u64,
    pub pages_saved: u64,
    pub pages_failed: u64,
    pub pages_skipped: u64,
    /// URLs found but not fetched because the page cap was reached.
    pub pages_left: u64,
    /// Files written this run (the copies, not the sidecars).
    pub saved: Vec<PathBuf>,
    pub seconds: f64,
    pub errors: Vec<CrawlError>,
}

/// Crawls `options.urls` into `options.out`. `Err` only when the crawl cannot start (bad
/// options, no HTTP client); page failures are in the summary.
pub fn run(options: &CrawlOptions) -> Result<CrawlSummary> {
    if options.urls.is_empty() {
        return Err(Error::bad_request("crawl: give at least one URL"));
    }
    if options.max_pages == 0 || options.concurrency == 0 {
        return Err(Error::bad_request(
            "crawl: --max-pages and the concurrency must be at least 1",
        ));
    }
    let started = std::time::Instant::now();
    let fetcher = fetch::Fetcher::new(options)?;
    let mut summary = frontier::crawl(options, &fetcher);
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
