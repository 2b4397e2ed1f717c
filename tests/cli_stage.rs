//! Integration tests: the `zhili` binary run as a real process on a temp corpus and index.

use std::fs;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::workspace::Workspace;

/// The sorted ids of a search body's hits.
fn hit_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().into())
        .collect();
    ids.sort();
    ids
}

fn count(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {summary}"))
}

const A: &str = "临泽县网格化治理经验\n临泽县推行网格化管理，网格员每日巡逻，化解矛盾纠纷。\n";
const B: &str = "张掖市视频监控建设\n全市建成视频监控1.3万余路，雪亮工程覆盖全部乡镇。\n";
const C: &str = "校园安全防控\n学校落实一键报警，护学岗每日值守。\n";

fn seeded() -> Workspace {
    let ws = Workspace::new();
    ws.write("a.txt", A.as_bytes());
    ws.write("sub/b.txt", B.as_bytes());
    ws.write("c.txt", C.as_bytes());
    ws
}

#[test]
fn ingest_json_summary_has_the_contract_fields() {
    let ws = seeded();
    ws.write("x.bin", b"\x00\x01\x02binary");
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(count(&summary, "files_seen"), 4);
    assert_eq!(count(&summary, "files_indexed"), 3);
    assert_eq!(count(&summary, "files_failed"), 1);
    assert_eq!(count(&summary, "documents"), 3);
    assert!(count(&summary, "passages") >= 3);
    assert!(count(&summary, "bytes") > 0);
    assert!(summary["seconds"].as_f64().is_some());
    let errors = summary["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "x.bin");
}

#[test]
fn incremental_ingest_touches_only_what_changed() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);

    let again = ws.json(&["ingest", "--json"]);
    assert_eq!(
        (
            count(&again, "files_indexed"),
            count(&again, "files_unchanged")
        ),
        (0, 3)
    );
    let text = ws.run(&["ingest"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("nothing to index"));

    ws.write(
        "c.txt",
        "校园安全防控\n学校落实一键报警，护校队巡逻。\n".as_bytes(),
    );
    let changed = ws.json(&["ingest", "--json"]);
    assert_eq!(
        (
            count(&changed, "files_indexed"),
            count(&changed, "files_unchanged")
        ),
        (1, 2)
    );
    assert_eq!(ws.search_titles("护校队"), vec!["校园安全防控"]);
    assert!(
        ws.search_titles("护学岗").is_empty(),
        "the old version is gone"
    );

    fs::remove_file(ws.corpus().join("sub/b.txt")).unwrap();
    let removed = ws.json(&["ingest", "--json"]);
    assert_eq!(
        (
            count(&removed, "files_removed"),
            count(&removed, "documents")
        ),
        (1, 2)
    );
    assert!(ws.search_titles("视频监控").is_empty());
}

#[test]
fn touching_a_file_without_changing_it_does_no_indexing() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let path = ws.corpus().join("a.txt");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(count(&summary, "files_indexed"), 0);
}

/// The committed state of the current generation: meta.json's bytes and the manifest files.
fn committed_state(ws: &Workspace) -> (Vec<u8>, Vec<String>) {
    let name = fs::read_to_string(ws.index().join("CURRENT")).unwrap();
    let generation = ws.index().join(name.trim());
    let mut manifests: Vec<String> = fs::read_dir(&generation)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("manifest-"))
        .collect();
    manifests.sort();
    (fs::read(generation.join("meta.json")).unwrap(), manifests)
}

#[test]
fn a_no_op_ingest_commits_nothing_and_a_touch_is_recorded() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let before = committed_state(&ws);
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(count(&summary, "files_unchanged"), 3);
    assert_eq!(committed_state(&ws), before, "a no-op rewrote the commit");

    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(ws.corpus().join("a.txt"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    ws.json(&["ingest", "--json"]);
    let touched = committed_state(&ws);
    assert_ne!(touched.1, before.1, "the new mtime is in a new manifest");
    // ...so the next run reads nothing and commits nothing again.
    ws.json(&["ingest", "--json"]);
    assert_eq!(committed_state(&ws), touched);
}

#[test]
fn full_rebuild_gives_the_same_documents_and_ids() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let before = ws.json(&["search", "", "--json"]);
    let full = ws.json(&["ingest", "--full", "--json"]);
    assert_eq!(count(&full, "files_indexed"), 3);
    let after = ws.json(&["search", "", "--json"]);
    assert_eq!(hit_ids(&before), hit_ids(&after));
    assert_eq!(hit_ids(&after).len(), 3);
}

