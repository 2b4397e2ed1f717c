//! The page in headless Chromium against a running `zhili serve`: a search, a facet choice,
//! a document and the compare view, driven through the URL (the page's state lives there) and
//! checked in the rendered DOM; screenshots are taken too (into `docs/screenshots/` with
//! `ZHILI_UPDATE_SCREENSHOTS=1`, else a scratch folder). Skipped when
//! /usr/bin/chromium is absent (install it with `scripts/install-browser.sh`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{enc, index_dir};
use crate::common;
use crate::common::server::Server;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium is installed; when it is not, a test is skipped with a line saying so,
/// and fails under CI (which installs it).
fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {CHROMIUM} is absent: .ci/run installs it with scripts/install-browser.sh"
    );
    eprintln!("skipped: {CHROMIUM} is absent (run scripts/install-browser.sh)");
    false
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

/// Where screenshots go: `docs/screenshots/` with `ZHILI_UPDATE_SCREENSHOTS=1` (to refresh the
/// README's pictures), else a scratch folder, so a test run leaves the work tree clean.
fn screenshot_dir() -> PathBuf {
    if std::env::var_os("ZHILI_UPDATE_SCREENSHOTS").is_some() {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        std::env::temp_dir().join(format!("zhili-screenshots-{}", std::process::id()))
    }
}

fn screenshot(server: &Server, path: &str, file: &str, size: &str) {
    let out = screenshot_dir().join(file);
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
    if !chromium_present() {
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
    let found = dom(
        &server,
        &format!("/?q={}&doc=a000000000000001", enc("视频监控")),
    );
    assert!(
        found.contains("全量汇聚<mark>视频监控</mark>1.3万余路"),
        "opened from a search, the document marks the match: {found}"
    );

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
    assert!(
        compare.contains("临泽县打造智慧安防小区的经验做法[EB/OL]. 甘肃省张掖市临泽县, 2022. https://example.org/linze")
            && compare.contains("诸暨市坚持和发展新时代“枫桥经验”[Z]. 浙江省绍兴市诸暨市, 2019."),
        "a GB/T 7714-like citation, no local path: {compare}"
    );
    // The exports are the server's: the page's Markdown link gives the table as shown.
    let markdown = href_of(&compare, "class=\"compare-tools\"", "导出 Markdown");
    assert!(
        markdown.starts_with("/api/compare?") && markdown.contains("format=md"),
        "{markdown}"
    );
    let table = server.get(&markdown).text();
    assert!(
        table.contains("| 视频监控与智能感知 | 临泽县全量汇聚视频监控1.3万余路"),
        "{table}"
    );

    let fixture_compare = "/?compare=a000000000000001,b000000000000002,d000000000000004";
    screenshot(&server, fixture_compare, "compare.png", "1280,1000");
    drop(server);
    screenshots_of_the_sample_corpus(tmp.path());
}

/// Screenshots for the README, over the sample corpus (`corpus/`), ingested by `serve`; the
/// compare view of the fixtures stays unless the sample cases share at least two measures.
fn screenshots_of_the_sample_corpus(tmp: &Path) {
    let server = Server::start(
        &tmp.join("seeds-index"),
        &common::corpus(),
        tmp.join("seeds.log"),
    );
    let body = server.json(&format!("/api/search?q={}&per_page=3", enc("视频监控")));
    let ids = super::hit_ids(&body);
    assert!(ids.len() >= 2, "the sample corpus has cases about 视频监控");
    screenshot(
        &server,
        &format!("/?q={}", enc("视频监控")),
        "search.png",
        "1280,1000",
    );
    let compare = server.json(&format!("/api/compare?ids={}", ids.join(",")));
    let filled = compare["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| {
            row["cells"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c != &Value::Array(vec![]))
        })
        .count();
    if filled >= 2 {
        let path = format!("/?compare={}", ids.join(","));
        screenshot(&server, &path, "compare.png", "1280,1000");
    }
    screenshot(
        &server,
        &format!("/?q={}", enc("矛盾纠纷")),
        "search-phone.png",
        "390,844",
    );
}

