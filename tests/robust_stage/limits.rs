//! Each limit of the server, over real sockets: query length, `per_page`, compare size, the
//! request head size, header count, the timeouts that close slow and idle connections,
//! never-ending request bodies (refused, cut off, health answered meanwhile), and the cap on
//! open connections (a flood of idle ones answered 503 at once, health answered meanwhile).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use zhili::search::{MAX_PER_PAGE, MAX_QUERY_CHARS};
use zhili::server::params::MAX_COMPARE;
use zhili::server::{DISCONNECT_TIMEOUT, MAX_CONNECTIONS, REQUEST_HEAD_TIMEOUT};

use super::Site;
use crate::common::server::{self, Server, enc, parse, send};

fn status(server: &Server, target: &str) -> u16 {
    server.get(target).status
}

fn error_of(server: &Server, target: &str) -> String {
    let response = server.get(target);
    assert_eq!(response.status, 400, "{}", response.text());
    response.json()["error"].as_str().unwrap().to_string()
}

#[test]
fn every_limit_is_enforced_with_a_400_naming_it() {
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();

    let q = |n: usize| format!("/api/search?q={}", enc(&"治".repeat(n)));
    assert_eq!(status(&server, &q(MAX_QUERY_CHARS)), 200);
    assert!(error_of(&server, &q(MAX_QUERY_CHARS + 1)).contains('q'));

    let per_page = |n: usize| format!("/api/search?per_page={n}");
    assert_eq!(status(&server, &per_page(MAX_PER_PAGE)), 200);
    assert!(error_of(&server, &per_page(MAX_PER_PAGE + 1)).contains("per_page"));
    assert!(error_of(&server, "/api/search?page=-1").contains("page"));
    assert!(error_of(&server, "/api/search?page=1000000").contains("page"));

    let ids: Vec<String> = (0..=MAX_COMPARE).map(|i| format!("{i:016x}")).collect();
    let compare = |n: usize| format!("/api/compare?ids={}", ids[..n].join(","));
    assert_eq!(
        status(&server, &compare(MAX_COMPARE)),
        404,
        "6 unknown ids: not found"
    );
    assert!(error_of(&server, &compare(MAX_COMPARE + 1)).contains("ids"));
    let thousands: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let started = Instant::now();
    assert!(
        error_of(
            &server,
            &format!("/api/compare?ids={}", thousands.join(","))
        )
        .contains("ids")
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The URI: up to 64 KB it reaches the parameter checks (a JSON 400 naming q); longer ones
    // are refused by the HTTP layer (`http::Uri` holds at most 65,534 bytes) with a bare 400,
    // and a head over 128 KB with 431 (or a plain close).
    let long = format!("/api/search?q={}", "a".repeat(60 * 1024));
    assert!(error_of(&server, &long).contains('q'));
    for kb in [100, 200] {
        let too_long = format!("/api/search?q={}", "a".repeat(kb * 1024));
        let raw = send(
            server.port,
            &server::get(&too_long),
            Duration::from_secs(30),
        )
        .unwrap();
        let answers = parse(&raw).0;
        assert!(
            answers.iter().all(|r| (400..500).contains(&r.status)),
            "{kb} KB: {:?}",
            answers.iter().map(|r| r.status).collect::<Vec<_>>()
        );
    }
    let headers: String = (0..200).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let request =
        format!("GET /api/health HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n");
    let raw = send(server.port, request.as_bytes(), Duration::from_secs(30)).unwrap();
    assert!(parse(&raw).0.iter().all(|r| (400..500).contains(&r.status)));

    // Extractor errors are JSON too: an undecodable id is a 404 naming no internals.
    let response = server.get("/api/docs/%FF%FE");
    assert_eq!(response.status, 404, "{}", response.text());
    assert!(response.json()["error"].is_string());
    server.assert_healthy(Duration::from_secs(2));
}

/// A connection that sends part of a head, one byte at a time: closed by the server.
fn slow_client(port: u16, limit: Duration) -> Duration {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(250)))
        .unwrap();
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    while started.elapsed() < limit {
        if stream.write_all(b"a").is_err() {
            return started.elapsed();
        }
        match stream.read(&mut buf) {
            Ok(_) => return started.elapsed(),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return started.elapsed(),
        }
    }
    panic!("a slow client held its connection for {limit:?}");
}