#[test]
fn search_and_show_print_the_api_bodies() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let body = ws.json(&["search", "网格员", "--json"]);
    assert_eq!(body["query"], "网格员");
    assert_eq!(body["total"], 1);
    for key in ["page", "per_page", "took_ms", "facets"] {
        assert!(body.get(key).is_some(), "{key}");
    }
    let hit = &body["hits"][0];
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>网格员</mark>")
    );
    assert_eq!(hit["source"]["path"], "a.txt");

    let id = hit["id"].as_str().unwrap();
    let doc = ws.json(&["show", id, "--json"]);
    assert_eq!(doc["id"], id);
    assert!(doc["text"].as_str().unwrap().contains("网格员每日巡逻"));
    assert!(doc["passages"][0]["id"].as_str().unwrap().starts_with(id));
    // Why the passage is tagged 网格化治理: the phrases that decided it.
    let tagged = doc["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["measures"][0] == "grid");
    let why = &tagged.expect("a grid passage")["evidence"]["grid"];
    assert!(why.as_array().unwrap().contains(&json!("网格员")), "{doc}");
    let shown = String::from_utf8_lossy(&ws.run(&["show", id]).stdout).into_owned();
    assert!(
        shown.contains("依据 网格化治理：") && shown.contains("网格员"),
        "{shown}"
    );

    let human = ws.run(&["search", "网格员"]);
    let out = String::from_utf8_lossy(&human.stdout);
    assert!(
        out.contains("1 results") && out.contains("【网格员】"),
        "{out}"
    );
}

