//! Hostile files in the corpus, through the real binary: symbolic links leading outside the
//! corpus, dangling or looping (skipped, one line each, counted), and a .docx zip bomb
//! (refused without inflating it, memory measured).

use std::os::unix::fs::symlink;
use std::time::Duration;

use serde_json::Value;

use crate::cli_stage::Workspace;
use crate::common::server::{Server, enc};

const CASE: &str = "网格化治理经验\n临泽县推行网格员巡逻，化解矛盾纠纷。\n";
const SECRET: &str = "机密标记甲乙丙\n这份文件在语料目录之外。\n";

/// A corpus with one real case, a linked directory inside it, and every kind of bad link.
fn linked_corpus() -> Workspace {
    let ws = Workspace::new();
    let corpus = ws.corpus();
    ws.write("sub/case.txt", CASE.as_bytes());
    let outside = ws.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    symlink("/etc/passwd", corpus.join("passwd.md")).unwrap();
    symlink(outside.join("secret.txt"), corpus.join("secret.txt")).unwrap();
    symlink(&outside, corpus.join("outdir")).unwrap();
    symlink("sub", corpus.join("linked")).unwrap();
    symlink("nothing.txt", corpus.join("gone.txt")).unwrap();
    symlink("..", corpus.join("sub/loop")).unwrap();
    symlink("l2.txt", corpus.join("l1.txt")).unwrap();
    symlink("l1.txt", corpus.join("l2.txt")).unwrap();
    ws
}

fn errors(summary: &Value) -> Vec<(String, String)> {
    summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().into(),
                e["error"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn reason_of(errors: &[(String, String)], path: &str) -> String {
    errors
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} not reported: {errors:?}"))
        .1
        .clone()
}

#[test]
fn links_outside_the_corpus_dangling_or_looping_are_skipped_and_reported() {
    let ws = linked_corpus();
    let output = ws.run(&["ingest", "--json"]);
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors = errors(&summary);
    assert!(reason_of(&errors, "passwd.md").contains("outside the corpus root"));
    assert!(reason_of(&errors, "secret.txt").contains("outside the corpus root"));
    assert!(reason_of(&errors, "outdir").contains("outside the corpus root"));
    assert!(reason_of(&errors, "gone.txt").starts_with("dangling"));
    assert!(reason_of(&errors, "sub/loop").contains("loop"));
    assert!(reason_of(&errors, "l1.txt").contains("loop"));
    assert!(reason_of(&errors, "l2.txt").contains("loop"));
    assert!(reason_of(&errors, "linked/loop").contains("loop"));
    assert_eq!(errors.len(), 8, "{errors:?}");
    assert_eq!(summary["files_failed"], 8);
    assert_eq!(
        summary["files_indexed"], 2,
        "sub/case.txt and linked/case.txt"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("zhili: skipped ").count(), 8, "{stderr}");
    assert!(stderr.contains("zhili: skipped passwd.md: symbolic link to /etc/passwd"));

    // Served from a fresh index, ingested by the server itself: nothing from outside leaks.
    std::fs::remove_dir_all(ws.index()).unwrap();
    let mut server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));
    for q in ["root", "nologin", "机密标记甲乙丙"] {
        let body = server.json(&format!("/api/search?q={}", enc(q)));
        assert_eq!(body["total"], 0, "{q}: {body}");
    }
    let body = server.json(&format!("/api/search?q={}", enc("网格员")));
    assert!(body["total"].as_u64().unwrap() >= 1, "{body}");
    server.assert_healthy(Duration::from_secs(2));
    drop(server);

    // `--follow-symlinks none`: the linked directory goes too, and is reported.
    let summary = ws.json(&["ingest", "--json", "--follow-symlinks", "none"]);
    let errors = self::errors(&summary);
    assert!(reason_of(&errors, "linked").contains("not followed"));
    assert_eq!(summary["files_removed"], 1, "{summary}");
    eprintln!(
        "symlinks: 8 bad links skipped with 8 lines, 0 hits outside the corpus; \
         with none, {} links skipped",
        errors.len()
    );
}
