//! Integration tests: crawl. A small HTTP server on 127.0.0.1 (a thread in this process) serves
//! the pages under tests/fixtures/crawl/; nothing here talks to any other address.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zhili::crawl::{self, CrawlOptions, CrawlSummary, PageMeta};

use crate::common;

/// One request as the server saw it: path and lower-cased headers.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
}

struct TestServer {
    base: String,
    host_dir: String,
    log: Arc<Mutex<Vec<Seen>>>,
    changed: Arc<AtomicBool>,
}

impl TestServer {
    fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let changed = Arc::new(AtomicBool::new(false));
        let (log2, changed2) = (log.clone(), changed.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, changed) = (log2.clone(), changed2.clone());
                std::thread::spawn(move || serve(stream, &log, &changed));
            }
        });
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
            host_dir: format!("127.0.0.1_{port}"),
            log,
            changed,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self, path: &str) -> Vec<Seen> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|s| s.path == path).cloned().collect()
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(common::fixture("crawl").join(name)).expect("fixture")
}

const HTML_UTF8: &str = "text/html; charset=utf-8";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn serve(mut stream: TcpStream, log: &Mutex<Vec<Seen>>, changed: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        headers: headers.clone(),
    });
    let ok = |ct: &str, body: Vec<u8>| (200, vec![("Content-Type", ct.to_string())], body);
    let redirect = |status: u16, to: &str| (status, vec![("Location", to.to_string())], Vec::new());
    let (status, extra, body): (u16, Vec<(&str, String)>, Vec<u8>) = match path.as_str() {
        "/robots.txt" => ok("text/plain", fixture("robots.txt")),
        "/list.html" => ok(HTML_UTF8, fixture("list.html")),
        "/art/2023/05/t20230512_1.html" | "/private/secret.html" => {
            ok(HTML_UTF8, fixture("art_utf8.html"))
        }
        "/gbk/t20230601_2.html" => ok("text/html", fixture("gbk_meta.html")),
        "/gbk/202103/t20210315_3.html" => ok("text/html", fixture("gbk_nometa.html")),
        "/boiler/case.html" => ok(HTML_UTF8, fixture("boiler.html")),
        "/case/jiaxing.html" => ok(HTML_UTF8, fixture("jiaxing.html")),
        "/gz/case.html" => (
            200,
            vec![
                ("Content-Type", HTML_UTF8.to_string()),
                ("Content-Encoding", "gzip".to_string()),
            ],
            fixture("gzipped.html.gz"),
        ),
        "/gbk/short.html" => ok("text/html", fixture("short_gbk.html")),
        away if away.starts_with("/away?to=") => redirect(302, &away["/away?to=".len()..]),
        links if links.starts_with("/links?to=") => {
            let to = &links["/links?to=".len()..];
            let page =
                format!("<html><body><p>相关链接</p><a href=\"{to}\">别的站点</a></body></html>");
            ok(HTML_UTF8, page.into_bytes())
        }
        "/redir/1" => redirect(302, "/redir/2"),
        "/redir/2" => redirect(301, "/redir/final.html"),
        "/redir/final.html" => ok(HTML_UTF8, fixture("redirected.html")),
        "/loop/a" => redirect(302, "/loop/b"),
        "/loop/b" => redirect(302, "/loop/a"),
        "/slow.html" => {
            std::thread::sleep(Duration::from_secs(3));
            ok(HTML_UTF8, fixture("etag.html"))
        }
        "/big.html" => return serve_big(stream),
        "/doc.pdf" => ok("application/pdf", fixture("doc.pdf")),
        "/report.docx" => ok(DOCX, fixture("report.docx")),
        "/changing.html" if changed.load(Ordering::SeqCst) => {
            ok(HTML_UTF8, fixture("changing_v2.html"))
        }
        "/changing.html" => ok(HTML_UTF8, fixture("changing_v1.html")),
        "/etag.html" if headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") => {
            (304, vec![("ETag", "\"v1\"".to_string())], Vec::new())
        }
        "/etag.html" => (
            200,
            vec![
                ("Content-Type", HTML_UTF8.to_string()),
                ("ETag", "\"v1\"".to_string()),
                ("Last-Modified", "Mon, 15 May 2023 08:00:00 GMT".to_string()),
            ],
            fixture("etag.html"),
        ),
        _ => (
            404,
            vec![("Content-Type", "text/html".to_string())],
            b"<h1>404</h1>".to_vec(),
        ),
    };
    let mut head = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// 400 KB of paragraphs with no Content-Length: the cap must bite while streaming.
