//! More hostile corpora, through the real binary: file names in GBK bytes (read as Chinese,
//! never two files on one path), a tampered near-copy of a file (never canonical over the
//! original), a document longer than the limit per document, and oversized or empty pin and
//! lexicon files (refused naming the file, or harmless).

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::hostile_files::{CASE, errors, reason_of, run_measured};
use crate::common::workspace::Workspace;

#[test]
fn file_names_in_gbk_are_read_as_chinese_and_no_two_files_share_a_path() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let ws = Workspace::new();
    // As unzipped from Chinese Windows: names in GBK bytes. Read lossily, 中文 and 案例 are
    // both "\u{fffd}" × 4, and the two undecodable names both "\u{fffd}" × 2.
    let files: [(&[u8], &str, &str); 5] = [
        (
            b"\xd6\xd0\xce\xc4.txt",
            "\\xD6\\xD0\\xCE\\xC4.txt",
            "网格员甲",
        ),
        ("中文.txt".as_bytes(), "中文.txt", "调解员乙"),
        (b"\xb0\xb8\xc0\xfd.txt", "案例.txt", "巡逻队丙"),
        (b"\xff\xfe.txt", "\\xFF\\xFE.txt", "志愿者丁"),
        (b"\xfe\xff.txt", "\\xFE\\xFF.txt", "楼栋长戊"),
    ];
    let bodies = [
        "网格化治理经验\n临泽县推行网格员甲巡逻，化解矛盾纠纷。\n",
        "人民调解经验\n甘州区设立调解员乙工作室，调处邻里纠纷二百件。\n",
        "治安巡逻经验\n高台县组建巡逻队丙，夜间守护校园周边安全。\n",
        "志愿服务经验\n山丹县招募志愿者丁参与社区戒毒康复帮扶。\n",
        "楼栋管理经验\n民乐县选聘楼栋长戊，排查出租屋安全隐患。\n",
    ];
    for ((name, _, _), body) in files.iter().zip(bodies) {
        std::fs::write(ws.corpus().join(OsStr::from_bytes(name)), body).unwrap();
    }
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_indexed"], 5, "{summary}");
    assert_eq!(summary["files_failed"], 0, "{summary}");
    for (_, path, marker) in files {
        let body = ws.json(&["search", marker, "--json"]);
        assert_eq!(body["total"], 1, "{marker}: {body}");
        assert_eq!(body["hits"][0]["source"]["path"], path, "{body}");
    }
    let again = ws.json(&["ingest", "--json"]);
    assert_eq!(again["files_indexed"], 0, "stable names: {again}");
    std::fs::remove_file(ws.corpus().join(OsStr::from_bytes(b"\xb0\xb8\xc0\xfd.txt"))).unwrap();
    let removed = ws.json(&["ingest", "--json"]);
    assert_eq!(removed["files_removed"], 1, "{removed}");
    assert_eq!(ws.json(&["search", "巡逻队丙", "--json"])["total"], 0);
    assert_eq!(ws.json(&["search", "网格员甲", "--json"])["total"], 1);
    eprintln!("GBK names: 5 files whose lossy names collide in pairs, 5 indexed under 5 paths");
}

/// A report of 12 distinct sentences (about 480 characters), one year.
fn report() -> String {
    let mut text =
        String::from("临泽县网格化服务管理工作报告\n2021年，临泽县把全县划分为三百二十个网格。\n");
    for (i, what) in [
        "每个网格配备一名专职网格员，负责走访群众",
        "网格员每周入户排查矛盾纠纷和安全隐患",
        "乡镇综治中心汇总网格上报的事件并分级处置",
        "县级平台对超期未办的事件自动督办",
        "村级调解委员会就地化解邻里和婚姻家庭纠纷",
        "派出所民警下沉网格参与重点人员帮扶",
        "志愿者队伍在节假日开展治安巡逻",
        "学校周边设置护学岗保障学生上下学安全",
        "出租房屋实行以房管人的登记制度",
        "全年化解矛盾纠纷一千二百余件，群众满意度明显提高",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!("第{}条，{what}。\n", i + 1));
    }
    text
}

