//! A full disk, a read-only index directory and an index path that is a regular file. As root,
//! permissions stop nothing, so the index lives on a small tmpfs mounted for the test (remounted
//! read-only for the second case); where mounting is not permitted the test says "skipped".
//! Each time: a non-zero exit, a message naming the problem and the path, and the previous
//! index still opening and answering searches; a read-only index is searched by the library,
//! `zhili search` and `zhili serve`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zhili::search::{Engine, SearchRequest};

use super::{seed_char_pool, unique_text};
use crate::common::server::{Server, enc};
use crate::common::workspace::Workspace;

/// A tmpfs mounted on a directory, lazily unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, size: &str) -> Option<Mount> {
        fs::create_dir_all(dir).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output();
        let mounted = output.as_ref().is_ok_and(|out| out.status.success());
        assert!(
            mounted || std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but a tmpfs cannot be mounted (the disk tests need root): {output:?}"
        );
        match output {
            Ok(out) if out.status.success() => Some(Mount(dir.to_path_buf())),
            Ok(out) => {
                let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
                eprintln!("skipped: cannot mount a tmpfs ({why})");
                None
            }
            Err(err) => {
                eprintln!("skipped: no mount command ({err})");
                None
            }
        }
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn ingest(ws: &Workspace, full: bool) -> Output {
    let mut args = vec!["ingest"];
    if full {
        args.push("--full");
    }
    ws.run(&args)
}