#[test]
fn user_errors_exit_non_zero_with_a_message() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let missing = ws.run(&["show", "0000000000000000"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no document has the id"));
    let bad = ws.run(&["search", "\"unclosed"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("quote"));
    let no_index = Workspace::new().run(&["search", "x"]);
    assert!(String::from_utf8_lossy(&no_index.stderr).contains("zhili ingest"));
}

#[test]
fn ids_do_not_depend_on_where_the_corpus_lives() {
    let one = seeded();
    let two = seeded();
    let ids = |ws: &Workspace| {
        ws.json(&["ingest", "--json"]);
        hit_ids(&ws.json(&["search", "", "--json"]))
    };
    assert_eq!(ids(&one), ids(&two));
}

#[test]
fn seeds_end_to_end_twin_reports_are_one_hit_listing_both_sources() {
    let ws = Workspace::new();
    for entry in fs::read_dir(crate::common::corpus()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            fs::copy(&path, ws.corpus().join(path.file_name().unwrap())).unwrap();
        }
    }
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(count(&summary, "files_indexed"), 5);
    assert!(count(&summary, "duplicates") >= 1);

    let body = ws.json(&["search", "\"塞上枫桥式优秀警务室\"", "--json"]);
    assert_eq!(
        body["total"], 1,
        "the report is in 004 and in 002, and is found once: {body}"
    );
    let id = body["hits"][0]["id"].as_str().unwrap();
    let doc = ws.json(&["show", id, "--json"]);
    let mut sources = vec![doc["source"]["path"].as_str().unwrap().to_string()];
    for duplicate in doc["duplicates"].as_array().unwrap() {
        sources.push(duplicate["path"].as_str().unwrap().to_string());
    }
    sources.sort();
    assert_eq!(
        sources,
        vec!["002_14a029665ec94cd9.txt", "004_638813c0128c00cf.txt"]
    );

    for boilerplate in [
        "\"欢迎您的下载\"",
        "\"由会员分享\"",
        "\"下载文档前请自行甄别\"",
    ] {
        assert_eq!(
            ws.json(&["search", boilerplate, "--json"])["total"],
            0,
            "{boilerplate}"
        );
    }
    let compilation = ws.json(&["search", "", "--json", "--limit", "100"]);
    let from_000 = compilation["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["source"]["path"] == "000_1ca011541b0c7cdb.txt")
        .count();
    assert_eq!(from_000, 10, "seed 000 is ten articles");
}

/// `zhili bench` on the sample corpus: the peers' JSON line, and its filter flags applied.
fn bench_line(queries: &std::path::Path, extra: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_zhili"))
        .args(["bench", "--docs"])
        .arg(crate::common::corpus())
        .arg("--queries")
        .arg(queries)
        .args(["--repeat", "1"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "bench {extra:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().expect("bench prints its JSON line");
    serde_json::from_str(line).unwrap()
}

#[test]
fn bench_prints_the_peers_json_line_and_applies_its_filters() {
    let ws = Workspace::new();
    let queries = ws.dir.path().join("queries.txt");
    fs::write(&queries, "# one query a line\n视频监控\n矛盾纠纷\n网格\n").unwrap();
    let all = bench_line(&queries, &[]);
    assert_eq!(all["peer"], "zhili");
    assert_eq!(all["queries"], 3);
    assert_eq!(all["facets_and_snippets"], true);
    assert!(all["q_median_ms"].as_f64().unwrap() > 0.0);
    let hits = all["hits_total"].as_u64().unwrap();
    let bare = bench_line(&queries, &["--bare"]);
    assert_eq!(bare["peer"], "zhili-bare");
    assert_eq!(
        bare["hits_total"].as_u64(),
        Some(hits),
        "--bare changes no hit"
    );
    let gansu = bench_line(&queries, &["--region", "甘肃省"])["hits_total"]
        .as_u64()
        .unwrap();
    assert!(
        gansu > 0 && gansu < hits,
        "--region 甘肃省: {gansu} of {hits}"
    );
}

/// Rewrites the index format recorded in the current commit, as an older zhili left it.
fn mark_index_format(ws: &Workspace, format: u32) {
    let name = fs::read_to_string(ws.index().join("CURRENT")).unwrap();
    let meta = ws.index().join(name.trim()).join("meta.json");
    let text = fs::read_to_string(&meta).unwrap();
    let current = format!(
        "\\\"schema_version\\\":{}",
        zhili::index::schema::SCHEMA_VERSION
    );
    assert!(text.contains(&current), "{text}");
    let old = format!("\\\"schema_version\\\":{format}");
    fs::write(&meta, text.replace(&current, &old)).unwrap();
}

#[test]
fn an_index_of_another_format_is_named_as_such_and_rebuilt() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    mark_index_format(&ws, 3);
    let search = ws.run(&["search", "视频监控"]);
    assert!(!search.status.success());
    let stderr = String::from_utf8_lossy(&search.stderr);
    assert!(
        stderr.contains("another version of zhili") && stderr.contains("zhili ingest"),
        "{stderr}"
    );
    let rebuilt = ws.json(&["ingest", "--json"]);
    assert_eq!(count(&rebuilt, "files_indexed"), 3);
    assert!(!ws.search_titles("视频监控").is_empty());

    // `serve` rebuilds it by itself before serving.
    mark_index_format(&ws, 3);
    let server = crate::common::server::Server::start(
        &ws.index(),
        &ws.corpus(),
        ws.dir.path().join("serve.log"),
    );
    let body = server.json("/api/search?q=%E8%A7%86%E9%A2%91%E7%9B%91%E6%8E%A7");
    assert!(body["total"].as_u64().unwrap() > 0, "{body}");
}

#[test]
fn the_ingest_report_names_what_changed_and_which_failures_are_new() {
    let ws = seeded();
    ws.write("broken.bin", b"\x00\x01binary");
    let first = ws.json(&["ingest", "--json"]);
    assert_eq!(
        first["changes"]["added"],
        json!(["a.txt", "c.txt", "sub/b.txt"]),
        "{first}"
    );
    assert_eq!(first["errors"][0]["path"], "broken.bin");
    assert_eq!(first["errors"][0]["new"], true, "first seen in this run");

    // One file changed, one removed, one near-copy of another added, a new failure.
    ws.write("a.txt", format!("{A}临泽县新增网格员120名。\n").as_bytes());
    fs::remove_file(ws.corpus().join("c.txt")).unwrap();
    ws.write("copy/b.txt", B.as_bytes());
    ws.write("other.bin", b"\x00\x02binary");
    let second = ws.json(&["ingest", "--json"]);
    let changes = &second["changes"];
    assert_eq!(changes["added"], json!(["copy/b.txt"]), "{second}");
    assert_eq!(changes["changed"], json!(["a.txt"]), "{second}");
    assert_eq!(changes["removed"], json!(["c.txt"]), "{second}");
    let folded = changes["folded"].as_array().unwrap();
    assert_eq!(folded.len(), 1, "{second}");
    let pair = [
        folded[0]["path"].as_str().unwrap(),
        folded[0]["into"].as_str().unwrap(),
    ];
    assert!(
        pair.contains(&"copy/b.txt") && pair.contains(&"sub/b.txt"),
        "{second}"
    );
    let errors = second["errors"].as_array().unwrap();
    let new_of = |path: &str| errors.iter().find(|e| e["path"] == path).unwrap()["new"].clone();
    assert_eq!(new_of("broken.bin"), false, "failing before too");
    assert_eq!(new_of("other.bin"), true);

    let text = String::from_utf8_lossy(&ws.run(&["ingest"]).stdout).into_owned();
    assert!(text.contains("nothing to index"), "{text}");
    ws.write("d.txt", C.as_bytes());
    let text = String::from_utf8_lossy(&ws.run(&["ingest"]).stdout).into_owned();
    assert!(
        text.contains("added: d.txt") && text.contains("skipped: 0 new, 2 failing before too"),
        "{text}"
    );
}

#[test]
fn measure_match_all_on_the_command_line_and_its_bad_value() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let search = |extra: &[&str]| {
        let mut args = vec![
            "search",
            "",
            "--measure",
            "grid",
            "--measure",
            "video",
            "--json",
        ];
        args.extend_from_slice(extra);
        ws.json(&args)["total"].as_u64().unwrap()
    };
    assert_eq!(search(&[]), 2, "a.txt (grid) or b.txt (video)");
    assert_eq!(search(&["--measure-match", "all"]), 0, "none has both");
    let bad = ws.run(&["search", "x", "--measure-match", "both"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--measure-match"));
}

#[test]
fn export_and_compare_write_word_files_to_output() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let out = ws.dir.path().join("cases.docx");
    let done = ws.run(&[
        "export",
        "--format",
        "docx",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let bytes = fs::read(&out).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains("临泽县网格化治理经验"), "{xml}");
    let to_terminal = ws.run(&["export", "--format", "docx"]);
    assert!(!to_terminal.status.success());
    assert!(String::from_utf8_lossy(&to_terminal.stderr).contains("--output"));

    let ids: Vec<String> = hit_ids(&ws.json(&["search", "", "--json"]));
    let table = ws.dir.path().join("compare.docx");
    let mut args = vec!["compare"];
    args.extend(ids.iter().take(2).map(String::as_str));
    args.extend(["--format", "docx", "--output", table.to_str().unwrap()]);
    let done = ws.run(&args);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        fs::read(&table).unwrap().starts_with(b"PK"),
        "a zip package"
    );
}

#[test]
fn a_newer_version_of_a_text_is_the_hit_and_never_folded_into_the_older_one() {
    let ws = Workspace::new();
    let words = [
        "物业", "业主", "服务", "管理", "小区", "安全", "设施", "维修", "费用", "纠纷", "调解",
        "公共", "秩序", "居民",
    ];
    let articles: Vec<String> = (0..40)
        .map(|i| {
            let body: String = (0..12)
                .map(|k| words[(i * 7 + k * 3 + k * k) % words.len()])
                .collect();
            format!("第{i}条 {body}。")
        })
        .collect();
    let text = articles.join("\n");
    // The older version is the longer one: length alone would keep it.
    ws.write(
        "某市物业管理条例(2016-05-06).md",
        format!("# 某市物业管理条例\n\n2016年5月6日 某市人民代表大会常务委员会通过\n\n{text}\n第41条 本条例自公布之日起施行，原有规定同时废止。\n").as_bytes(),
    );
    ws.write(
        "某市物业管理条例(2021-04-06).md",
        format!(
            "# 某市物业管理条例\n\n2016年5月6日 某市人民代表大会常务委员会通过 2021年4月6日 修正\n\n{}\n",
            text.replacen("第3条", "第3条（修正）", 1)
        )
        .as_bytes(),
    );
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(
        count(&summary, "duplicates"),
        1,
        "the two versions are one text: {summary}"
    );
    let body = ws.json(&["search", "物业", "--json"]);
    assert_eq!(body["total"], 1, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["year"], 2021, "the newest version is the hit: {body}");
    assert!(
        hit["source"]["path"].as_str().unwrap().contains("2021"),
        "{body}"
    );
    let older = zhili::model::doc_id("某市物业管理条例(2016-05-06).md", 0);
    assert_eq!(
        hit["versions"],
        json!([{"id": older, "title": "某市物业管理条例", "year": 2016}]),
        "the hit lists the version folded into it: {body}"
    );
    let shown = ws.json(&["show", &older, "--json"]);
    assert_eq!(shown["duplicate_of"], hit["id"], "{shown}");
    assert_eq!(shown["versions"], json!([]));
}

/// `added` of every document of a search body, by id.
fn added_by_id(body: &Value) -> std::collections::BTreeMap<String, String> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let added = h["added"]
                .as_str()
                .unwrap_or_else(|| panic!("no added: {h}"));
            (h["id"].as_str().unwrap().to_string(), added.to_string())
        })
        .collect()
}