fn serve_big(mut stream: TcpStream) {
    let _ = stream
        .write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n");
    let para = "<p>这是一段很长很长的文字，用来测试响应大小的上限。</p>\n".repeat(100);
    for _ in 0..80 {
        if stream.write_all(para.as_bytes()).is_err() {
            return;
        }
    }
}

fn options(out: &Path, urls: Vec<String>) -> CrawlOptions {
    CrawlOptions {
        urls,
        out: out.to_path_buf(),
        allow_private: true,
        delay: Duration::from_millis(1),
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(800),
        max_body_bytes: 64 * 1024,
        max_redirects: 5,
        ..CrawlOptions::default()
    }
}

fn meta(dir: &Path, name: &str) -> PageMeta {
    let path = dir.join(format!("{name}.meta.json"));
    let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
    serde_json::from_slice(&bytes).expect("metadata parses")
}

fn error_for<'a>(summary: &'a CrawlSummary, url: &str) -> &'a str {
    summary
        .errors
        .iter()
        .find(|e| e.url == url)
        .map(|e| e.error.as_str())
        .unwrap_or_else(|| panic!("no error for {url} in {:#?}", summary.errors))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn listing_crawl_stores_articles_with_metadata_and_reports_each_failure() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = options(tmp.path(), vec![server.url("/list.html")]);
    opts.depth = 1;
    let summary = crawl::run(&opts).unwrap();
    let dir = tmp.path().join(&server.host_dir);

    assert_eq!(
        files_in(&dir),
        [
            "art_2023_05_t20230512_1.html",
            "art_2023_05_t20230512_1.html.meta.json",
            "boiler_case.html",
            "boiler_case.html.meta.json",
            "gbk_202103_t20210315_3.html",
            "gbk_202103_t20210315_3.html.meta.json",
            "gbk_t20230601_2.html",
            "gbk_t20230601_2.html.meta.json",
            "redir_1.html",
            "redir_1.html.meta.json",
            "report.docx",
            "report.docx.meta.json",
        ],
        "the listing page itself is not an article and is not stored"
    );

    // UTF-8 article: stored byte for byte, metadata from <meta> tags.
    let art = meta(&dir, "art_2023_05_t20230512_1.html");
    assert_eq!(art.url, server.url("/art/2023/05/t20230512_1.html"));
    assert_eq!(art.final_url, art.url);
    assert_eq!(art.status, 200);
    assert_eq!(
        art.title.as_deref(),
        Some("临泽县“网格+警格”融合推进基层治理")
    );
    assert_eq!(art.published.as_deref(), Some("2023-05-12"));
    assert_eq!(art.source.as_deref(), Some("张掖日报"));
    assert_eq!(art.charset.as_deref(), Some("utf-8"));
    assert!(!art.reencoded);
    let original = fixture("art_utf8.html");
    assert_eq!(
        art.content_hash,
        blake3::hash(&original).to_hex().to_string()
    );
    assert_eq!(
        std::fs::read(dir.join("art_2023_05_t20230512_1.html")).unwrap(),
        original
    );
    assert!(
        humantime::parse_rfc3339(&art.fetched_at).is_ok(),
        "{}",
        art.fetched_at
    );
    assert!(
        art.text.contains("实现社区民警、辅警与网格员联勤联动"),
        "{}",
        art.text
    );
    for noise in [
        "分享到",
        "相关文章",
        "临泽县召开平安建设推进会",
        "版权所有",
        "政务公开",
    ] {
        assert!(
            !art.text.contains(noise),
            "{noise:?} leaked into {}",
            art.text
        );
    }

    // GBK with <meta charset=gb2312> and no charset header: stored as UTF-8, meta rewritten.
    let gbk = meta(&dir, "gbk_t20230601_2.html");
    assert_eq!(gbk.charset.as_deref(), Some("gbk"));
    assert!(gbk.reencoded);
    assert_eq!(
        gbk.content_hash,
        blake3::hash(&fixture("gbk_meta.html")).to_hex().to_string()
    );
    assert_eq!(gbk.title.as_deref(), Some("临泽县推行“四议两公开”工作法"));
    assert_eq!(gbk.published.as_deref(), Some("2023-06-01"));
    assert_eq!(gbk.source.as_deref(), Some("临泽县融媒体中心"));
    assert!(
        gbk.text.contains("村级重大事项由村党组织提议"),
        "{}",
        gbk.text
    );
    let stored =
        std::fs::read_to_string(dir.join("gbk_t20230601_2.html")).expect("stored as UTF-8");
    assert!(stored.contains("全县通过“四议两公开”程序决策村级重大事项326项"));
    assert!(stored.contains(r#"<meta charset="utf-8">"#) && !stored.contains("gb2312"));

    // GBK without any declaration: detected; the date comes from the URL.
    let nometa = meta(&dir, "gbk_202103_t20210315_3.html");
    assert_eq!(nometa.charset.as_deref(), Some("gbk"));
    assert_eq!(nometa.published.as_deref(), Some("2021-03-15"));
    assert_eq!(
        nometa.title.as_deref(),
        Some("高台县建立矛盾纠纷多元化解机制")
    );
    assert!(
        nometa.text.contains("小事不出村、大事不出镇、矛盾不上交"),
        "{}",
        nometa.text
    );

    // Boilerplate around the article stays out of the main text.
    let boiler = meta(&dir, "boiler_case.html");
    assert_eq!(boiler.published.as_deref(), Some("2022-11-08"));
    assert_eq!(boiler.source.as_deref(), Some("甘州区公安分局"));
    assert!(
        boiler.text.contains("全区18个派出所全部建立"),
        "{}",
        boiler.text
    );
    assert!(boiler.text.contains("力争三年内实现"), "{}", boiler.text);
    for noise in [
        "热点新闻",
        "为民服务热线",
        "政务服务",
        "分享到",
        "相关文章",
        "网友评论",
        "主办单位",
        "您的位置",
    ] {
        assert!(
            !boiler.text.contains(noise),
            "{noise:?} leaked into {}",
            boiler.text
        );
    }

    // Redirect chain: stored under the requested URL, final URL recorded.
    let redir = meta(&dir, "redir_1.html");
    assert_eq!(redir.final_url, server.url("/redir/final.html"));
    assert_eq!(redir.title.as_deref(), Some("山丹县“一站式”矛调中心建设"));

    // docx is kept as .docx.
    assert_eq!(
        std::fs::read(dir.join("report.docx")).unwrap(),
        fixture("report.docx")
    );

    // Each failure: one entry naming the URL and the reason.
    assert_eq!(
        error_for(&summary, &server.url("/private/secret.html")),
        "disallowed by robots.txt"
    );
    assert_eq!(
        error_for(&summary, &server.url("/missing.html")),
        "HTTP 404 Not Found"
    );
    assert!(error_for(&summary, &server.url("/loop/a")).contains("redirect loop"));
    assert!(error_for(&summary, &server.url("/slow.html")).contains("timed out"));
    assert!(
        error_for(&summary, &server.url("/big.html"))
            .contains("larger than the cap of 65536 bytes")
    );
    assert_eq!(
        error_for(&summary, &server.url("/doc.pdf")),
        "not HTML (application/pdf): skipped"
    );
    assert_eq!(summary.errors.len(), 6, "{:#?}", summary.errors);
    assert_eq!(summary.pages_failed, 6);
    assert_eq!(summary.pages_saved, 6);
    assert_eq!(summary.pages_skipped, 1, "the listing page");
    assert_eq!(summary.pages_fetched, 13);

    // What the server saw: a polite agent, no disallowed path, no links from boilerplate.
    let ua = &server.requests("/list.html")[0].headers["user-agent"];
    assert!(ua.starts_with("zhili/") && ua.contains("(+http"), "{ua}");
    assert!(server.requests("/private/secret.html").is_empty());
    assert!(
        server.requests("/art/2023/04/t20230401_9.html").is_empty(),
        "related list followed"
    );
    assert!(
        server.requests("/nav/about.html").is_empty(),
        "navigation followed"
    );
    assert_eq!(
        server.requests("/robots.txt").len(),
        1,
        "robots.txt fetched once"
    );
}

#[test]
fn recrawl_sends_conditional_requests_and_overwrites_changed_pages_in_place() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let urls = [
        "/changing.html",
        "/etag.html",
        "/art/2023/05/t20230512_1.html",
    ];
    let opts = options(tmp.path(), urls.iter().map(|p| server.url(p)).collect());
    let first = crawl::run(&opts).unwrap();
    assert_eq!(
        (first.pages_saved, first.pages_unchanged),
        (3, 0),
        "{first:#?}"
    );
    let dir = tmp.path().join(&server.host_dir);
    let before = files_in(&dir);
    assert_eq!(meta(&dir, "etag.html").etag.as_deref(), Some("\"v1\""));

    server.changed.store(true, Ordering::SeqCst);
    let second = crawl::run(&opts).unwrap();
    assert_eq!(
        (second.pages_saved, second.pages_unchanged),
        (1, 2),
        "{second:#?}"
    );
    assert_eq!(second.saved, vec![dir.join("changing.html")]);
    assert_eq!(
        files_in(&dir),
        before,
        "a changed page replaces its file, it adds none"
    );
    let changed = meta(&dir, "changing.html");
    assert!(
        changed.text.contains("在全县72个村推广"),
        "{}",
        changed.text
    );
    assert_eq!(
        std::fs::read(dir.join("changing.html")).unwrap(),
        fixture("changing_v2.html")
    );

    let etag_requests = server.requests("/etag.html");
    assert_eq!(etag_requests.len(), 2);
    let conditional = &etag_requests[1].headers;
    assert_eq!(
        conditional.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(
        conditional.get("if-modified-since").map(String::as_str),
        Some("Mon, 15 May 2023 08:00:00 GMT")
    );
    assert_eq!(
        std::fs::read(dir.join("etag.html")).unwrap(),
        fixture("etag.html")
    );
}

#[test]
fn private_addresses_are_refused_without_allow_private() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let by_name = format!("http://localhost:{port}/art/2023/05/t20230512_1.html");
    let mut opts = options(
        tmp.path(),
        vec![server.url("/art/2023/05/t20230512_1.html"), by_name.clone()],
    );
    opts.allow_private = false;
    let summary = crawl::run(&opts).unwrap();
    assert_eq!(summary.pages_failed, 2, "{summary:#?}");
    let literal = error_for(&summary, &server.url("/art/2023/05/t20230512_1.html"));
    assert!(
        literal.contains("refused: 127.0.0.1 is a loopback address"),
        "{literal}"
    );
    let resolved = error_for(&summary, &by_name);
    assert!(
        resolved.contains("refused: localhost resolves to"),
        "{resolved}"
    );
    assert!(
        server.log.lock().unwrap().is_empty(),
        "no request may reach the server"
    );
    assert!(files_in(tmp.path()).is_empty());
}

