//! Crawl stage, scheduling: the queue of URLs, breadth first, with a global cap on requests in
//! flight, at most one request per host at a time, and a pause per host between requests.
//!
//! Input: options and a fetcher. Output: the run's [`CrawlSummary`]. Follows links only to the
//! same host, only `depth` steps from a start URL, and only those the include/exclude patterns
//! let through. Workers are scoped threads sharing one HTTP client.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use url::Url;

use super::fetch::Fetcher;
use super::page::{self, Outcome, PageResult};
use super::robots::RobotsCache;
use super::{CrawlError, CrawlOptions, CrawlSummary};

struct Job {
    url: Url,
    depth: u32,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    seen: HashSet<String>,
    busy_hosts: HashSet<String>,
    next_at: HashMap<String, Instant>,
    in_flight: usize,
    dispatched: usize,
    summary: CrawlSummary,
}

struct Shared<'a> {
    options: &'a CrawlOptions,
    context: page::Context<'a>,
    state: Mutex<State>,
    wake: Condvar,
}

impl Shared<'_> {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs the whole crawl; `seconds` is left for the caller to fill.
pub(super) fn crawl(options: &CrawlOptions, fetcher: &Fetcher) -> CrawlSummary {
    let robots = RobotsCache::default();
    let mut state = State::default();
    for raw in &options.urls {
        match Url::parse(raw.trim()) {
            Ok(url) => {
                if state.seen.insert(url.to_string()) {
                    state.queue.push_back(Job { url, depth: 0 });
                }
            }
            Err(err) => record_failure(
                options,
                &mut state.summary,
                raw,
                format!("not a URL: {err}"),
            ),
        }
    }
    let shared = Shared {
        options,
        context: page::Context {
            options,
            fetcher,
            robots: &robots,
        },
        state: Mutex::new(state),
        wake: Condvar::new(),
    };
    std::thread::scope(|scope| {
        for _ in 0..options.concurrency {
            scope.spawn(|| worker(&shared));
        }
    });
    let state = shared.state.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut summary = state.summary;
    summary.pages_left = state.queue.len() as u64;
    if summary.pages_left > 0 && options.echo_errors {
        eprintln!(
            "crawl: page cap of {} reached; {} URLs left uncrawled",
            options.max_pages, summary.pages_left
        );
    }
    summary
}

fn worker(shared: &Shared) {
    while let Some(job) = next_job(shared) {
        let want_links = job.depth < shared.options.depth;
        let result = page::process(&shared.context, &job.url, want_links);
        finish(shared, job, result);
    }
}

fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Waits for a URL whose host is free and rested; `None` when the crawl is over for this worker.
fn next_job(shared: &Shared) -> Option<Job> {
    let mut state = shared.lock();
    loop {
        if state.dispatched >= shared.options.max_pages {
            return None;
        }
        let now = Instant::now();
        let mut wait: Option<Duration> = None;
        let pick = state.queue.iter().position(|job| {
            let host = host_key(&job.url);
            if state.busy_hosts.contains(&host) {
                return false;
            }
            match state.next_at.get(&host) {
                Some(at) if *at > now => {
                    let left = *at - now;
                    wait = Some(wait.map_or(left, |w| w.min(left)));
                    false
                }
                _ => true,
            }
        });
        if let Some(index) = pick {
            let job = state.queue.remove(index)?;
            state.busy_hosts.insert(host_key(&job.url));
            state.in_flight += 1;
            state.dispatched += 1;
            return Some(job);
        }
        if state.queue.is_empty() && state.in_flight == 0 {
            shared.wake.notify_all();
            return None;
        }
        state = match wait {
            Some(wait) => match shared.wake.wait_timeout(state, wait) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            },
            None => shared
                .wake
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
    }
}

fn record_failure(options: &CrawlOptions, summary: &mut CrawlSummary, url: &str, error: String) {
    if options.echo_errors {
        eprintln!("crawl: {url}: {error}");
    }
    summary.pages_failed += 1;
    summary.errors.push(CrawlError {
        url: url.to_string(),
        error,
    });
}

fn finish(shared: &Shared, job: Job, result: PageResult) {
    let options = shared.options;
    let mut state = shared.lock();
    let state = &mut *state;
    state.in_flight -= 1;
    let host = host_key(&job.url);
    state.busy_hosts.remove(&host);
    let delay = result
        .crawl_delay
        .map_or(options.delay, |d| d.max(options.delay));
    state.next_at.insert(host, Instant::now() + delay);
    let summary = &mut state.summary;
    summary.pages_fetched += 1;
    match result.outcome {
        Outcome::Saved(path) => {
            summary.pages_saved += 1;
            summary.saved.push(path);
        }
        Outcome::Unchanged => summary.pages_unchanged += 1,
        Outcome::Skipped => summary.pages_skipped += 1,
        Outcome::Failed(reason) => record_failure(options, summary, job.url.as_str(), reason),
    }
    if job.depth < options.depth {
        for link in result.links {
            if follows(options, &job.url, &link) && state.seen.insert(link.to_string()) {
                state.queue.push_back(Job {
                    url: link,
                    depth: job.depth + 1,
                });
            }
        }
    }
    shared.wake.notify_all();
}

/// Same host and port as the page it was found on, and through the include/exclude patterns.
fn follows(options: &CrawlOptions, from: &Url, link: &Url) -> bool {
    let text = link.as_str();
    host_key(link) == host_key(from)
        && (options.include.is_empty() || options.include.iter().any(|re| re.is_match(text)))
        && !options.exclude.iter().any(|re| re.is_match(text))
}
