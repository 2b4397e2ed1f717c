//! The real binary: `serve` on a free loopback port (ingesting a corpus first) queried with a
//! plain TcpStream, a re-ingest by another process picked up live, Ctrl-C, and the CLI printing
//! the same bodies as the API.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{enc, index_dir};
use crate::common;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` over HTTP/1.1; returns the status and the (de-chunked) body.
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    ))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// A running `zhili serve`, killed when dropped.
pub(super) struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    pub(super) fn start(index: &Path, corpus: &Path, log: PathBuf) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_zhili"))
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--index")
            .arg(index)
            .arg("--corpus")
            .arg(corpus)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("zhili serve starts");
        let mut server = Server { child, port, log };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("zhili serve exited with {status}: {}", self.log_text());
            }
            if let Ok((200, _)) = http_get(self.port, "/api/health") {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("zhili serve did not answer in time: {}", self.log_text());
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(self.port, path).expect("request answered")
    }

    pub(super) fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Ctrl-C: the server stops by itself and exits 0.
    fn interrupt_and_expect_clean_exit(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit after Ctrl-C: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "still running after Ctrl-C");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_ingests_an_empty_index_then_answers_over_http() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for entry in std::fs::read_dir(common::fixture("server/corpus")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
    }
    let server = Server::start(
        &tmp.path().join("index"),
        &corpus,
        tmp.path().join("serve.log"),
    );

    let health = server.json("/api/health");
    assert_eq!(health["status"], "ok");
    assert!(health["documents"].as_u64().unwrap() >= 2, "{health}");
    let body = server.json(&format!("/api/search?q={}", enc("枫桥经验")));
    assert!(body["total"].as_u64().unwrap() >= 1);
    assert!(body["hits"][0]["title"].as_str().unwrap().contains("枫桥"));
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(page.contains("治理案例检索"));
    assert_eq!(server.get("/api/docs/ffffffffffffffff").0, 404);
    assert_eq!(server.get("/api/search?per_page=1000").0, 400);
    let (status, csv) = server.get("/api/export?format=csv");
    assert_eq!(status, 200);
    assert!(csv.lines().count() >= 3, "{csv}");

    let log = server.log_text();
    assert!(
        log.contains("GET /api/health") && log.contains(" 200 "),
        "one line per request: {log}"
    );
    assert!(log.contains("/api/search?per_page=1000\" 400"), "{log}");
    picks_up_a_reingest_by_another_process(&server, tmp.path(), &corpus);
    server.interrupt_and_expect_clean_exit();
}

/// A batch `zhili ingest` in another process: the running server sees the new commit within
/// seconds, without a restart, and keeps answering meanwhile.
fn picks_up_a_reingest_by_another_process(server: &Server, tmp: &Path, corpus: &Path) {
    let before = server.json("/api/health")["documents"].as_u64().unwrap();
    std::fs::write(
        corpus.join("new-case.txt"),
        "酒泉市推行无人机巡逻\n\n甘肃省酒泉市肃州区公安局组建无人机巡逻队，在城郊接合部开展空中巡逻。\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["ingest", "--index"])
        .arg(tmp.join("index"))
        .arg("--corpus")
        .arg(corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "zhili ingest while serving");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = server.json("/api/health")["documents"].as_u64().unwrap();
        if now > before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server never saw the new document"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let body = server.json(&format!("/api/search?q={}", enc("无人机巡逻")));
    assert!(
        body["hits"][0]["title"]
            .as_str()
            .unwrap()
            .contains("无人机"),
        "{body}"
    );
}

fn cli(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(args)
        .arg("--index")
        .arg(index_dir())
        .output()
        .expect("zhili runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[actix_web::test]
async fn cli_compare_and_export_print_the_api_bodies() {
    let app = server_app!();
    let (a, d) = ("a000000000000001", "d000000000000004");
    let http = get!(app, &format!("/api/compare?ids={a},{d}")).json();
    let printed: Value = serde_json::from_str(&cli(&["compare", a, d, "--json"])).unwrap();
    assert_eq!(printed, http);
    let text = cli(&["compare", a, d]);
    assert!(
        text.contains("视频监控与智能感知") && text.contains("矛盾纠纷"),
        "{text}"
    );

    for format in ["csv", "md", "ndjson"] {
        let http = get!(
            app,
            &format!("/api/export?format={format}&region={}", enc("甘肃省"))
        )
        .text();
        assert_eq!(
            cli(&["export", "--region", "甘肃省", "--format", format]),
            http,
            "{format}"
        );
    }
    let bulk = cli(&["export", "--format", "es-bulk", "视频监控"]);
    assert!(bulk.lines().count() >= 8 && bulk.lines().count().is_multiple_of(2));
    let all = cli(&["export"]);
    assert_eq!(all.lines().count(), 8);
}
