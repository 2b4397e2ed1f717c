//! More hostile corpora, through the real binary: file names in GBK bytes (read as Chinese,
//! never two files on one path).

use crate::cli_stage::Workspace;

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
