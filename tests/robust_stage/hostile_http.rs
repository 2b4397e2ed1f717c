//! Thousands of generated hostile requests against the real server: random and malformed
//! parameters, huge values, invalid UTF-8 and percent-encodings, traversal, long URLs, many
//! headers, bodies on GET, wrong methods and versions, pipelining, garbage. No 5xx, no hang,
//! no reflected markup, no file leaked; the server answers `/api/health` afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::Site;
use crate::common::server::{Response, enc, enc_bytes, parse, send};

/// Probes sent by each of the client threads.
const PER_THREAD: usize = 750;
const THREADS: u64 = 4;

/// Tiny deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 17
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What a probe may get back.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Exactly this many responses.
    Answers(usize),
    /// A malformed request line or an oversized head: an error response or a plain close.
    MayClose,
}

struct Probe {
    bytes: Vec<u8>,
    expect: Expect,
}

fn request(method: &str, target: &str, version: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "{method} {target} {version}\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n"
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn answered(bytes: Vec<u8>) -> Probe {
    Probe {
        bytes,
        expect: Expect::Answers(1),
    }
}

fn may_close(bytes: Vec<u8>) -> Probe {
    Probe {
        bytes,
        expect: Expect::MayClose,
    }
}

const PATHS: &[&str] = &[
    "/api/search",
    "/api/search",
    "/api/search",
    "/api/export",
    "/api/compare",
    "/api/docs/ID",
    "/api/docs/ID/similar",
    "/api/measures",
    "/api/health",
    "/",
    "/index.html",
    "/app.js",
    "/style.css",
    "/favicon.ico",
    "/api",
    "/api/",
    "/api/docs",
    "/api/docs/",
    "/nothing",
];
const NAMES: &[&str] = &[
    "q",
    "q",
    "q",
    "region",
    "measure",
    "year_from",
    "year_to",
    "page",
    "per_page",
    "sort",
    "format",
    "ids",
    "limit",
    "",
    "Q",
    "q[]",
    "__proto__",
];
const NUMBERS: &[&str] = &[
    "1",
    "2",
    "10",
    "100",
    "101",
    "0",
    "-1",
    "-99999999999",
    "99999999999999999999999",
    "18446744073709551616",
    "1e3",
    "0x10",
    "NaN",
    "abc",
    "",
    " 5",
    "5 ",
    "+3",
    "3.5",
    "２",
    "2020",
    "9999",
    "10000",
    "１",
];
const WORDS: &[&str] = &[
    "网格化",
    "视频监控",
    "\"枫桥经验\"",
    "-网格",
    "a OR b",
    "OR",
    "\"",
    "“未闭合",
    "-",
    "<script>alert(1)</script>",
    "'\"><img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "甘肃省",
    "甘肃省/张掖市",
    "/",
    "//",
    "../../etc/passwd",
    "\u{0}",
    "\u{202e}",
    "🙂",
    "%",
    "video",
    "patrol",
    "nonsense",
    "csv",
    "md",
    "ndjson",
    "es-bulk",
    "xlsx",
    "relevance",
    "year",
    "date",
    "a,b",
    "1,2,3,4,5,6,7",
    "ID,ID",
    "ID,ffffffffffffffff",
    ",,,,",
];

fn value(rng: &mut Rng, ids: &[String]) -> String {
    let raw = match rng.below(10) {
        0..=3 => rng.pick(WORDS).to_string(),
        4..=6 => rng.pick(NUMBERS).to_string(),
        7 => (0..rng.below(30))
            .map(|_| char::from_u32(rng.below(0x3_0000) as u32).unwrap_or('x'))
            .collect(),
        8 => ids[rng.below(ids.len())].clone(),
        _ => "治".repeat(rng.below(700)),
    };
    raw.replace("ID", &ids[rng.below(ids.len())])
}

/// A GET of a real or made-up route with random, partly malformed parameters.
fn api(rng: &mut Rng, ids: &[String]) -> Probe {
    let id = match rng.below(4) {
        0 => enc(rng.pick(WORDS)),
        _ => ids[rng.below(ids.len())].clone(),
    };
    let mut target = rng.pick(PATHS).replace("ID", &id);
    let mut raw = false;
    for i in 0..rng.below(8) {
        let name = rng.pick(NAMES);
        let value = value(rng, ids);
        target.push(if i == 0 { '?' } else { '&' });
        if rng.chance(8) {
            // Unencoded: spaces, quotes, '#', '%' and non-ASCII straight into the request line.
            raw = true;
            target.push_str(&format!("{name}={value}"));
        } else {
            target.push_str(&format!("{}={}", enc(name), enc(&value)));
        }
    }
    let bytes = request("GET", &target, "HTTP/1.1", "", b"");
    if raw {
        may_close(bytes)
    } else {
        answered(bytes)
    }
}

/// Percent-encodings that decode to nothing valid, and raw bytes that are not UTF-8.
fn bad_encoding(rng: &mut Rng) -> Probe {
    let bad = [
        "%",
        "%G1",
        "%E8%A7",
        "%FF%FE",
        "%C0%AE%C0%AE%2F",
        "%00",
        "%%",
        "%2",
        "%u4E00",
        "%ED%A0%80",
        "%F4%90%80%80",
    ];
    let noise: Vec<u8> = (0..rng.below(40)).map(|_| rng.below(256) as u8).collect();
    let target = match rng.below(5) {
        0 => format!("/api/search?q={}", rng.pick(&bad)),
        1 => format!("/api/search?q={}&{}=1", enc_bytes(&noise), rng.pick(&bad)),
        2 => format!("/api/docs/{}", rng.pick(&bad)),
        3 => format!("/api/docs/{}/similar", enc_bytes(&noise)),
        _ => format!("/api/compare?ids={},{}", rng.pick(&bad), enc_bytes(&noise)),
    };
    if rng.chance(20) {
        let mut bytes = b"GET /api/search?q=".to_vec();
        bytes.extend(noise.iter().filter(|b| !b" \r\n".contains(b)));
        bytes.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return may_close(bytes);
    }
    answered(request("GET", &target, "HTTP/1.1", "", b""))
}

const TRAVERSALS: &[&str] = &[
    "/api/docs/..%2F..%2Fetc%2Fpasswd",
    "/api/docs/../../etc/passwd",
    "/../../etc/passwd",
    "/static/../Cargo.toml",
    "/static/..%2fCargo.toml",
    "/..%2F..%2FCargo.toml",
    "/api/docs/%2e%2e%2f%2e%2e%2fCargo.toml",
    "/web/../Cargo.toml",
    "/app.js/../../Cargo.toml",
    "/index.html%00.txt",
    "/api/docs/..%5C..%5Cwindows",
    "//etc/passwd",
    "/./././app.js",
    "/api/docs/%252e%252e%252fetc%252fpasswd/similar",
    "/api/export?format=../../Cargo.toml",
];

fn traversal(rng: &mut Rng) -> Probe {
    answered(request("GET", rng.pick(TRAVERSALS), "HTTP/1.1", "", b""))
}

/// 100 KB values, ids, paths and headers; a 200 KB URL the server refuses.
fn huge(rng: &mut Rng) -> Probe {
    let big = |unit: &str| unit.repeat(100 * 1024 / unit.len());
    let target = match rng.below(7) {
        0 => format!("/api/search?q={}", big("a")),
        1 => format!("/api/search?q={}", big("%E6%B2%BB")),
        2 => format!("/api/search?region={}", big("x")),
        3 => format!("/api/compare?ids={}", big("a1,")),
        4 => format!("/api/search?measure={}", big("video,")),
        5 => format!("/api/docs/{}", big("a")),
        _ => {
            let header = format!("X-Big: {}\r\n", big("b"));
            return answered(request("GET", "/api/health", "HTTP/1.1", &header, b""));
        }
    };
    if rng.chance(15) {
        let target = format!("/api/search?q={}", "q".repeat(200 * 1024));
        return may_close(request("GET", &target, "HTTP/1.1", "", b""));
    }
    answered(request("GET", &target, "HTTP/1.1", "", b""))
}

fn many_headers(rng: &mut Rng) -> Probe {
    let n = *rng.pick(&[&10usize, &40, &90, &200, &1000]);
    let headers: String = (0..n).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let bytes = request("GET", "/api/search?q=x", "HTTP/1.1", &headers, b"");
    if n >= 90 {
        may_close(bytes)
    } else {
        answered(bytes)
    }
}

/// Bodies on GET: with a length, chunked, and lengths that lie or conflict.
fn body_on_get(rng: &mut Rng) -> Probe {
    let body: Vec<u8> = (0..rng.below(64 * 1024)).map(|i| (i % 251) as u8).collect();
    match rng.below(4) {
        0 => {
            let cl = format!("Content-Length: {}\r\n", body.len());
            answered(request("GET", "/api/search?q=x", "HTTP/1.1", &cl, &body))
        }
        1 => {
            let chunked = format!("{:x}\r\n", body.len()).into_bytes();
            let body = [&chunked[..], &body, b"\r\n0\r\n\r\n"].concat();
            let te = "Transfer-Encoding: chunked\r\n";
            answered(request("GET", "/api/health", "HTTP/1.1", te, &body))
        }
        2 => {
            let cl = rng.pick(&[
                "Content-Length: abc\r\n",
                "Content-Length: -1\r\n",
                "Content-Length: 1\r\nContent-Length: 2\r\n",
                "Content-Length: 99999999999999999999999\r\n",
                "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
            ]);
            may_close(request("GET", "/api/search?q=x", "HTTP/1.1", cl, b"abc"))
        }
        _ => {
            let te = "Transfer-Encoding: chunked\r\n";
            may_close(request(
                "GET",
                "/api/health",
                "HTTP/1.1",
                te,
                b"zz\r\nnot hex\r\n0\r\n\r\n",
            ))
        }
    }
}

fn method(rng: &mut Rng) -> Probe {
    let m = rng.pick(&[
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "get",
    ]);
    let path = rng.pick(&[
        "/api/search?q=x",
        "/api/docs/x",
        "/",
        "/api/ingest",
        "/api/crawl",
    ]);
    answered(request(m, path, "HTTP/1.1", "Content-Length: 2\r\n", b"{}"))
}

fn version(rng: &mut Rng) -> Probe {
    match rng.below(5) {
        0 => answered(b"GET /api/health HTTP/1.0\r\n\r\n".to_vec()),
        1 => answered(
            b"GET /api/search?q=%E7%BD%91%E6%A0%BC HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
        ),
        2 => may_close(b"GET /api/health\r\n\r\n".to_vec()),
        3 => may_close(b"GET /api/health HTTP/2.0\r\nHost: x\r\n\r\n".to_vec()),
        _ => may_close(b"GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n".to_vec()),
    }
}

/// Several requests in one write; only the last asks to close.
fn pipelined(rng: &mut Rng, ids: &[String]) -> Probe {
    let n = 2 + rng.below(4);
    let mut bytes = Vec::new();
    for i in 0..n {
        let q = enc(&value(rng, ids));
        let close = if i + 1 == n { "close" } else { "keep-alive" };
        bytes.extend(
            format!(
                "GET /api/search?q={q} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {close}\r\n\r\n"
            )
            .into_bytes(),
        );
    }
    Probe {
        bytes,
        expect: Expect::Answers(n),
    }
}

fn garbage(rng: &mut Rng) -> Probe {
    let mut bytes: Vec<u8> = (0..1 + rng.below(2000))
        .map(|_| rng.below(256) as u8)
        .collect();
    bytes.extend_from_slice(b"\r\n\r\n");
    may_close(bytes)
}

fn probe(rng: &mut Rng, ids: &[String]) -> Probe {
    match rng.below(100) {
        0..=44 => api(rng, ids),
        45..=54 => bad_encoding(rng),
        55..=59 => traversal(rng),
        60..=64 => huge(rng),
        65..=69 => many_headers(rng),
        70..=76 => body_on_get(rng),
        77..=82 => method(rng),
        83..=87 => version(rng),
        88..=95 => pipelined(rng, ids),
        _ => garbage(rng),
    }
}

#[derive(Default)]
struct Tally {
    probes: AtomicUsize,
    responses: AtomicUsize,
    closed_without_answer: AtomicUsize,
    by_class: [AtomicUsize; 6],
}

/// Checks one exchange; panics with the probe on anything a client must never see.
fn check(probe: &Probe, raw: &[u8], tally: &Tally) {
    let shown = || String::from_utf8_lossy(&probe.bytes[..probe.bytes.len().min(300)]).into_owned();
    let (responses, leftover) = parse(raw);
    assert!(!leftover, "unparsable answer to {:?}", shown());
    match probe.expect {
        Expect::Answers(n) => assert_eq!(responses.len(), n, "answers to {:?}", shown()),
        Expect::MayClose => {
            if responses.is_empty() {
                tally.closed_without_answer.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    let head_only = probe.bytes.starts_with(b"HEAD ");
    for response in &responses {
        check_response(response, &shown(), head_only);
        tally.by_class[usize::from(response.status / 100).min(5)].fetch_add(1, Ordering::Relaxed);
    }
    tally
        .responses
        .fetch_add(responses.len(), Ordering::Relaxed);
    tally.probes.fetch_add(1, Ordering::Relaxed);
}

/// `head_only`: the answer to a HEAD request, whose body is announced but not sent.
fn check_response(response: &Response, probe: &str, head_only: bool) {
    assert!(
        (100..500).contains(&response.status),
        "status {} for {probe:?}: {}",
        response.status,
        response.text()
    );
    let text = response.text();
    assert!(
        !text.contains("root:x:0:0") && !text.contains("[package]"),
        "a file leaked for {probe:?}"
    );
    let content_type = response.header("content-type").unwrap_or_default();
    if head_only {
        return;
    }
    if content_type.starts_with("application/json") {
        let body = response.json();
        if response.status >= 400 {
            assert!(body["error"].is_string(), "{probe:?}: {body}");
        }
    }
    if content_type.starts_with("text/html") {
        assert!(
            text.contains("治理案例检索"),
            "only the page is HTML: {probe:?}"
        );
    }
}

#[test]
fn thousands_of_hostile_requests_get_no_5xx_and_the_server_stays_up() {
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();
    let body = server.json("/api/search?per_page=100");
    let ids: Vec<String> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 3, "{body}");

    let tally = Tally::default();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (tally, ids, port) = (&tally, &ids, server.port);
            scope.spawn(move || {
                let mut rng = Rng::new(0x0b57_11e0 + t);
                for _ in 0..PER_THREAD {
                    let probe = probe(&mut rng, ids);
                    let raw = send(port, &probe.bytes, Duration::from_secs(30))
                        .unwrap_or_else(|err| panic!("no answer within 30 s: {err}"));
                    check(&probe, &raw, tally);
                }
            });
        }
    });
    server.assert_healthy(Duration::from_secs(2));
    assert!(
        !server.log_text().contains("panicked at"),
        "{}",
        server.log_text()
    );
    let class = |i: usize| tally.by_class[i].load(Ordering::Relaxed);
    eprintln!(
        "hostile HTTP: {} requests, {} responses (2xx {}, 3xx {}, 4xx {}, 5xx {}), \
         {} closed without an answer (malformed line or oversized head), {:.1} s",
        tally.probes.load(Ordering::Relaxed),
        tally.responses.load(Ordering::Relaxed),
        class(2),
        class(3),
        class(4),
        class(5),
        tally.closed_without_answer.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(class(5), 0);
    assert_eq!(
        tally.probes.load(Ordering::Relaxed),
        PER_THREAD * THREADS as usize
    );
}

#[test]
fn head_is_answered_like_get_and_other_methods_get_a_json_405() {
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();
    let paths = [
        "/",
        "/app.js",
        "/api/health",
        "/api/search?q=x",
        "/api/measures",
    ];
    for path in paths {
        let get = server.get(path);
        let raw = send(
            server.port,
            &request("HEAD", path, "HTTP/1.1", "", b""),
            TIMEOUT,
        )
        .unwrap();
        let head = &parse(&raw).0[0];
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        assert_eq!(head.header("content-type"), get.header("content-type"));
    }
    let mut refused = 0;
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"] {
        for path in ["/api/search?q=x", "/api/docs/abc", "/"] {
            let raw = send(
                server.port,
                &request(method, path, "HTTP/1.1", "", b""),
                TIMEOUT,
            )
            .unwrap();
            let response = &parse(&raw).0[0];
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.header("allow").as_deref(), Some("GET, HEAD"));
            assert!(response.json()["error"].as_str().unwrap().contains("GET"));
            refused += 1;
        }
    }
    let response = server.get("/api/nothing-here");
    assert_eq!(response.status, 404, "an unknown path is still a 404");
    eprintln!(
        "methods: HEAD on {} paths 200 without a body; {refused} wrong methods 405",
        paths.len()
    );
    server.assert_healthy(Duration::from_secs(2));
}

const TIMEOUT: Duration = Duration::from_secs(30);
