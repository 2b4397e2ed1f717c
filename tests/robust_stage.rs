//! Integration tests: crash safety and concurrent writers, with the real binary; and, in the
//! submodules, the live server under hostile input (`hostile_http`), its limits (`limits`),
//! slow readers of an export (`slow_readers`), searches during re-ingests (`reingest_live`),
//! and full or read-only disks (`disk`).

mod disk;
mod hostile_corpus;
mod hostile_files;
mod hostile_http;
mod hosts;
mod limits;
mod reingest_live;
mod slow_readers;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use zhili::index::IndexDir;
use zhili::search::{Engine, SearchRequest};

use crate::common::server::Server;
use crate::common::workspace::Workspace;

/// Sentences of a real seed, to give the generated files realistic text.
fn seed_sentences() -> Vec<String> {
    let text =
        fs::read_to_string(crate::common::corpus().join("001_1e7243c06fe9807f.txt")).unwrap();
    text.split(['。', '\n'])
        .filter(|l| l.chars().count() > 10)
        .map(String::from)
        .collect()
}

/// `n` characters drawn from the seed's own characters, different for every `seed`, so that
/// no two generated files are near-duplicates.
fn unique_text(pool: &[char], seed: u64, n: usize) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&seed.to_le_bytes());
    let mut bytes = vec![0u8; n * 2];
    hasher.finalize_xof().fill(&mut bytes);
    bytes
        .chunks(2)
        .map(|pair| pool[usize::from(u16::from_le_bytes([pair[0], pair[1]])) % pool.len()])
        .collect()
}

/// The distinct letters, digits and characters of the seed sentences.
fn seed_char_pool() -> Vec<char> {
    let mut pool: Vec<char> = seed_sentences()
        .concat()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    pool.sort_unstable();
    pool.dedup();
    pool
}

/// Writes `files` case files; version `v` puts the word 版本甲/版本乙 in every file with an
/// index below `changed`, and version 乙 adds `added` more files.
fn write_version(corpus: &Path, files: usize, changed: usize, added: usize, version: char) {
    let sentences = seed_sentences();
    let pool = seed_char_pool();
    let total = if version == '乙' {
        files + added
    } else {
        files
    };
    for i in 0..total {
        let marker = if i < changed || i >= files {
            format!("版本{version}")
        } else {
            "版本甲".into()
        };
        let body: Vec<&str> = (0..2)
            .map(|k| sentences[(i * 7 + k) % sentences.len()].as_str())
            .collect();
        let unique = unique_text(&pool, i as u64, 800);
        let text = format!(
            "第{i}号案例 {marker}\n编号{i}的经验做法{marker}。\n{}。\n{unique}。\n",
            body.join("。")
        );
        fs::write(corpus.join(format!("case{i:04}.txt")), text).unwrap();
    }
    if version == '甲' {
        for i in files..files + added {
            let _ = fs::remove_file(corpus.join(format!("case{i:04}.txt")));
        }
    }
}

fn total(engine: &Engine, q: &str) -> u64 {
    engine.search(&SearchRequest::new(q)).unwrap().total
}

/// Tiny deterministic generator for the kill delays.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

/// A workspace for a served corpus: `corpus/` with the server fixtures, `index/`, a log.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn with_fixture_corpus() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        for name in ["server/corpus", "robust/corpus"] {
            for entry in std::fs::read_dir(crate::common::fixture(name)).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, corpus.join(path.file_name().unwrap())).unwrap();
            }
        }
        Site { dir }
    }

    pub fn corpus(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn serve(&self) -> Server {
        Server::start(
            &self.index(),
            &self.corpus(),
            self.dir.path().join("serve.log"),
        )
    }
}

