//! Clients that ask for a whole export and then read nothing, through the real server: the
//! export body is made a small chunk at a time, only as the client takes it, so 200 of them
//! add little to the server's memory (resident memory sampled from /proc); afterwards
//! a client that reads gets every document.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::{Site, seed_char_pool, unique_text};
use crate::common::resident_mb;
use crate::common::server::{get, parse, send};

const FILES: usize = 200;
const READERS: usize = 200;

/// A served corpus of `FILES` documents of about 24 KB of text each.
fn big_site() -> Site {
    let site = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::create_dir_all(site.corpus()).unwrap();
    let pool = seed_char_pool();
    for i in 0..FILES {
        let mut text = format!("第{i}号治理案例\n");
        for line in 0..10 {
            text.push_str(&unique_text(&pool, (i * 10 + line) as u64, 800));
            text.push_str("。\n");
        }
        std::fs::write(site.corpus().join(format!("case{i:04}.txt")), text).unwrap();
    }
    site
}

/// A connection that asks for the export with a small receive buffer, then reads nothing.
fn slow_reader(port: u16, runtime: &tokio::runtime::Runtime) -> TcpStream {
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(8 * 1024).unwrap();
        socket.connect(([127, 0, 0, 1], port).into()).await.unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream.write_all(&get("/api/export?format=ndjson")).unwrap();
    stream
}

#[test]
fn slow_readers_of_an_export_hold_one_small_chunk_each() {
    let site = big_site();
    let mut server = site.serve();
    let whole = send(
        server.port,
        &get("/api/export?format=ndjson"),
        Duration::from_secs(60),
    )
    .unwrap();
    let export_mb = whole.len() as f64 / 1048576.0;
    let before = resident_mb(server.pid());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let mut readers: Vec<TcpStream> = (0..READERS)
        .map(|_| slow_reader(server.port, &runtime))
        .collect();
    let watch = Instant::now();
    let mut peak = before;
    while watch.elapsed() < Duration::from_secs(8) {
        peak = peak.max(resident_mb(server.pid()));
        std::thread::sleep(Duration::from_millis(50));
    }
    let grown = peak - before;
    eprintln!(
        "{READERS} slow readers of a {export_mb:.1} MB export: server resident memory \
         {before:.0} MB, at most {peak:.0} MB meanwhile (+{grown:.0} MB)"
    );
    server.assert_healthy(Duration::from_secs(2));
    for reader in &mut readers {
        reader
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut head = [0u8; 12];
        match reader.read_exact(&mut head) {
            Ok(()) => assert_eq!(&head, b"HTTP/1.1 200", "each slow reader is answered"),
            Err(e) => panic!("a slow reader got no answer: {e} ({:?})", e.kind()),
        }
    }
    drop(readers);
    // Every document still arrives for a client that reads.
    let raw = send(
        server.port,
        &get("/api/export?format=ndjson"),
        Duration::from_secs(60),
    )
    .unwrap();
    let body = parse(&raw).0.remove(0).body;
    let lines = body
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(lines, FILES, "one line per document");
    assert!(grown < 150.0, "{READERS} slow readers took {grown:.0} MB");
}