#[test]
fn redirect_cap_page_cap_and_patterns_limit_the_crawl() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = options(tmp.path(), vec![server.url("/redir/1")]);
    opts.max_redirects = 1;
    let summary = crawl::run(&opts).unwrap();
    assert_eq!(
        error_for(&summary, &server.url("/redir/1")),
        "more than 1 redirects"
    );

    let mut opts = options(tmp.path(), vec![server.url("/list.html")]);
    opts.depth = 1;
    opts.max_pages = 3;
    let capped = crawl::run(&opts).unwrap();
    assert_eq!(capped.pages_fetched, 3);
    assert_eq!(capped.pages_left, 10, "{capped:#?}");

    let server = TestServer::start();
    let mut opts = options(tmp.path(), vec![server.url("/list.html")]);
    opts.depth = 1;
    opts.include = vec![regex::Regex::new("/gbk/").unwrap()];
    opts.exclude = vec![regex::Regex::new("202103").unwrap()];
    let filtered = crawl::run(&opts).unwrap();
    assert_eq!(filtered.pages_fetched, 2, "{filtered:#?}");
    assert_eq!(server.requests("/gbk/t20230601_2.html").len(), 1);
    assert!(server.requests("/gbk/202103/t20210315_3.html").is_empty());
}

#[test]
fn requests_to_one_host_are_spaced_by_the_delay() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let urls = ["/changing.html", "/etag.html", "/redir/final.html"];
    let mut opts = options(tmp.path(), urls.iter().map(|p| server.url(p)).collect());
    opts.delay = Duration::from_millis(300);
    let started = Instant::now();
    let summary = crawl::run(&opts).unwrap();
    assert_eq!(summary.pages_saved, 3);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