/// A connection that sends nothing at all.
fn idle_client(port: u16, limit: Duration) -> Duration {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(limit)).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            panic!("an idle client held its connection for {limit:?}")
        }
        _ => started.elapsed(),
    }
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_others_are_served_meanwhile() {
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();
    let limit = REQUEST_HEAD_TIMEOUT + Duration::from_secs(5);
    let port = server.port;
    let (slow, idle) = std::thread::scope(|scope| {
        let slow: Vec<_> = (0..30)
            .map(|_| scope.spawn(move || slow_client(port, limit)))
            .collect();
        let idle: Vec<_> = (0..30)
            .map(|_| scope.spawn(move || idle_client(port, limit)))
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        for _ in 0..8 {
            server.assert_healthy(Duration::from_secs(2));
            std::thread::sleep(Duration::from_millis(250));
        }
        let join = |v: Vec<std::thread::ScopedJoinHandle<'_, Duration>>| -> Vec<Duration> {
            v.into_iter().map(|h| h.join().unwrap()).collect()
        };
        (join(slow), join(idle))
    });
    let longest = slow.iter().chain(&idle).max().unwrap();
    eprintln!(
        "60 slow/idle connections, all closed by the server; longest held {:.1} s",
        longest.as_secs_f64()
    );
    assert!(*longest <= limit);
    server.assert_healthy(Duration::from_secs(2));
}

/// One never-ending chunked request: its answer so far, and when the server closed it.
struct Flooder {
    stream: TcpStream,
    answer: Vec<u8>,
    closed: Option<Duration>,
}

impl Flooder {
    fn open(port: u16) -> Flooder {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .write_all(
                b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                  Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            )
            .unwrap();
        stream.set_nonblocking(true).unwrap();
        Flooder {
            stream,
            answer: Vec::new(),
            closed: None,
        }
    }

    /// Sends one more chunk and takes what came back; notes when the server closed.
    fn feed(&mut self, elapsed: Duration) {
        if self.closed.is_some() {
            return;
        }
        let _ = self.stream.write_all(b"5\r\nhello\r\n");
        let mut buf = [0u8; 4096];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => break self.closed = Some(elapsed),
                Ok(n) => self.answer.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => break self.closed = Some(elapsed),
            }
        }
    }
}

#[test]
fn never_ending_request_bodies_are_refused_and_cut_off_while_health_is_answered() {
    const FLOOD: usize = 200;
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();
    let limit = DISCONNECT_TIMEOUT + Duration::from_secs(8);
    let started = Instant::now();
    let mut flood: Vec<Flooder> = (0..FLOOD).map(|_| Flooder::open(server.port)).collect();
    let mut slowest_health = Duration::ZERO;
    while flood.iter().any(|f| f.closed.is_none()) {
        assert!(
            started.elapsed() < limit,
            "never-ending bodies held for {limit:?}"
        );
        for flooder in &mut flood {
            flooder.feed(started.elapsed());
        }
        let asked = Instant::now();
        server.assert_healthy(Duration::from_secs(2));
        slowest_health = slowest_health.max(asked.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    for flooder in &flood {
        let answers = parse(&flooder.answer).0;
        assert_eq!(
            answers.len(),
            1,
            "{}",
            String::from_utf8_lossy(&flooder.answer)
        );
        assert_eq!(answers[0].status, 400);
        assert!(
            answers[0].json()["error"]
                .as_str()
                .unwrap()
                .contains("请求体")
        );
    }
    let longest = flood.iter().filter_map(|f| f.closed).max().unwrap();
    eprintln!(
        "{FLOOD} never-ending chunked GETs: each answered 400, all closed by the server within \
         {:.1} s; /api/health meanwhile answered in at most {} ms",
        longest.as_secs_f64(),
        slowest_health.as_millis()
    );
    server.assert_healthy(Duration::from_secs(2));
}

/// `n` connections to `port` from `source`, another loopback address, that send nothing;
/// opened as fast as the server takes them.
fn idle_from(source: [u8; 4], port: u16, n: usize) -> Vec<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut streams = Vec::with_capacity(n);
        for _ in 0..n {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind((source, 0).into()).unwrap();
            let stream = socket.connect(([127, 0, 0, 1], port).into()).await;
            streams.push(stream.unwrap().into_std().unwrap());
        }
        streams
    })
}