/// A few small cases, then the index that holds them.
fn small_index(ws: &Workspace) {
    ws.write(
        "a.txt",
        "临泽县网格化治理\n网格员每天巡查，视频监控全覆盖。\n".as_bytes(),
    );
    ws.write("b.txt", "诸暨市枫桥经验\n矛盾纠纷就地化解。\n".as_bytes());
    let output = ingest(ws, false);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn assert_previous_index_intact(ws: &Workspace) {
    let engine = Engine::open(&ws.index()).expect("the previous index opens");
    assert_eq!(engine.document_count(), 2);
    let found = engine.search(&SearchRequest::new("网格化")).unwrap();
    assert_eq!(found.total, 1);
    assert!(found.hits[0].title.contains("临泽县"));
}

/// The failure is reported with a non-zero exit, not a panic.
fn assert_failure(output: &Output) -> String {
    assert!(!output.status.success(), "the ingest must fail");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked at"), "{stderr}");
    eprintln!("reported: {}", stderr.trim());
    stderr
}

/// The failure is reported, not panicked, and names `problem` and the index path.
fn assert_clear_failure(output: &Output, problem: &str, path: &Path) {
    let stderr = assert_failure(output);
    assert!(stderr.contains(problem), "names the problem: {stderr}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "names the path: {stderr}"
    );
}

/// `files` cases of `chars` unique characters each.
fn big_corpus(ws: &Workspace, files: usize, chars: usize) {
    let pool = seed_char_pool();
    for i in 0..files {
        let text = format!(
            "大案例{i}\n{}。\n",
            unique_text(&pool, 10_000 + i as u64, chars)
        );
        ws.write(&format!("big/{i:04}.txt"), text.as_bytes());
    }
}

/// Fills a 3 MB index disk with a ~10 MB corpus (an incremental, then a full ingest);
/// `check` looks at each failed ingest. Returns the workspace, the corpus back to its small
/// self, with the disk still mounted.
fn fill_the_disk(check: impl Fn(&Workspace, &Output)) -> Option<(Workspace, Mount)> {
    let ws = Workspace::new();
    let mount = Mount::tmpfs(&ws.index(), "3m")?;
    small_index(&ws);
    big_corpus(&ws, 300, 12_000);
    for full in [false, true] {
        let output = ingest(&ws, full);
        check(&ws, &output);
        assert_previous_index_intact(&ws);
    }
    fs::remove_dir_all(ws.corpus().join("big")).unwrap();
    ws.write("c.txt", "酒泉市无人机巡逻\n空中巡逻队。\n".as_bytes());
    Some((ws, mount))
}

fn assert_next_ingest_finishes(ws: &Workspace) {
    for full in [false, true] {
        let output = ingest(ws, full);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(Engine::open(&ws.index()).unwrap().document_count(), 3);
    }
}

#[test]
fn a_full_disk_fails_the_ingest_and_keeps_the_previous_index() {
    let Some((ws, mount)) = fill_the_disk(|_, output| {
        assert_failure(output);
    }) else {
        return;
    };
    // Once the operator makes room, the next ingest finishes the job.
    mount.remount("size=64m");
    assert_next_ingest_finishes(&ws);
}

/// An incremental ingest on a full disk: tantivy's writer threads die with "An index writer
/// was killed"; the error reported probes the disk and names the problem and the path.
#[test]
fn a_full_disk_error_names_the_problem_and_the_path() {
    fill_the_disk(|ws, output| {
        assert_clear_failure(output, "No space left on device", &ws.index());
    });
}

/// The partial generation of a failed `--full` and the orphan segments of a failed
/// incremental ingest are removed by the next ingest, so a corpus that fits goes in.
#[test]
fn a_failed_ingest_leaves_no_garbage_that_keeps_the_disk_full() {
    if let Some((ws, _mount)) = fill_the_disk(|_, _| {}) {
        assert_next_ingest_finishes(&ws);
    }
}

/// A read-only index directory after a first ingest.
fn read_only_index() -> Option<(Workspace, Mount)> {
    let ws = Workspace::new();
    let mount = Mount::tmpfs(&ws.index(), "8m")?;
    small_index(&ws);
    mount.remount("ro");
    Some((ws, mount))
}

#[test]
fn a_read_only_index_dir_fails_clearly_and_keeps_the_previous_index() {
    let Some((ws, mount)) = read_only_index() else {
        return;
    };
    ws.write("c.txt", "酒泉市无人机巡逻\n空中巡逻队。\n".as_bytes());
    for full in [false, true] {
        let output = ingest(&ws, full);
        assert_clear_failure(&output, "Read-only file system", &ws.index());
    }
    mount.remount("rw");
    assert_previous_index_intact(&ws);
}

/// Opening a reader takes tantivy's meta lock, a file created in the index; on a read-only
/// volume it cannot be created, and searches must work without it.
#[test]
fn a_read_only_index_can_still_be_searched() {
    let Some((ws, _mount)) = read_only_index() else {
        return;
    };
    assert_previous_index_intact(&ws);
}

/// The same through the real binary: `zhili search` and `zhili serve` answer.
#[test]
fn zhili_search_and_serve_answer_on_a_read_only_index() {
    let Some((ws, _mount)) = read_only_index() else {
        return;
    };
    let printed = ws.json(&["search", "网格化", "--json"]);
    assert_eq!(printed["total"], 1, "{printed}");
    let server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));
    let served = server.json(&format!("/api/search?q={}", enc("网格化")));
    assert_eq!(served["total"], 1, "{served}");
    assert!(
        served["hits"][0]["title"]
            .as_str()
            .unwrap()
            .contains("临泽县")
    );
    assert_eq!(server.json("/api/health")["documents"], 2);
}

#[test]
fn an_index_path_that_is_a_file_is_refused_and_left_alone() {
    let ws = Workspace::new();
    ws.write("a.txt", "临泽县网格化治理\n网格员每天巡查。\n".as_bytes());
    fs::write(ws.index(), b"not an index").unwrap();
    for args in [
        &["ingest"][..],
        &["ingest", "--full"],
        &["search", "网格"],
        &["serve", "--addr", "127.0.0.1:0"],
    ] {
        let output = ws.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} must fail");
        assert!(!stderr.contains("panicked at"), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&ws.index().display().to_string()),
            "{args:?} names the path: {stderr}"
        );
        eprintln!("{args:?}: {}", stderr.trim());
    }
    assert_eq!(fs::read(ws.index()).unwrap(), b"not an index");
}