#[test]
fn an_ingest_killed_at_any_point_leaves_the_old_or_the_new_index_whole() {
    const FILES: usize = 160;
    const CHANGED: usize = 40;
    const ADDED: usize = 40;
    let ws = Workspace::new();
    write_version(&ws.corpus(), FILES, CHANGED, ADDED, '甲');
    ws.json(&["ingest", "--json"]);
    // How long an uninterrupted change takes, to spread the kills over it.
    write_version(&ws.corpus(), FILES, CHANGED, ADDED, '乙');
    let started = Instant::now();
    ws.json(&["ingest", "--json"]);
    let span = started.elapsed().as_millis().max(50) as u64;

    let mut committed = '乙';
    let mut seed = 0x5eed_u64;
    let mut kills = 0;
    for round in 0..30 {
        let target = if round % 2 == 0 { '甲' } else { '乙' };
        write_version(&ws.corpus(), FILES, CHANGED, ADDED, target);
        let full = round % 3 == 0;
        let mut args = vec!["ingest", "--json"];
        if full {
            args.push("--full");
        }
        let mut child = ws
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(next(&mut seed) % (span * 7 / 10)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        let finished = child.wait().unwrap().success();

        let engine = Engine::open(&ws.index()).expect("the index opens after a kill");
        let state = match (engine.document_count(), total(&engine, "\"版本乙\"")) {
            (n, 0) if n == FILES as u64 => '甲',
            (n, m) if n == (FILES + ADDED) as u64 && m == (CHANGED + ADDED) as u64 => '乙',
            other => panic!("round {round}: a mixed index {other:?}"),
        };
        assert!(
            state == committed || state == target,
            "round {round}: {state}"
        );
        if finished {
            assert_eq!(state, target, "round {round}: a finished ingest committed");
        }
        committed = state;
    }
    // The span is measured once, under whatever else the machine runs: most, not all, of the
    // runs must be caught mid-way.
    assert!(kills >= 15, "only {kills} ingests were killed mid-run");

    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_failed"], 0);
    let engine = Engine::open(&ws.index()).unwrap();
    assert_eq!(engine.document_count(), (FILES + ADDED) as u64);
    eprintln!("killed {kills} ingests at points spread over {span} ms");
}

#[test]
fn a_second_writer_fails_fast_with_a_clear_message_and_changes_nothing() {
    let ws = Workspace::new();
    ws.write("a.txt", "网格化治理\n网格员巡逻。\n".as_bytes());
    ws.json(&["ingest", "--json"]);
    ws.write("b.txt", "视频监控\n雪亮工程。\n".as_bytes());

    let lock = IndexDir::new(ws.index()).lock().unwrap();
    let started = Instant::now();
    let output = ws.run(&["ingest"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it does not wait for the lock"
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("being written by another process"),
        "{stderr}"
    );
    drop(lock);

    let engine = Engine::open(&ws.index()).unwrap();
    assert_eq!(engine.document_count(), 1);
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_indexed"], 1);
}

/// The largest file of the current generation whose name ends with `ext`.
fn largest_index_file(index: &Path, ext: &str) -> PathBuf {
    let generation = IndexDir::new(index).current().unwrap().unwrap();
    fs::read_dir(generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .max_by_key(|p| fs::metadata(p).unwrap().len())
        .unwrap_or_else(|| panic!("no {ext} file"))
}

#[test]
fn a_damaged_index_is_found_by_ingest_and_rebuilt_from_the_corpus() {
    let ws = Workspace::new();
    for (i, sentence) in seed_sentences().iter().take(40).enumerate() {
        ws.write(
            &format!("f{i}.txt"),
            format!("案例{i}\n{sentence}\n").as_bytes(),
        );
    }
    let first = ws.json(&["ingest", "--json"]);
    let documents = first["documents"].clone();

    // A truncated segment file: the ingest says so and rebuilds, it does not report "nothing to index".
    let postings = largest_index_file(&ws.index(), ".idx");
    let len = fs::metadata(&postings).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&postings)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let output = ws.run(&["ingest", "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is damaged") && stderr.contains("rebuilding"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["documents"], documents, "{summary}");
    assert!(ws.run(&["search", "案例", "--json"]).status.success());

    // 4 KB overwritten inside the documents' text (zhili's document file, not tantivy's):
    // found the same way.
    let generation = IndexDir::new(ws.index()).current().unwrap().unwrap();
    let store = generation.join(&document_files(&ws.index())[0]);
    let mut bytes = fs::read(&store).unwrap();
    let (at, len) = (bytes.len() / 3, bytes.len());
    bytes[at..(at + 4096).min(len)].fill(0xA5);
    fs::write(&store, bytes).unwrap();
    let output = ws.run(&["ingest"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.contains("is damaged"),
        "{stderr}"
    );
    let body = ws.json(&["search", "", "--json", "--limit", "100"]);
    for hit in body["hits"].as_array().unwrap() {
        let id = hit["id"].as_str().unwrap();
        assert!(
            ws.run(&["show", id, "--json"]).status.success(),
            "document {id} reads"
        );
    }
    let again = String::from_utf8_lossy(&ws.run(&["ingest"]).stdout).into_owned();
    assert!(again.contains("nothing to index"), "{again}");
}

/// The document files of the current generation, by name.
fn document_files(index: &Path) -> Vec<String> {
    let generation = IndexDir::new(index).current().unwrap().unwrap();
    let mut names: Vec<String> = fs::read_dir(generation)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("documents-"))
        .collect();
    names.sort();
    names
}

#[test]
fn an_index_of_mostly_replaced_documents_is_rebuilt_by_a_whole_corpus_ingest_only() {
    let ws = Workspace::new();
    let pool = seed_char_pool();
    let write_all = |round: usize| {
        for i in 0..6 {
            let name = if i == 0 {
                "keep/f0.txt".to_string()
            } else {
                format!("f{i}.txt")
            };
            // About 150 KB a file that compresses little: more than 1 MB of replaced documents
            // after two rounds.
            let seed = if i == 0 { 0 } else { (round * 10 + i) as u64 };
            let body = unique_text(&pool, seed, 50_000);
            let text = if i == 0 {
                format!("案例{i}\n{body}")
            } else {
                format!("案例{i}第{round}版\n{body}")
            };
            ws.write(&name, text.as_bytes());
        }
    };
    let ingest = |args: &[&str]| {
        let output = ws.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        (output, stderr)
    };
    write_all(0);
    ingest(&["ingest"]);
    assert_eq!(document_files(&ws.index()), ["documents-000001.bin"]);
    // Five of six documents replaced, twice: each run appends a file, and the first two are
    // now mostly replaced documents.
    for round in 1..=2 {
        write_all(round);
        let (_, stderr) = ingest(&["ingest"]);
        assert!(!stderr.contains("rebuilding"), "{stderr}");
    }
    let three = [
        "documents-000001.bin",
        "documents-000002.bin",
        "documents-000003.bin",
    ];
    assert_eq!(document_files(&ws.index()), three);
    // A run over one folder does not rebuild: it would lose the files outside it.
    let keep = ws.corpus().join("keep");
    let (_, stderr) = ingest(&["ingest", keep.to_str().unwrap()]);
    assert!(!stderr.contains("rebuilding"), "{stderr}");
    assert_eq!(document_files(&ws.index()), three);
    let (output, stderr) = ingest(&["ingest", "--json"]);
    assert!(
        stderr.contains("mostly deleted documents") && stderr.contains("rebuilding"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["documents"], 6, "{summary}");
    assert_eq!(document_files(&ws.index()), ["documents-000001.bin"]);
    let titles = ws.search_titles("案例");
    assert!(titles.iter().any(|t| t == "案例1第2版"), "{titles:?}");
}

#[test]
fn serve_imports_the_corpus_after_a_first_import_killed_before_its_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = (tmp.path().join("corpus"), tmp.path().join("index"));
    fs::create_dir_all(&corpus).unwrap();
    write_version(&corpus, 400, 0, 0, '甲');
    let mut ingest = std::process::Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["ingest", "--json", "--index"])
        .arg(&index)
        .arg("--corpus")
        .arg(&corpus)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !index.join("gen-000001").exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(2));
    }
    ingest.kill().unwrap();
    ingest.wait().unwrap();
    assert!(
        !index.join("CURRENT").exists(),
        "killed before its commit: the index directory holds a generation and no CURRENT"
    );
    let server = Server::start(&index, &corpus, tmp.path().join("serve.log"));
    let health = server.json("/api/health");
    assert_eq!(health["documents"], 400, "{health}");
}
