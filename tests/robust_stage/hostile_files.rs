//! Hostile files in the corpus, through the real binary: symbolic links leading outside the
//! corpus, dangling or looping (skipped, one line each, counted), and a .docx zip bomb
//! (refused without inflating it, memory measured), control characters in names, pins out of
//! range.

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::server::{Server, enc};
use crate::common::workspace::Workspace;

pub(super) const CASE: &str = "网格化治理经验\n临泽县推行网格员巡逻，化解矛盾纠纷。\n";
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

pub(super) fn errors(summary: &Value) -> Vec<(String, String)> {
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

pub(super) fn reason_of(errors: &[(String, String)], path: &str) -> String {
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

/// A .docx whose `word/document.xml` unpacks to `mb` megabytes of one repeated paragraph
/// (about 3 MB on disk for 1 GB), written at test time.
fn write_bomb(path: &Path, mb: usize) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    zip.start_file("word/document.xml", options).unwrap();
    let paragraph = "<w:p><w:r><w:t>治安防控网格化管理</w:t></w:r></w:p>".as_bytes();
    let chunk = paragraph.repeat(1024 * 1024 / paragraph.len());
    zip.write_all(b"<?xml version=\"1.0\"?><w:document><w:body>")
        .unwrap();
    for _ in 0..mb {
        zip.write_all(&chunk).unwrap();
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    zip.finish().unwrap();
}

/// Runs `command` to the end; its output and its peak resident memory (VmHWM, in MB) as
/// sampled from /proc every few milliseconds.
pub(super) fn run_measured(mut command: Command) -> (std::process::Output, f64) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak_mb = 0f64;
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the ingest ran for 5 minutes");
        peak_mb = peak_mb.max(crate::common::peak_resident_mb(child.id()));
        std::thread::sleep(Duration::from_millis(5));
    }
    (child.wait_with_output().unwrap(), peak_mb)
}

#[test]
fn a_docx_zip_bomb_is_refused_without_inflating_it_and_keeps_what_was_indexed() {
    let ws = Workspace::new();
    ws.write("case.txt", CASE.as_bytes());
    let report = crate::common::fixture("ingest/report.docx");
    std::fs::copy(report, ws.corpus().join("bomb.docx")).unwrap();
    let first = ws.json(&["ingest", "--json"]);
    assert_eq!(first["files_indexed"], 2, "{first}");
    let before = first["documents"].as_u64().unwrap();

    let bomb = ws.corpus().join("bomb.docx");
    write_bomb(&bomb, 1024);
    let on_disk = std::fs::metadata(&bomb).unwrap().len();
    let started = Instant::now();
    let (output, peak_mb) = run_measured(ws.command(&["ingest", "--json"]));
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reason = reason_of(&errors(&summary), "bomb.docx");
    assert!(
        reason.contains("64 MB limit") && reason.contains("zip bomb"),
        "{reason}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("zhili: skipped bomb.docx: word/document.xml unpacks to more"));
    assert_eq!(summary["files_failed"], 1);
    assert_eq!(
        summary["documents"].as_u64().unwrap(),
        before,
        "the old bomb.docx is kept"
    );
    eprintln!(
        "docx bomb: 1 GB of XML in {:.1} MB on disk, refused in {seconds:.1} s with a peak of \
         {peak_mb:.0} MB resident",
        on_disk as f64 / 1e6
    );
    assert!(peak_mb < 250.0, "peak {peak_mb:.0} MB");
}

#[test]
fn control_characters_in_file_names_are_escaped_in_every_line_printed() {
    let ws = Workspace::new();
    let evil = "evil\n\u{1b}[31mred\u{1b}]0;title\u{7}";
    ws.write(&format!("{evil}.bin"), b"not a case");
    ws.write(&format!("{evil}-empty.txt"), b"");
    ws.write(&format!("{evil}.txt"), CASE.as_bytes());
    let output = ws.run(&["ingest"]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let search = ws.run(&["search", "网格员"]);
    let stdout = String::from_utf8_lossy(&search.stdout);
    let show_id = ws.json(&["search", "网格员", "--json"])["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let show = ws.run(&["show", &show_id]);
    let shown = String::from_utf8_lossy(&show.stdout);
    let printed = [stderr.as_ref(), stdout.as_ref(), shown.as_ref()];
    for text in printed {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("\u{1b}[31m") || l.starts_with("[31m"))
        );
    }
    let escaped = "evil\\n\\u{1b}[31mred\\u{1b}]0;title\\u{7}";
    assert_eq!(
        stderr.matches(&format!("zhili: skipped {escaped}")).count(),
        2,
        "{stderr}"
    );
    assert!(stdout.contains(&format!("{escaped}.txt")), "{stdout}");
    assert!(shown.contains(&format!("source {escaped}.txt")), "{shown}");
    let listed = ws.json(&["ingest", "--json", "--full"]);
    assert!(
        listed["errors"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with(evil)
    );
    eprintln!("control characters: 0 raw ESC/BEL/newline in names across ingest, search, show");
}

#[test]
fn a_pinned_year_out_of_range_is_refused_with_the_file_and_nothing_indexed_is_lost() {
    let ws = Workspace::new();
    ws.write("a.txt", CASE.as_bytes());
    ws.write(
        "b.txt",
        "视频监控经验\n2021年张掖市建设雪亮工程。\n".as_bytes(),
    );
    let first = ws.json(&["ingest", "--json"]);
    let years = |ws: &Workspace| -> Vec<Value> {
        let body = ws.json(&["search", "", "--json"]);
        let mut years: Vec<Value> = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["year"].clone())
            .collect();
        years.sort_by_key(|y| y.to_string());
        years
    };
    let before = years(&ws);

    ws.write("a.txt.tags.toml", b"year = 99999999999\n");
    let output = ws.run(&["ingest", "--json"]);
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reason = reason_of(&errors(&summary), "a.txt");
    assert!(
        reason.contains("a.txt.tags.toml") && reason.contains("year = 99999999999 is not a year"),
        "{reason}"
    );
    assert_eq!(summary["documents"], first["documents"]);
    assert_eq!(years(&ws), before, "nothing stored truncated, nothing lost");

    std::fs::remove_file(ws.corpus().join("a.txt.tags.toml")).unwrap();
    ws.write("zhili-tags.toml", b"[\"b.txt\"]\nyear = 99999999999\n");
    let output = ws.run(&["ingest", "--json"]);
    assert!(
        !output.status.success(),
        "the corpus pin file stops the ingest"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("zhili-tags.toml") && stderr.contains("is not a year"),
        "{stderr}"
    );
    assert_eq!(years(&ws), before);
    eprintln!("pins: year = 99999999999 refused in a sidecar (file skipped) and the corpus file");
}
