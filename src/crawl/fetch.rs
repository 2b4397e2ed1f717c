//! Crawl stage, HTTP: one GET with every limit enforced.
//!
//! Input: a URL, the validators of a stored copy, and a check for each redirect target (robots.txt
//! of the host it leads to). Output: [`Fetched`] (status, headers, body) or a reason in words.
//! Enforces: http/https only; forbidden addresses (private, loopback, link-local, …) refused on
//! the resolved address, on IP-literal hosts, on every redirect hop and on the connected peer;
//! connect and whole-response timeouts; a body cap checked while streaming; redirects followed
//! here, one hop at a time, each checked before it is requested, with a cap and loop
//! detection. Touches no file.

use std::error::Error as StdError;
use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};
use reqwest::redirect::Policy;
use url::Url;

use super::address::{GuardedResolver, check_url, forbidden_reason, refusal};

use super::CrawlOptions;
use crate::{Error, Result};

/// A reason the crawler gives up on a URL, carried through reqwest's error chain.
#[derive(Debug, Clone)]
pub(crate) struct Reason(pub String);

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Reason {}

/// A response: the body is read only for 2xx statuses.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub status: u16,
    pub final_url: Url,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Vec<u8>,
}

/// What a stored copy says, for a conditional request.
#[derive(Debug, Default, Clone)]
pub(crate) struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub(crate) struct Fetcher {
    client: Client,
    allow_private: bool,
    timeout: Duration,
    max_body_bytes: u64,
    max_redirects: usize,
}

impl Fetcher {
    pub(crate) fn new(options: &CrawlOptions) -> Result<Fetcher> {
        // reqwest is built without a default crypto provider: install ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = Client::builder()
            .user_agent(options.user_agent.clone())
            .no_proxy()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: options.allow_private,
            }))
            .build()
            .map_err(|err| Error::internal(format!("cannot build the HTTP client: {err}")))?;
        Ok(Fetcher {
            client,
            allow_private: options.allow_private,
            timeout: options.timeout,
            max_body_bytes: options.max_body_bytes,
            max_redirects: options.max_redirects,
        })
    }

    /// GETs `url` (conditionally when `validators` say so), following redirects without
    /// further checks. Statuses are not errors here.
    pub(crate) fn get(&self, url: &Url, validators: &Validators) -> Result<Fetched, String> {
        self.get_checked(url, validators, |_| Ok(()))
    }

    /// [`Fetcher::get`], asking `may_follow` about each redirect target before requesting it
    /// (`Err` is the reason it may not be fetched).
    pub(crate) fn get_checked(
        &self,
        url: &Url,
        validators: &Validators,
        may_follow: impl Fn(&Url) -> Result<(), String>,
    ) -> Result<Fetched, String> {
        let started = Instant::now();
        let mut asked = vec![url.clone()];
        let response = loop {
            let current = asked.last().expect("one URL at least");
            let response = self.send(current, validators, started)?;
            let Some(next) = redirect_target(&response, current) else {
                break response;
            };
            drop(response);
            if asked.len() > self.max_redirects {
                return Err(format!("more than {} redirects", self.max_redirects));
            }
            if asked.contains(&next) {
                return Err(format!("redirect loop back to {next}"));
            }
            check_url(&next, self.allow_private)
                .and_then(|()| may_follow(&next))
                .map_err(|reason| format!("redirected to {next}: {reason}"))?;
            asked.push(next);
        };
        let status = response.status().as_u16();
        let final_url = asked.pop().expect("one URL at least");
        let headers = response.headers().clone();
        let body = if (200..300).contains(&status) {
            self.read_body(response, started)?
        } else {
            Vec::new()
        };
        Ok(Fetched {
            status,
            final_url,
            content_type: header(&headers, CONTENT_TYPE),
            etag: header(&headers, ETAG),
            last_modified: header(&headers, LAST_MODIFIED),
            body,
        })
    }

    /// One request, without following a redirect; its peer checked.
    fn send(
        &self,
        url: &Url,
        validators: &Validators,
        started: Instant,
    ) -> Result<reqwest::blocking::Response, String> {
        check_url(url, self.allow_private)?;
        if started.elapsed() > self.timeout {
            return Err(timed_out(self.timeout));
        }
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, modified);
        }
        let response = request.send().map_err(|err| describe(&err, self.timeout))?;
        if let Some(peer) = response.remote_addr() {
            self.check_peer(peer.ip())?;
        }
        Ok(response)
    }

    fn check_peer(&self, ip: IpAddr) -> Result<(), String> {
        match forbidden_reason(ip) {
            Some(kind) if !self.allow_private => Err(refusal(&ip.to_string(), ip, kind)),
            _ => Ok(()),
        }
    }

    /// Reads the body, stopping at the size cap and at the whole-response deadline.
    fn read_body(
        &self,
        mut response: reqwest::blocking::Response,
        started: Instant,
    ) -> Result<Vec<u8>, String> {
        let cap = self.max_body_bytes;
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(too_big(cap));
        }
        let mut body = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if started.elapsed() > self.timeout {
                return Err(timed_out(self.timeout));
            }
            let n = match response.read(&mut chunk) {
                Ok(0) => return Ok(body),
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(describe_io(&err, self.timeout)),
            };
            if body.len() as u64 + n as u64 > cap {
                return Err(too_big(cap));
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

fn too_big(cap: u64) -> String {
    format!("response larger than the cap of {cap} bytes")
}

fn timed_out(timeout: Duration) -> String {
    format!("timed out after {:.1} s", timeout.as_secs_f64())
}

/// Where a redirect response leads (None for any other response, or one without a usable
/// `Location`).
fn redirect_target(response: &reqwest::blocking::Response, from: &Url) -> Option<Url> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    from.join(location.trim()).ok()
}

/// Turns a reqwest error into one reason line.
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(reason) = current.downcast_ref::<Reason>() {
            return reason.0.clone();
        }
        source = current.source();
    }
    if err.is_timeout() {
        return timed_out(timeout);
    }
    let inner = innermost(err);
    if err.is_connect() {
        format!("connection failed: {inner}")
    } else {
        format!("request failed: {inner}")
    }
}

fn describe_io(err: &std::io::Error, timeout: Duration) -> String {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(reqwest_err) = current.downcast_ref::<reqwest::Error>()
            && reqwest_err.is_timeout()
        {
            return timed_out(timeout);
        }
        source = current.source();
    }
    if err.kind() == std::io::ErrorKind::TimedOut {
        return timed_out(timeout);
    }
    format!("reading the response failed: {}", innermost(err))
}

fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
