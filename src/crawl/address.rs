//! Crawl stage, addresses: which hosts the crawler may connect to.
//!
//! Non-public addresses (private, loopback, link-local, unspecified, multicast, IPv6
//! unique-local, IPv4-mapped and NAT64 forms of those) are refused unless `allow_private`:
//! on IP-literal URLs (each redirect hop too) and on every resolved address, through a DNS
//! resolver that hands the HTTP client only allowed addresses. Touches no file.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::fetch::Reason;

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

pub(crate) fn refusal(host: &str, ip: IpAddr, kind: &str) -> String {
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
    } else if a == 198 && (18..20).contains(&b) {
        Some("benchmarking (198.18.0.0/15)")
    } else if is_documentation_v4(ip) {
        Some("documentation (TEST-NET)")
    } else if [a, b, ip.octets()[2]] == [192, 0, 0] {
        Some("IETF protocol assignments")
    } else {
        None
    }
}

/// 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 (RFC 5737).
fn is_documentation_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    matches!([a, b, c], [192, 0, 2] | [198, 51, 100] | [203, 0, 113])
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
    } else if segments[..2] == [0x2001, 0x0db8] {
        Some("documentation (2001:db8::/32)")
    } else {
        None
    }
}

/// Resolves names and drops forbidden addresses, so the connection can only go to an allowed one.
pub(crate) struct GuardedResolver {
    pub allow_private: bool,
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
            "198.18.0.1",
            "198.19.255.254",
            "192.0.2.7",
            "198.51.100.7",
            "203.0.113.7",
            "192.0.0.8",
            "2001:db8::1",
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