fn zhili() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_zhili"))
}

#[test]
fn cli_prints_one_line_per_failure_and_a_json_summary() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let out: PathBuf = tmp.path().join("crawled");
    let output = zhili()
        .args([
            "crawl",
            &server.url("/missing.html"),
            &server.url("/doc.pdf"),
        ])
        .arg(server.url("/gbk/t20230601_2.html"))
        .args([
            "--allow-private",
            "--delay-ms",
            "0",
            "--no-ingest",
            "--json",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let mut lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("crawl: "))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            format!(
                "crawl: {}: not HTML (application/pdf): skipped",
                server.url("/doc.pdf")
            ),
            format!("crawl: {}: HTTP 404 Not Found", server.url("/missing.html")),
        ],
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["pages_fetched"], 3);
    assert_eq!(summary["pages_saved"], 1);
    assert_eq!(summary["pages_failed"], 2);
    assert_eq!(summary["errors"].as_array().unwrap().len(), 2);
    assert!(
        out.join(&server.host_dir)
            .join("gbk_t20230601_2.html.meta.json")
            .exists()
    );

    let refused = zhili()
        .args(["crawl", &server.url("/list.html"), "--no-ingest", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("is a loopback address (use --allow-private"),
        "{stderr}"
    );
    assert!(!refused.status.success(), "its only URL failed");
}

