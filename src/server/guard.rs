//! Checks every request passes before it reaches a route.
//! Bodies: no route reads a request body, so a GET or HEAD that carries one is refused with a
//! JSON 400, and any body is left unread and held by the response body until it is sent. That
//! makes actix-http close the connection right after answering (its lingering close, bounded
//! by `client_disconnect_timeout`) instead of draining a body that may never end, which is
//! what it does with a chunked body nobody holds (`limits::never_ending_request_bodies_…`
//! would catch a change of that behaviour).
//! Hosts: a request whose `Host` names none of the allowed hosts (the bound address,
//! localhost, 127.0.0.1, [::1] and each `--allowed-host`) is refused with a JSON 403, so a web
//! page on a foreign name that resolves to this machine (DNS rebinding) cannot read the API.

use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};

use super::error::ApiError;

/// A response body that holds the request's unread body until it has been sent.
pub(super) struct Holding {
    body: BoxBody,
    _unread: Payload,
}

impl MessageBody for Holding {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// True when the request announces a body (chunked, or a length other than 0).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// Refuses bodies on GET and HEAD and never reads one (see the module header).
pub(super) async fn bodies(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Holding>>, actix_web::Error> {
    if !has_body(&req) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let payload = std::mem::replace(req.parts_mut().1, Payload::None);
    let response = if matches!(*req.method(), Method::GET | Method::HEAD) {
        req.error_response(ApiError::bad_request(
            "GET 请求不能带请求体（request body not allowed）",
        ))
    } else {
        next.call(req).await?.map_body(|_, body| body.boxed())
    };
    Ok(response
        .map_body(|_, body| Holding {
            body,
            _unread: payload,
        })
        .map_into_right_body())
}

/// The host names a request's `Host` header may give (without the port), lower case.
#[derive(Debug, Clone)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    /// The bound addresses, the host of `addr` as given, localhost, 127.0.0.1, [::1] and
    /// `extra`.
    pub fn new(bound: &[SocketAddr], addr: &str, extra: &[String]) -> AllowedHosts {
        let given = addr.rsplit_once(':').map_or(addr, |(host, _)| host);
        let ips = bound.iter().map(|a| match a {
            SocketAddr::V4(v4) => v4.ip().to_string(),
            SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        });
        let fixed = ["localhost", "127.0.0.1", "[::1]", given].map(String::from);
        let names = ips.chain(fixed).chain(extra.iter().cloned());
        AllowedHosts(names.map(|n| normalized(&n)).collect())
    }

    /// True when `host` (a `Host` header, with or without a port) is allowed.
    pub fn allows(&self, host: &str) -> bool {
        let name = normalized(host_name(host));
        self.0.contains(&name)
    }
}

/// `host` without its port: `[::1]:8080` → `[::1]`, `example.org:80` → `example.org`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

fn normalized(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Refuses a request whose `Host` is not allowed (see the module header). A request without
/// one (HTTP/1.0) passes; so does every request when no [`AllowedHosts`] is registered.
pub(super) async fn hosts(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let refused = match (
        req.app_data::<web::Data<AllowedHosts>>(),
        req.headers().get(HOST),
    ) {
        (Some(allowed), Some(host)) => {
            let host = String::from_utf8_lossy(host.as_bytes());
            (!allowed.allows(&host)).then(|| host.chars().take(100).collect::<String>())
        }
        _ => None,
    };
    match refused {
        None => Ok(next.call(req).await?.map_into_left_body()),
        Some(host) => Ok(req
            .error_response(ApiError::forbidden(format!(
                "不接受主机名为“{host}”的请求（Host not allowed）：请用 localhost 或 \
                 127.0.0.1 访问，或以 zhili serve --allowed-host 名称 启动"
            )))
            .map_into_right_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_matched_without_port_case_or_trailing_dot() {
        let bound: Vec<SocketAddr> = vec!["192.168.1.5:8080".parse().unwrap()];
        let allowed = AllowedHosts::new(&bound, "zhili.lan:8080", &["Cases.Example.ORG".into()]);
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "192.168.1.5",
            "zhili.lan:8080",
            "cases.example.org.",
        ] {
            assert!(allowed.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "127.0.0.1.evil.example",
            "localhost.evil",
            "",
            "[::2]",
        ] {
            assert!(!allowed.allows(refused), "{refused}");
        }
    }
}