/// The `href` of the first link in `dom` whose text is `text` (inside the element that
/// starts with `within`).
fn href_of(dom: &str, within: &str, text: &str) -> String {
    let from = dom
        .find(within)
        .unwrap_or_else(|| panic!("no {within} in {dom}"));
    let part = &dom[from..];
    let end = part
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("no link {text:?} after {within}: {part}"));
    let start = part[..end].rfind("href=\"").expect("an href") + "href=\"".len();
    let quote = part[start..].find('"').unwrap();
    part[start..start + quote].replace("&amp;", "&")
}

#[test]
fn browser_renders_the_overview_precedents_and_a_phone_comparison() {
    if !chromium_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(index_dir(), tmp.path(), tmp.path().join("serve.log"));

    let pivot = dom(&server, "/?view=pivot&rows=region&cols=measure");
    assert!(pivot.contains("<table class=\"pivot\">"), "{pivot}");
    assert!(
        pivot.contains("aria-current=\"page\">总览（交叉统计）</span>"),
        "the tab shows the view"
    );
    assert!(
        pivot.contains("地区不详")
            && pivot.contains("甘肃省")
            && pivot.contains("视频监控与智能感知"),
        "rows, columns and the unknown row: {pivot}"
    );
    assert!(
        pivot.contains("--heat: 1.00"),
        "the largest cell is darkest"
    );
    // 甘肃省 × 视频监控与智能感知 holds 2 cases; its link is the filtered search.
    let cell = href_of(&pivot, "甘肃省</a>", "2");
    assert!(
        cell.contains(&format!("region={}", enc("甘肃省"))) && cell.contains("measure="),
        "{cell}"
    );
    let list = dom(&server, &cell);
    assert_eq!(list.matches("class=\"hit\"").count(), 2, "{cell}: {list}");

    let precedents = dom(&server, &format!("/?view=precedents&q={}", enc("视频监控")));
    assert!(precedents.contains("class=\"place\""), "{precedents}");
    assert!(
        precedents.contains(">甘肃省张掖市</a>") && precedents.contains("3 个地方的 4 篇案例"),
        "{precedents}"
    );
    assert!(
        precedents.contains("<mark>视频监控</mark>"),
        "best passages marked"
    );
    assert!(precedents.contains("format=docx"), "a Word export link");

    let compare = dom(&server, "/?compare=a000000000000001,b000000000000002");
    assert!(
        compare.contains("class=\"fact-row\"")
            && compare.contains("data-label=\"临泽县打造智慧安防小区的经验做法\""),
        "region, year and source rows; cells labelled for the stacked phone layout: {compare}"
    );

    let shots = [
        (
            "/?view=pivot&rows=region&cols=measure",
            "pivot.png",
            "1280,900",
        ),
        (
            "/?view=pivot&rows=region&cols=measure",
            "pivot-phone.png",
            "390,844",
        ),
    ];
    for (path, file, size) in shots {
        screenshot(&server, path, file, size);
    }
    drop(server);
    let server = Server::start(
        &tmp.path().join("seeds-index"),
        &common::corpus(),
        tmp.path().join("seeds.log"),
    );
    let body = server.json(&format!("/api/search?q={}&per_page=3", enc("矛盾纠纷")));
    let ids = super::hit_ids(&body);
    screenshot(
        &server,
        &format!("/?view=precedents&q={}", enc("矛盾纠纷")),
        "precedents.png",
        "1280,1000",
    );
    screenshot(
        &server,
        &format!("/?view=precedents&q={}", enc("矛盾纠纷")),
        "precedents-phone.png",
        "390,844",
    );
    if ids.len() >= 2 {
        screenshot(
            &server,
            &format!("/?compare={}", ids.join(",")),
            "compare-phone.png",
            "390,844",
        );
    }
}