#[test]
fn a_crawl_whose_every_url_fails_exits_non_zero_and_changes_nothing() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = (tmp.path().join("corpus"), tmp.path().join("index"));
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("case.txt"), "网格化治理\n网格员巡逻。\n").unwrap();
    let ingest = zhili()
        .args(["ingest", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(ingest.status.success());
    let closed = format!(
        "http://127.0.0.1:{}/x.html",
        crate::common::server::free_port()
    );
    let output = zhili()
        .args(["crawl", &server.url("/missing.html"), &closed])
        .args(["--allow-private", "--delay-ms", "0", "--json", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("every page failed (2 of them"), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("crawl: http"))
            .count(),
        2
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["pages_failed"], 2, "the summary is still printed");
    assert!(summary["ingest"].is_null(), "nothing to ingest");
    let engine = zhili::search::Engine::open(&index).unwrap();
    assert_eq!(engine.document_count(), 1);
}

#[test]
fn crawled_pages_are_in_the_index_after_zhili_crawl() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = (tmp.path().join("corpus"), tmp.path().join("index"));
    std::fs::create_dir_all(&corpus).unwrap();
    let gbk_url = server.url("/gbk/t20230601_2.html");
    let crawl = || {
        let output = zhili()
            .args(["crawl", &server.url("/changing.html"), &gbk_url])
            .args(["--allow-private", "--delay-ms", "0", "--json", "--corpus"])
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report
    };
    let first = crawl();
    assert_eq!(first["pages_saved"], 2, "{first}");
    assert_eq!(first["ingest"]["documents"], 2, "{first}");
    let copy = corpus
        .join("crawled")
        .join(&server.host_dir)
        .join("gbk_t20230601_2.html");
    assert!(copy.exists());

    let search = zhili()
        .args(["search", "四议两公开", "--json", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    assert!(
        search.status.success(),
        "{}",
        String::from_utf8_lossy(&search.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
    let hit = &body["hits"][0];
    assert_eq!(hit["source"]["url"], gbk_url.as_str(), "{body}");
    assert!(
        hit["title"].as_str().unwrap_or("").contains("四议两公开"),
        "{body}"
    );

    let second = crawl();
    assert_eq!(second["pages_unchanged"], 2, "{second}");
    assert_eq!(second["ingest"]["files_indexed"], 0, "{second}");
    assert_eq!(second["ingest"]["documents"], 2, "{second}");

    // A changed page replaces its document: same file, same id, no second document.
    server.changed.store(true, Ordering::SeqCst);
    let third = crawl();
    assert_eq!(third["pages_saved"], 1, "{third}");
    assert_eq!(third["ingest"]["files_indexed"], 1, "{third}");
    assert_eq!(third["ingest"]["documents"], 2, "{third}");
    let search = zhili()
        .args(["search", "积分制", "--json", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(body["total"], 1, "{body}");
    let id = body["hits"][0]["id"].as_str().unwrap().to_string();
    let show = zhili()
        .args(["show", &id, "--json", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    let doc = String::from_utf8_lossy(&show.stdout);
    assert!(doc.contains("在全县72个村推广"), "{doc}");
}

#[test]
fn crawled_articles_are_indexed_without_their_page_chrome_with_region_title_and_year() {
    let server = TestServer::start();
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = (tmp.path().join("corpus"), tmp.path().join("index"));
    std::fs::create_dir_all(&corpus).unwrap();
    let run = |args: &[&str]| {
        let output = zhili()
            .args(args)
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let (jiaxing, short) = (
        server.url("/case/jiaxing.html"),
        server.url("/gbk/short.html"),
    );
    let (list, gzipped) = (server.url("/list.html"), server.url("/gz/case.html"));
    let report = run(&[
        "crawl",
        &jiaxing,
        &short,
        &list,
        &gzipped,
        "--allow-private",
        "--delay-ms",
        "0",
        "--json",
    ]);
    assert_eq!(
        report["ingest"]["documents"], 3,
        "the articles, not the list page: {report}"
    );
    let body = run(&["search", "压缩传输", "--json"]);
    assert_eq!(
        body["total"], 1,
        "a gzip response is stored decoded: {body}"
    );

    let hits = |q: &str| run(&["search", q, "--json"]);
    for chrome in [
        "网站标识码",
        "版权所有",
        "主办单位",
        "政务公开",
        "相关文章",
        "分享到",
    ] {
        assert_eq!(hits(chrome)["total"], 0, "{chrome} is page chrome");
    }
    let body = hits("楼道长");
    let hit = &body["hits"][0];
    assert_eq!(hit["title"], "嘉兴市南湖区推行楼道长制度", "{body}");
    assert_eq!(hit["region"]["path"], "浙江省/嘉兴市/南湖区", "{body}");
    assert_eq!(hit["year"], 2024, "{body}");
    assert_eq!(hit["source"]["url"], jiaxing.as_str());
    let body = hits("草场边界");
    assert_eq!(body["hits"][0]["title"], "临泽县开展草原矛盾调处", "{body}");
    assert_eq!(
        body["hits"][0]["region"]["path"], "甘肃省/张掖市/临泽县",
        "{body}"
    );
}

#[test]
fn a_redirect_to_another_host_is_checked_against_its_robots_txt_before_it_is_fetched() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let tmp = tempfile::tempdir().unwrap();
    let disallowed = b.url("/private/secret.html");
    let allowed = b.url("/art/2023/05/t20230512_1.html");
    let via = |to: &str| a.url(&format!("/away?to={to}"));
    let mut opts = options(tmp.path(), vec![via(&disallowed), via(&allowed)]);
    opts.urls
        .push(a.url(&format!("/links?to={}", b.url("/case/jiaxing.html"))));
    opts.depth = 1;
    let summary = crawl::run(&opts).unwrap();
    assert_eq!(
        error_for(&summary, &via(&disallowed)),
        format!("redirected to {disallowed}: disallowed by robots.txt")
    );
    assert!(
        b.requests("/private/secret.html").is_empty(),
        "the disallowed page is never asked for"
    );
    assert_eq!(b.requests("/robots.txt").len(), 1, "asked once, first");
    assert_eq!(b.requests("/art/2023/05/t20230512_1.html").len(), 1);
    assert_eq!(summary.pages_saved, 1, "{summary:#?}");
    assert!(
        b.requests("/case/jiaxing.html").is_empty(),
        "a link to another port is another host: not followed"
    );
}
