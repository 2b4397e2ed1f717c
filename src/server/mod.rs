//! HTTP around `search`: routes (one `configure` used by `serve` and the tests), the checks
//! every request passes first (`guard.rs`), the cap on open connections (`connections.rs`),
//! the embedded web page, and `error.rs`, the only place status codes appear.
//! Input: HTTP requests and a shared `web::Data<Arc<Engine>>`. Output: JSON, the page, exports.
//! Every Engine call runs inside `web::block`, off the async executor. Never writes the index.

mod connections;
pub mod error;
mod export_body;
mod guard;
pub mod params;
mod routes;

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::Service;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};

use self::error::ApiError;
pub use self::guard::AllowedHosts;
use crate::search::Engine;
use crate::{Error, Result};

/// Content-Security-Policy of every response: scripts and styles only from this origin.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// Time a client has to send a request's head (line and headers) once connected, and to send
/// the next one on a kept-alive connection: slow or idle clients cannot hold workers.
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// An idle kept-alive connection is closed after this long.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);
/// Time given to a client to take the end of a response before the connection is dropped.
pub const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub use self::connections::MAX_CONNECTIONS;
/// Connections a worker thread takes on before it stops accepting (more would wait in the
/// listen backlog), as a multiple of the cap on open connections: the excess is answered and
/// closed at once, so a worker never reaches this.
const ACCEPTED_PER_WORKER: usize = 4;
/// Threads of each worker's blocking pool (searches, document loads, export chunks): enough to
/// keep the cores busy, few enough that 200 exports in flight cannot each hold a thread and
/// its chunk (actix's default is 512 divided by the cores).
pub const BLOCKING_THREADS_PER_WORKER: usize = 16;
/// Largest request body read (no route reads one; bodies on GET and HEAD are refused and
/// left unread, see `guard.rs`).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest request URI written to the log (a 100 KB URL is logged cut short).
const MAX_LOGGED_URI: usize = 300;

/// Registers every route and the security headers. The caller provides the engine as
/// `app_data(web::Data::new(Arc<Engine>))` (see [`engine_data`]).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let headers = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"));
    cfg.app_data(extractor_errors_as_json())
        .app_data(web::QueryConfig::default().error_handler(|err, _| {
            ApiError::bad_request(format!("网址参数有误（bad query string）：{err}")).into()
        }))
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES));
    cfg.service(
        web::scope("")
            .wrap(from_fn(guard::hosts))
            .wrap(from_fn(guard::bodies))
            .wrap(headers)
            .configure(routes::configure)
            .default_service(web::to(error::no_such_route)),
    );
}

/// A path segment that cannot be decoded (`/api/docs/%FF`) names no document: JSON 404.
fn extractor_errors_as_json() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|_, _| ApiError::not_found("没有这个地址（no such path）").into())
}

/// `uri` for the log, cut to [`MAX_LOGGED_URI`] bytes on a character boundary.
fn loggable(uri: &str) -> String {
    if uri.len() <= MAX_LOGGED_URI {
        return uri.to_string();
    }
    let mut end = MAX_LOGGED_URI;
    while !uri.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} bytes]", &uri[..end], uri.len())
}

/// The engine as the routes expect it.
pub fn engine_data(engine: Arc<Engine>) -> web::Data<Arc<Engine>> {
    web::Data::new(engine)
}

/// Resolves `addr` (`HOST:PORT`); warns on stderr when it is not a loopback address.
pub fn resolve_addr(addr: &str) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|err| Error::bad_request(format!("cannot use address {addr}: {err}")))?
        .collect();
    if reachable_from_outside(&addrs) {
        eprintln!(
            "zhili: warning: listening on {addr}, which other machines can reach; \
             the service has no authentication. Requests must name this address or a \
             --allowed-host NAME in their Host header"
        );
    }
    Ok(addrs)
}

/// True when any of `addrs` is not a loopback address (other machines can connect).
pub fn reachable_from_outside(addrs: &[SocketAddr]) -> bool {
    addrs.iter().any(|a| !a.ip().is_loopback())
}

/// Serves until Ctrl-C (or SIGTERM), logging one line per request. Requests must name the
/// bound address, localhost or one of `allowed_hosts` in their `Host` header; at most
/// `max_connections` are open at once (see `connections.rs`).
pub fn run(
    engine: Arc<Engine>,
    addr: &str,
    allowed_hosts: &[String],
    max_connections: usize,
) -> Result<()> {
    let addrs = resolve_addr(addr)?;
    let data = engine_data(engine);
    let hosts = web::Data::new(AllowedHosts::new(&addrs, addr, allowed_hosts));
    let slots = connections::Slots::new(max_connections);
    let accepted_per_worker = slots.total().saturating_mul(ACCEPTED_PER_WORKER);
    tracing::info!("at most {} connections open at once", slots.total());
    let server =
        HttpServer::new(move || {
            App::new()
            .app_data(data.clone())
            .app_data(hosts.clone())
            .wrap_fn(|req, srv| {
                let started = Instant::now();
                let line = format!("{} {}", req.method(), loggable(&req.uri().to_string()));
                let peer = req.peer_addr().map(|p| p.ip().to_string()).unwrap_or_default();
                let response = srv.call(req);
                async move {
                    let response = response.await?;
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    let status = response.status().as_u16();
                    tracing::info!(target: "zhili::http", "{peer} \"{line}\" {status} {ms:.1}ms");
                    Ok(response)
                }
            })
            .configure(configure)
        })
        .client_request_timeout(REQUEST_HEAD_TIMEOUT)
        .client_disconnect_timeout(DISCONNECT_TIMEOUT)
        .keep_alive(KEEP_ALIVE)
        .max_connections(accepted_per_worker)
        .worker_max_blocking_threads(BLOCKING_THREADS_PER_WORKER)
        .on_connect(move |connection, data| slots.on_connect(connection, data))
        .bind(&addrs[..])
        .map_err(|err| Error::io(format!("cannot listen on {addr}"), err))?;
    for bound in server.addrs() {
        eprintln!("zhili: serving on http://{bound}/ (Ctrl-C to stop)");
    }
    actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|err| Error::io("the HTTP server stopped", err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_private_and_others_are_not() {
        let local = resolve_addr("127.0.0.1:8080").unwrap();
        assert!(!reachable_from_outside(&local));
        assert!(!reachable_from_outside(
            &resolve_addr("[::1]:8080").unwrap()
        ));
        let all: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(reachable_from_outside(&[all]));
        let err = resolve_addr("no port here").unwrap_err();
        assert!(err.to_string().contains("no port here"));
    }

    #[test]
    fn long_uris_are_logged_cut_short_on_a_character_boundary() {
        assert_eq!(loggable("/api/health"), "/api/health");
        let long = format!("/api/search?q={}", "治".repeat(1000));
        let logged = loggable(&long);
        assert!(logged.len() < MAX_LOGGED_URI + 40, "{logged}");
        assert!(logged.ends_with(&format!("[{} bytes]", long.len())));
    }
}