#[test]
fn documents_keep_when_they_were_first_indexed_and_sort_and_filter_by_it() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let all = ["search", "", "--json", "--limit", "100", "--sort", "added"];
    let first = added_by_id(&ws.json(&all));
    assert_eq!(first.len(), 3);
    let a = zhili::model::doc_id("a.txt", 0);
    // `added` counts seconds: the next run must start in a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ws.write("a.txt", format!("{A}临泽县新增网格员120名。\n").as_bytes());
    ws.write(
        "d.txt",
        "新建矛盾纠纷调处中心\n某县建成矛盾纠纷调处化解中心。\n".as_bytes(),
    );
    ws.json(&["ingest", "--json"]);
    let body = ws.json(&all);
    let second = added_by_id(&body);
    let d = zhili::model::doc_id("d.txt", 0);
    assert_eq!(body["hits"][0]["id"], d, "the new document first: {body}");
    assert!(second[&d] > first[&a], "{second:?}");
    assert_eq!(second[&a], first[&a], "a changed file keeps its first date");

    let rebuilt = ws.json(&["ingest", "--full", "--json"]);
    assert_eq!(rebuilt["documents"], 4, "{rebuilt}");
    assert_eq!(
        added_by_id(&ws.json(&all)),
        second,
        "a rebuild keeps the dates"
    );

    let day = &first[&a][..10];
    let since = |day: &str| {
        let body = ws.json(&["search", "", "--json", "--added-from", day]);
        body["total"].as_u64().unwrap()
    };
    assert_eq!(since(day), 4, "every document added on or after {day}");
    assert_eq!(since("2999-01-01"), 0);
    let bad = ws.run(&["search", "", "--added-from", "2026-13-01"]);
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("--added-from"), "{message}");
    let text = String::from_utf8_lossy(&ws.run(&["show", &d]).stdout).into_owned();
    assert!(text.contains(&format!("added {}", second[&d])), "{text}");
}

