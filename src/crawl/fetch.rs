//! Crawl stage, HTTP: one GET with every limit enforced.
//!
//! Input: a URL and the validators of a stored copy. Output: [`Fetched`] (status, headers, body)
//! or a reason in words. Enforces: http/https only; forbidden addresses (private, loopback,
//! link-local, …) refused on the resolved address, on IP-literal hosts, on every redirect hop and
//! on the connected peer; connect and whole-response timeouts; a body cap checked while
//! streaming; a redirect cap with loop detection. Touches no file.

use std::error::Error as StdError;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use reqwest::redirect::Policy;
use url::{Host, Url};

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
            .redirect(redirect_policy(
                options.max_redirects,
                options.allow_private,
            ))
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
        })
    }

    /// GETs `url` (conditionally when `validators` say so). Statuses are not errors here.
    pub(crate) fn get(&self, url: &Url, validators: &Validators) -> Result<Fetched, String> {
        check_url(url, self.allow_private)?;
        let started = Instant::now();
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
        let status = response.status().as_u16();
        let final_url = response.url().clone();
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

/// Caps redirects, detects loops and checks every hop's scheme and IP-literal host.
fn redirect_policy(max_redirects: usize, allow_private: bool) -> Policy {
    Policy::custom(move |attempt| {
        let next = attempt.url().clone();
        if attempt.previous().len() > max_redirects {
            return attempt.error(Reason(format!("more than {max_redirects} redirects")));
        }
        if attempt.previous().iter().any(|seen| *seen == next) {
            return attempt.error(Reason(format!("redirect loop back to {next}")));
        }
        match check_url(&next, allow_private) {
            Ok(()) => attempt.follow(),
            Err(reason) => attempt.error(Reason(format!("redirect to {next}: {reason}"))),
        }
    })
}

/// Scheme and (for IP-literal hosts) address checks that need no network.
pub(crate) fn check_url(url: &Url, allow_private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https URLs are crawled, not {}:",
            url.scheme()
        ));
    }
    let ip = match url.host() {
        None => return Err("the URL has no host".to_string()),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    match forbidden_reason(ip) {
        Some(kind) if !allow_private => Err(refusal(&ip.to_string(), ip, kind)),
        _ => Ok(()),
    }
}

fn refusal(host: &str, ip: IpAddr, kind: &str) -> String {
    if host == ip.to_string() {
        format!("refused: {ip} is a {kind} address (use --allow-private to crawl it)")
    } else {
        format!(
            "refused: {host} resolves to {ip}, a {kind} address (use --allow-private to crawl it)"
        )
    }
}

/// Why an address must not be crawled by default, or `None` when it is a public address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4).map(|_| "IPv4-mapped non-public");
    }
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if nat64 {
        let embedded = Ipv4Addr::from(((segments[6] as u32) << 16) | segments[7] as u32);
        return forbidden_v4(embedded).map(|_| "NAT64-mapped non-public");
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("unique-local (private)")
    } else if segments[0] & 0xffc0 == 0xfe80 || segments[0] & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if segments[..6] == [0, 0, 0, 0, 0, 0] {
        Some("IPv4-compatible")
    } else {
        None
    }
}

/// Resolves names and drops forbidden addresses, so the connection can only go to an allowed one.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(resolve_guarded(
            name.as_str().to_string(),
            self.allow_private,
        ))
    }
}

type BoxError = Box<dyn StdError + Send + Sync>;

async fn resolve_guarded(host: String, allow_private: bool) -> Result<Addrs, BoxError> {
    let found: Vec<SocketAddr> = match tokio::net::lookup_host((host.as_str(), 0)).await {
        Ok(addrs) => addrs.collect(),
        Err(err) => return Err(Reason(format!("DNS lookup of {host} failed: {err}")).into()),
    };
    let Some(first) = found.first().copied() else {
        return Err(Reason(format!("DNS lookup of {host} found no address")).into());
    };
    let allowed: Vec<SocketAddr> = found
        .into_iter()
        .filter(|addr| allow_private || forbidden_reason(addr.ip()).is_none())
        .collect();
    if allowed.is_empty() {
        let kind = forbidden_reason(first.ip()).unwrap_or("forbidden");
        return Err(Reason(refusal(&host, first.ip(), kind)).into());
    }
    Ok(Box::new(allowed.into_iter()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<&'static str> {
        forbidden_reason(text.parse().unwrap())
    }

    #[test]
    fn non_public_addresses_are_forbidden() {
        for addr in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "224.0.0.1",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(reason(addr).is_some(), "{addr} should be refused");
        }
        for addr in ["8.8.8.8", "202.96.128.86", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert_eq!(reason(addr), None, "{addr} should be allowed");
        }
    }

    #[test]
    fn redirect_hops_and_literals_are_checked() {
        let private = Url::parse("http://10.0.0.7/secret").unwrap();
        let err = check_url(&private, false).unwrap_err();
        assert!(err.contains("10.0.0.7 is a private address"), "{err}");
        assert!(check_url(&private, true).is_ok());
        let mapped = Url::parse("http://[::ffff:192.168.0.1]/").unwrap();
        assert!(check_url(&mapped, false).is_err());
        let ftp = Url::parse("ftp://example.com/a").unwrap();
        assert!(
            check_url(&ftp, true)
                .unwrap_err()
                .contains("only http and https")
        );
    }
}