/// What a connection that sent nothing got so far: an answer, a close, or nothing yet.
fn answer_so_far(stream: &mut TcpStream, got: &mut Vec<u8>) -> Option<bool> {
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return None,
            Err(_) => return Some(true),
        }
    }
}

#[test]
fn a_flood_of_idle_connections_is_refused_at_once_past_the_cap_and_health_is_answered() {
    const FLOOD: usize = 2_100;
    let site = Site::with_fixture_corpus();
    let mut server = site.serve();
    let started = Instant::now();
    let mut flood = idle_from([127, 0, 0, 2], server.port, FLOOD);
    let opened = started.elapsed();
    let mut slowest_health = Duration::ZERO;
    for _ in 0..10 {
        let asked = Instant::now();
        server.assert_healthy(Duration::from_secs(2));
        slowest_health = slowest_health.max(asked.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    // One address holds at most half of the slots; the rest are answered 503 and closed.
    let held_at_most = MAX_CONNECTIONS / 2;
    let mut answers = vec![Vec::new(); FLOOD];
    let mut closed = vec![false; FLOOD];
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        for (i, stream) in flood.iter_mut().enumerate() {
            if !closed[i] {
                closed[i] = answer_so_far(stream, &mut answers[i]).is_some();
            }
        }
        let open = closed.iter().filter(|c| !**c).count();
        if open <= held_at_most || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let refused_in = started.elapsed();
    let open = closed.iter().filter(|c| !**c).count();
    let refusals: Vec<_> = answers.iter().filter(|a| !a.is_empty()).collect();
    let silent = closed
        .iter()
        .zip(&answers)
        .filter(|(c, a)| **c && a.is_empty())
        .count();
    let counts = format!(
        "{open} open, {} answered, {silent} closed unanswered",
        refusals.len()
    );
    assert_eq!(
        open, held_at_most,
        "connections held from one address: {counts}"
    );
    assert_eq!(refusals.len(), FLOOD - held_at_most, "{counts}");
    for raw in &refusals {
        let (responses, rest) = parse(raw);
        assert!(
            !rest && responses.len() == 1,
            "{}",
            String::from_utf8_lossy(raw)
        );
        assert_eq!(responses[0].status, 503);
        let error = responses[0].json()["error"].as_str().unwrap().to_string();
        assert!(error.contains("too many connections"), "{error}");
    }
    eprintln!(
        "{FLOOD} idle connections from one address (opened in {:.1} s): {held_at_most} held, \
         {} answered 503 and closed within {:.1} s; /api/health from another address \
         answered 200 in at most {} ms meanwhile",
        opened.as_secs_f64(),
        refusals.len(),
        refused_in.as_secs_f64(),
        slowest_health.as_millis()
    );
    drop(flood);
    server.assert_healthy(Duration::from_secs(2));
}

#[test]
fn the_cap_on_connections_is_set_with_max_connections() {
    let site = Site::with_fixture_corpus();
    let mut server = crate::common::server::Server::start_with(
        &site.index(),
        &site.corpus(),
        site.dir.path().join("serve.log"),
        &["--max-connections", "10"],
    );
    let mut flood = idle_from([127, 0, 0, 2], server.port, 12);
    let mut answers = vec![Vec::new(); flood.len()];
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut open = flood.len();
    while open > 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        open = 0;
        for (stream, got) in flood.iter_mut().zip(&mut answers) {
            if answer_so_far(stream, got).is_none() {
                open += 1;
            }
        }
    }
    assert_eq!(open, 5, "half of 10 from one address");
    let refused = answers
        .iter()
        .filter(|a| a.starts_with(b"HTTP/1.1 503"))
        .count();
    assert_eq!(refused, 7);
    server.assert_healthy(Duration::from_secs(2));
}