#[test]
fn the_same_bad_request_gets_the_same_message_from_the_command_line_and_over_http() {
    let ws = seeded();
    ws.json(&["ingest", "--json"]);
    let server = crate::common::server::Server::start(
        &ws.index(),
        &ws.corpus(),
        ws.dir.path().join("serve.log"),
    );
    // (command-line flags, URL parameters, the parameters' names on each side)
    type Case<'a> = (&'a [&'a str], &'a str, &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        (
            &["--limit", "200"],
            "per_page=200",
            &[("per_page", "--limit")],
        ),
        (&["--page", "0"], "page=0", &[("page", "--page")]),
        (&["--page", "2000"], "page=2000", &[("page", "--page")]),
        (
            &["--region", "甘肃省//张掖市"],
            "region=甘肃省//张掖市",
            &[("region", "--region")],
        ),
        (
            &["--region", "鼓楼区"],
            "region=鼓楼区",
            &[("region", "--region")],
        ),
        (
            &["--measure", "nope"],
            "measure=nope",
            &[("measure", "--measure")],
        ),
        (
            &["--measure-match", "most"],
            "measure_match=most",
            &[("measure_match", "--measure-match")],
        ),
        (
            &["--year-from", "0"],
            "year_from=0",
            &[("year_from", "--year-from")],
        ),
        (
            &["--year-to", "20222"],
            "year_to=20222",
            &[("year_to", "--year-to")],
        ),
        (
            &["--year-from", "2023", "--year-to", "2020"],
            "year_from=2023&year_to=2020",
            &[("year_from", "--year-from"), ("year_to", "--year-to")],
        ),
        (
            &["--added-from", "2026-13-01"],
            "added_from=2026-13-01",
            &[("added_from", "--added-from")],
        ),
        (&["--sort", "newest"], "sort=newest", &[("sort", "--sort")]),
    ];
    for (flags, query, names) in cases {
        let query = query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                format!("{name}={}", crate::common::server::enc(value))
            })
            .collect::<Vec<_>>()
            .join("&");
        let reply = server.get(&format!("/api/search?{query}"));
        assert_eq!(reply.status, 400, "{query}: {}", reply.text());
        let mut expected = reply.json()["error"].as_str().unwrap().to_string();
        for (http, cli) in names.iter() {
            expected = expected
                .replace(&format!("参数 {http}"), cli)
                .replace(&format!(" {http}（"), &format!(" {cli}（"))
                .replace(&format!("（{http} "), &format!("（{cli} "));
        }
        let mut args = vec!["search", "网格"];
        args.extend_from_slice(flags);
        let output = ws.run(&args);
        assert!(!output.status.success(), "{args:?}");
        let printed = String::from_utf8_lossy(&output.stderr);
        assert!(
            printed.contains(&expected),
            "{args:?} printed {printed:?}, HTTP said {expected:?}"
        );
        // `export` takes the filters (not the paging).
        if ["--limit", "--page", "--sort"].contains(&flags[0]) {
            continue;
        }
        let exported = ws.run(&[&["export"][..], flags].concat());
        assert!(
            String::from_utf8_lossy(&exported.stderr).contains(&expected),
            "export {flags:?}: {}",
            String::from_utf8_lossy(&exported.stderr)
        );
    }
}

