//! The real binary: `serve` on a free loopback port (ingesting a corpus first) queried over
//! TCP with `common::server`, a re-ingest by another process picked up live, Ctrl-C, and the
//! CLI printing the same bodies as the API.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{enc, index_dir};
use crate::common;
use crate::common::server::Server;

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
    assert_eq!(health["generation"], "gen-000001", "{health}");
    let last = &health["last_ingest"];
    assert_eq!(last["documents"], health["documents"], "{health}");
    assert!(last["files_indexed"].as_u64().unwrap() >= 2, "{health}");
    assert!(
        humantime::parse_rfc3339(last["finished_at"].as_str().unwrap()).is_ok(),
        "{health}"
    );
    let body = server.json(&format!("/api/search?q={}", enc("枫桥经验")));
    assert!(body["total"].as_u64().unwrap() >= 1);
    assert!(body["hits"][0]["title"].as_str().unwrap().contains("枫桥"));
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("治理案例检索"));
    assert_eq!(server.get("/api/docs/ffffffffffffffff").status, 404);
    assert_eq!(server.get("/api/search?per_page=1000").status, 400);
    let export = server.get("/api/export?format=csv");
    assert_eq!(export.status, 200);
    let csv = export.text();
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

    for format in ["csv", "md", "ndjson", "sphinxql"] {
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