fn set_mtime(path: &Path, seconds_ago: u64) {
    let when = std::time::SystemTime::now() - Duration::from_secs(seconds_ago);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn a_tampered_near_copy_does_not_displace_the_original() {
    let ws = Workspace::new();
    let original = report();
    let tampered = format!("{original}第十一条，网格员可以查看群众的全部通信记录。\n");
    ws.write("report.txt", original.as_bytes());
    ws.write("report (copy).txt", tampered.as_bytes());
    set_mtime(&ws.corpus().join("report.txt"), 2 * 3600);
    set_mtime(&ws.corpus().join("report (copy).txt"), 3600);
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["documents"], 1, "one group of two: {summary}");
    assert_eq!(summary["duplicates"], 1, "{summary}");
    let canonical = |ws: &Workspace| {
        let body = ws.json(&["search", "网格员", "--json"]);
        assert_eq!(body["total"], 1, "{body}");
        let id = body["hits"][0]["id"].as_str().unwrap().to_string();
        let doc = ws.json(&["show", &id, "--json"]);
        let others: Vec<String> = doc["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_string())
            .collect();
        (doc["source"]["path"].as_str().unwrap().to_string(), others)
    };
    assert_eq!(
        canonical(&ws),
        ("report.txt".into(), vec!["report (copy).txt".into()]),
        "the original, not the copy with a paragraph slipped in"
    );
    assert_eq!(ws.json(&["search", "通信记录", "--json"])["total"], 0);
    // Rebuilt from scratch, the answer is the same.
    ws.json(&["ingest", "--json", "--full"]);
    assert_eq!(canonical(&ws).0, "report.txt");
    // Without the original, the copy is the document.
    std::fs::remove_file(ws.corpus().join("report.txt")).unwrap();
    ws.json(&["ingest", "--json"]);
    assert_eq!(canonical(&ws).0, "report (copy).txt");
    eprintln!("tampered copy: the original stays canonical; a paragraph more does not win");
}

#[test]
fn a_document_longer_than_the_limit_per_document_is_refused_naming_the_file_and_the_limit() {
    let ws = Workspace::new();
    ws.write("case.txt", CASE.as_bytes());
    let mut long = String::from("网格化管理工作台账\n");
    for i in 0..40_000 {
        long.push_str(&format!("网格员第{i}次走访群众，登记化解矛盾纠纷情况。\n"));
    }
    assert!(long.len() > 1024 * 1024 + 100_000, "{}", long.len());
    ws.write("ledger.txt", long.as_bytes());
    let output = ws.run(&["ingest", "--json", "--max-doc-mb", "1"]);
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reason = reason_of(&errors(&summary), "ledger.txt");
    assert!(
        reason.contains("more than the 1 MB limit per document (--max-doc-mb)"),
        "{reason}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("zhili: skipped ledger.txt: its text is "),
        "{stderr}"
    );
    assert_eq!(summary["files_indexed"], 1, "{summary}");
    assert_eq!(ws.json(&["search", "台账", "--json"])["total"], 0);
    // Under the default limit (8 MB) the same file is indexed.
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_indexed"], 1, "{summary}");
    assert_eq!(ws.json(&["search", "台账", "--json"])["total"], 1);
    eprintln!(
        "limit per document: a {:.1} MB one-document file refused under --max-doc-mb 1",
        long.len() as f64 / 1048576.0
    );
}

/// A file of `len` bytes that takes no room on disk (sparse): reading it whole costs `len`.
fn sparse(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn oversized_pin_and_lexicon_files_are_refused_unread_and_an_empty_lexicon_is_harmless() {
    let ws = Workspace::new();
    ws.write("a.txt", CASE.as_bytes());
    ws.write(
        "b.txt",
        "视频监控经验\n2021年张掖市建设雪亮工程，公共安全视频监控全覆盖。\n".as_bytes(),
    );
    let measures = |ws: &Workspace| -> Vec<Value> {
        let body = ws.json(&["search", "", "--json"]);
        let mut all: Vec<Value> = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["measures"].clone())
            .collect();
        all.sort_by_key(|m| m.to_string());
        all
    };
    ws.json(&["ingest", "--json"]);
    let tagged = measures(&ws);
    assert!(
        tagged.iter().any(|m| !m.as_array().unwrap().is_empty()),
        "{tagged:?}"
    );

    // An empty lexicon file changes nothing.
    ws.write("zhili-lexicon.toml", b"");
    ws.json(&["ingest", "--json", "--full"]);
    assert_eq!(
        measures(&ws),
        tagged,
        "an empty zhili-lexicon.toml wipes no tag"
    );

    // A 1 GB sidecar: the file it pins is skipped, naming the sidecar and the limit.
    let sidecar = ws.corpus().join("a.txt.tags.toml");
    sparse(&sidecar, 1 << 30);
    let (output, peak_mb) = run_measured(ws.command(&["ingest", "--json"]));
    assert!(output.status.success());
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let reason = reason_of(&errors(&summary), "a.txt");
    assert!(
        reason.contains("a.txt.tags.toml") && reason.contains("larger than the 1 MB limit"),
        "{reason}"
    );
    assert_eq!(measures(&ws), tagged, "what was indexed of a.txt is kept");
    assert!(
        peak_mb < 200.0,
        "peak {peak_mb:.0} MB: the sidecar was read"
    );
    let sidecar_peak = peak_mb;
    std::fs::remove_file(&sidecar).unwrap();

    // The corpus-wide files stop the ingest, naming the file.
    for name in ["zhili-tags.toml", "zhili-lexicon.toml"] {
        let path = ws.corpus().join(name);
        sparse(&path, 2 << 20);
        let output = ws.run(&["ingest", "--json"]);
        assert!(!output.status.success(), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains("1 MB limit"),
            "{stderr}"
        );
        std::fs::remove_file(&path).unwrap();
    }
    assert_eq!(measures(&ws), tagged);
    eprintln!(
        "pin files: a 1 GB sidecar refused unread (ingest peak {sidecar_peak:.0} MB), 2 MB \
         zhili-tags.toml and zhili-lexicon.toml refused naming them, an empty lexicon harmless"
    );
}
