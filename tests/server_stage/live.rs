//! The real binary: `serve` on a free loopback port (ingesting a corpus first) queried with a
//! plain TcpStream, the CLI printing the same bodies as the API, and the page rendered by
//! headless Chromium (skipped when /usr/bin/chromium is absent; `scripts/install-browser.sh`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{enc, index_dir};
use crate::common;

const CHROMIUM: &str = "/usr/bin/chromium";

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
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn start(index: &Path, corpus: &Path, log: PathBuf) -> Server {
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

    fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
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

/// Runs headless Chromium on `url` with extra args; returns stdout (the DOM with --dump-dom).
fn chromium(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn dom(server: &Server, path: &str) -> String {
    let dom = chromium(&server.url(path), &["--dump-dom"]);
    assert!(
        dom.contains("data-ready=\"1\""),
        "{path} did not finish rendering: {dom}"
    );
    assert!(
        !dom.contains("class=\"error\""),
        "{path} shows an error: {dom}"
    );
    dom
}

fn screenshot(server: &Server, path: &str, file: &str, size: &str) {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/screenshots")
        .join(file);
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&out);
    chromium(
        &server.url(path),
        &[
            &format!("--screenshot={}", out.display()),
            &format!("--window-size={size}"),
        ],
    );
    assert!(
        out.metadata().map(|m| m.len() > 10_000).unwrap_or(false),
        "no screenshot {file}"
    );
}

#[test]
fn browser_renders_search_facets_document_and_compare() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: {CHROMIUM} is absent (run scripts/install-browser.sh)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(index_dir(), tmp.path(), tmp.path().join("serve.log"));

    let search = dom(&server, &format!("/?q={}", enc("视频监控")));
    assert!(search.matches("class=\"hit\"").count() >= 4, "{search}");
    assert!(search.contains("<mark>"), "highlighted snippets");
    assert!(
        search.contains("视频监控与智能感知"),
        "measure labels from /api/measures"
    );
    assert!(search.contains("用时"), "took_ms shown");
    assert!(
        !search.contains("<img src=\"x\"") && !search.contains("<script>alert"),
        "XSS ran"
    );
    assert!(
        search.contains("&lt;script&gt;alert('t')&lt;/script&gt;网络安全宣传"),
        "title as text"
    );

    let facet = dom(&server, &format!("/?region={}", enc("甘肃省")));
    assert_eq!(facet.matches("class=\"hit\"").count(), 4, "{facet}");
    assert!(
        facet.contains("aria-current=\"location\">甘肃省</a>"),
        "breadcrumb shows the region"
    );
    assert!(
        facet.contains("张掖市") && facet.contains("兰州市"),
        "children listed"
    );

    let doc = dom(&server, "/?doc=a000000000000001");
    assert!(
        doc.contains("全量汇聚视频监控1.3万余路") && doc.contains("相似案例"),
        "{doc}"
    );
    assert!(doc.contains("https://example.org/linze"), "source URL");

    let compare = dom(&server, "/?compare=a000000000000001,d000000000000004");
    assert!(compare.contains("<table class=\"compare\">"), "{compare}");
    assert!(compare.contains("矛盾纠纷排查化解") && compare.contains("视频监控与智能感知"));
    assert!(
        !compare.contains("队伍建设"),
        "rows empty for every case are hidden"
    );
    let all_rows = dom(
        &server,
        "/?compare=a000000000000001,d000000000000004&empty=1",
    );
    assert!(all_rows.contains("队伍建设"), "the toggle shows empty rows");
    assert!(compare.contains("《临泽县打造智慧安防小区的经验做法》，甘肃省张掖市临泽县，2022年"));

    screenshot(
        &server,
        &format!("/?q={}", enc("视频监控")),
        "search.png",
        "1280,1000",
    );
    screenshot(
        &server,
        "/?compare=a000000000000001,b000000000000002,d000000000000004",
        "compare.png",
        "1280,1000",
    );
    screenshot(
        &server,
        &format!("/?q={}", enc("巡逻")),
        "search-phone.png",
        "390,844",
    );
}
