//! Searches through the running server while other processes re-ingest: two full rebuilds and
//! an incremental ingest of changed and added files. Every answer is a 200 with valid JSON whose
//! `total` is the document count before or after the ingest under way; afterwards the server
//! serves the new data.

use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::write_version;
use crate::common::server::{Server, enc};
use crate::common::workspace::Workspace;

/// One search: ingests finished when it started, ingests started when it ended, what came back.
struct Seen {
    finished_before: usize,
    started_after: usize,
    answer: Result<u64, String>,
}

fn search_total(server: &Server, target: &str) -> Result<u64, String> {
    let response = server.try_get(target).map_err(|e| e.to_string())?;
    if response.status != 200 {
        return Err(format!("status {}: {}", response.status, response.text()));
    }
    let body: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| format!("bad JSON: {e}"))?;
    let hits = body["hits"].as_array().ok_or("no hits")?;
    for hit in hits {
        if hit["id"].as_str().is_none() || hit["title"].as_str().is_none() {
            return Err(format!("a hit without id or title: {hit}"));
        }
    }
    body["total"]
        .as_u64()
        .ok_or_else(|| format!("no total: {body}"))
}

fn ingest(ws: &Workspace, full: bool) {
    let args: &[&str] = if full {
        &["ingest", "--full"]
    } else {
        &["ingest"]
    };
    let status = ws
        .command(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "ingest (full: {full})");
}

#[test]
fn searches_during_full_and_incremental_reingests_never_fail() {
    const FILES: usize = 160;
    let ws = Workspace::new();
    write_version(&ws.corpus(), FILES, 40, 40, '甲');
    let server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));
    // Document count before the first ingest, then after each one.
    let counts = [160u64, 160, 200, 240];
    assert_eq!(
        search_total(&server, "/api/search?per_page=1"),
        Ok(counts[0])
    );

    let started = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let seen = Mutex::new(Vec::new());
    let began = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (server, started, finished, stop, seen) =
                (&server, &started, &finished, &stop, &seen);
            scope.spawn(move || {
                let targets = [
                    "/api/search?per_page=5".to_string(),
                    format!("/api/search?q={}&per_page=3&sort=year", enc("案例")),
                ];
                let mut n = worker;
                while !stop.load(Ordering::SeqCst) {
                    let finished_before = finished.load(Ordering::SeqCst);
                    let answer = search_total(server, &targets[n % 2]);
                    let started_after = started.load(Ordering::SeqCst);
                    // The second target filters on a word every case holds: same total.
                    seen.lock().unwrap().push(Seen {
                        finished_before,
                        started_after,
                        answer,
                    });
                    n += 1;
                }
            });
        }
        let phase = |k: usize, full: bool| {
            started.store(k, Ordering::SeqCst);
            ingest(&ws, full);
            finished.store(k, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(500));
        };
        std::thread::sleep(Duration::from_millis(300));
        phase(1, true);
        write_version(&ws.corpus(), FILES, 40, 40, '乙');
        phase(2, true);
        write_version(&ws.corpus(), FILES, 80, 80, '乙');
        phase(3, false);
        stop.store(true, Ordering::SeqCst);
    });

    let seen = seen.into_inner().unwrap();
    let mut during = 0;
    for s in &seen {
        let total = s
            .answer
            .as_ref()
            .unwrap_or_else(|e| panic!("a failed search: {e}"));
        let allowed = &counts[s.finished_before..=s.started_after];
        assert!(
            allowed.contains(total),
            "total {total}, expected one of {allowed:?}"
        );
        during += usize::from(s.started_after > s.finished_before);
    }
    eprintln!(
        "{} searches over {:.1} s during 3 re-ingests ({during} overlapping an ingest), 0 errors",
        seen.len(),
        began.elapsed().as_secs_f64()
    );
    assert!(during >= 10, "only {during} searches overlapped an ingest");

    let after = server.json(&format!("/api/search?q={}", enc("\"版本乙\"")));
    assert_eq!(
        after["total"], 160,
        "the changed and added files are served"
    );
    assert_eq!(server.json("/api/health")["documents"], counts[3]);
}