#[test]
fn export_from_the_command_line_and_over_http_lists_the_search_in_its_order() {
    let ws = Workspace::new();
    for entry in fs::read_dir(crate::common::corpus()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::copy(&path, ws.corpus().join(path.file_name().unwrap())).unwrap();
        }
    }
    ws.json(&["ingest", "--json"]);
    let server = crate::common::server::Server::start(
        &ws.index(),
        &ws.corpus(),
        ws.dir.path().join("serve.log"),
    );
    let ndjson_ids = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    for (query, sort) in [
        ("网格 巡逻", "relevance"),
        ("", "year"),
        ("视频监控", "relevance"),
    ] {
        let body = ws.json(&["search", query, "--json", "--limit", "100", "--sort", sort]);
        let searched: Vec<String> = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        assert!(searched.len() > 3, "{query}: {body}");
        let cli = ws.run(&["export", query, "--sort", sort]);
        assert!(
            cli.status.success(),
            "{}",
            String::from_utf8_lossy(&cli.stderr)
        );
        assert_eq!(
            ndjson_ids(&cli.stdout),
            searched,
            "zhili export {query:?} --sort {sort}"
        );
        let http = server.get(&format!(
            "/api/export?q={}&sort={sort}&per_page=100&format=ndjson",
            crate::common::server::enc(query)
        ));
        assert_eq!(http.status, 200);
        assert_eq!(
            ndjson_ids(&http.body),
            searched,
            "/api/export {query:?} {sort}"
        );
    }
}
