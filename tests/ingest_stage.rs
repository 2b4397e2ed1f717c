//! Integration tests: ingest (walk, read, clean, split, dedup) on the seeds and on bad files.

use std::path::{Path, PathBuf};

use zhili::ingest::dedup::{Signature, clusters, signature};
use zhili::ingest::{ReadOptions, read_file, split_file, walk};
use zhili::model::{FileKind, RawCase, RawFile};

use crate::common;

/// Lines of document-sharing-site boilerplate quoted in the seeds README, and their kin.
const BOILERPLATE: &[&str] = &[
    "下载文档前请自行甄别",
    "仅部分预览",
    "侵犯您的权益",
    "由会员分享",
    "欢迎您的下载",
    "资料仅供参考",
    "请在优知文库上搜索",
];

/// The seed file whose name starts with `prefix` ("000" … "004"), read and split.
fn seed(prefix: &str) -> Option<(String, Vec<RawCase>)> {
    let dir = common::shared("seeds")?;
    let path = walk(&dir)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .expect("seed file present");
    let raw = std::fs::read_to_string(&path).unwrap();
    let file = read_file(
        &path,
        &format!("seeds/{prefix}.txt"),
        &ReadOptions::default(),
    )
    .unwrap();
    Some((raw, split_file(&file)))
}

fn fixture(name: &str) -> PathBuf {
    common::fixture("ingest").join(name)
}

fn read(name: &str) -> Result<RawFile, String> {
    read_file(&fixture(name), name, &ReadOptions::default())
}

#[test]
fn seed_document_counts() {
    for (prefix, expected) in [("000", 10), ("001", 1), ("002", 18), ("003", 1), ("004", 1)] {
        let Some((_, docs)) = seed(prefix) else {
            return;
        };
        let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(docs.len(), expected, "seed {prefix}: {titles:#?}");
        for (i, doc) in docs.iter().enumerate() {
            assert_eq!(doc.ordinal, i);
            assert!(
                !doc.title.is_empty() && !doc.text.is_empty(),
                "seed {prefix} doc {i}"
            );
            assert_eq!(doc.passages.join("\n"), doc.text, "passages cover the text");
        }
    }
}

#[test]
fn seed_000_articles_titled_as_in_its_table_of_contents() {
    let Some((_, docs)) = seed("000") else { return };
    let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "构建党政“一体创建”格局",
            "织密立体“三维防控”网络",
            "创新攻坚“三基支撑”工程",
            "全域系统谋划强化智慧支撑",
            "智慧化精准管控治安要素",
            "打造立体化信息化治安防控体系",
            "信息化管理智能化应用",
            "坚持系统观念科学合理布局",
            "提升治安防控协同化水平",
            "提升治安防控智能化水平",
        ]
    );
    assert!(docs[0].text.starts_with("xx公安坚持高站位"));
    assert!(docs[9].text.ends_with("公安基层技术革新优秀奖”。"));
}

#[test]
fn seed_002_boundaries_follow_the_texts_structure() {
    let Some((_, docs)) = seed("002") else { return };
    let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles[0], "2024年社会治安防范工作实施方案");
    assert_eq!(titles[1], "社会治安与公共安全");
    assert!(titles.contains(&"警用无人机在立体化社会治安防控体系中的应用"));
    assert!(titles.contains(&"公安约稿推动社会治安防控体系建设高质量发展调研报告"));
    // After the site's "下载文档前请自行甄别" seam, a full copy of an earlier preview starts.
    assert_eq!(titles[17], "立体化社会治安防控体系———派出所基础工作");
    assert!(
        docs[17].text.ends_with("实现对社会治安的整体防控。") || !docs[17].text.contains("Welcome")
    );
}

#[test]
fn single_document_seeds_get_their_real_titles() {
    let cases = [
        ("001", "科技赋能 智慧引领 稳步推动创建工作走深走实"),
        (
            "003",
            "关于以高质量公安工作护航全县经济社会高质量发展的专题调研报告",
        ),
        ("004", "推动社会治安防控体系建设高质量发展调研报告"),
    ];
    for (prefix, title) in cases {
        let Some((_, docs)) = seed(prefix) else {
            return;
        };
        assert_eq!(
            docs[0].title.replace(' ', ""),
            title.replace(' ', ""),
            "seed {prefix}"
        );
    }
}

#[test]
fn seed_001_url_comes_from_its_source_line() {
    let Some((_, docs)) = seed("001") else { return };
    assert_eq!(
        docs[0].url.as_deref(),
        Some("https://www.jicengzhizhi.com/2022/1208/2449.shtml")
    );
}

#[test]
fn seed_003_truncated_report_still_imports() {
    let Some((_, docs)) = seed("003") else { return };
    assert!(docs[0].text.ends_with("通过旁听庭审"));
    assert!(docs[0].passages.len() > 10);
}

#[test]
fn no_boilerplate_line_in_any_seed_document() {
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some((_, docs)) = seed(prefix) else {
            return;
        };
        for doc in &docs {
            for marker in BOILERPLATE {
                assert!(
                    !doc.text.contains(marker),
                    "seed {prefix} «{}»: {marker}",
                    doc.title
                );
                assert!(!doc.title.contains(marker), "seed {prefix} title: {marker}");
            }
        }
    }
}

#[test]
fn seed_004_page_markers_repaired() {
    let Some((_, docs)) = seed("004") else { return };
    let text = &docs[0].text;
    // Page 3 ended "奠定了坚", page 4 began "4、实基础。": the word is whole again.
    assert!(text.contains("奠定了坚实基础。"), "{text}");
    assert!(!text.contains("2、") && !text.contains("12、"));
}

/// Letters, digits and CJK characters: what a reader would call the content.
fn content_chars(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Character accounting: every content character of a seed ends up in a document's title or
/// text, except (a) boilerplate lines of the sharing sites (and the empty `责任编辑:` field)
/// and a web page's breadcrumb line (`首页 > …`), (b) page-number markers `N、` at line
/// starts of seed 004, (c) the front matter of seed 000
/// (its cover title, summary line and 目录, which are not part of any article). Titles are
/// lines of their own, except seed 004's (named by the site header, which is boilerplate;
/// its text starts with the title), so that one is not counted twice.
/// Whitespace and punctuation are not counted (spaces between Chinese characters are removed).
#[test]
fn seed_characters_are_only_lost_to_boilerplate_markers_and_front_matter() {
    let marker = regex::Regex::new(r"^\d+、").unwrap();
    let breadcrumb = regex::Regex::new(r"^首页\s*>").unwrap();
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some((raw, docs)) = seed(prefix) else {
            return;
        };
        let lines: Vec<&str> = raw.lines().collect();
        let boilerplate: usize = lines
            .iter()
            .filter(|l| {
                BOILERPLATE.iter().any(|b| l.contains(b))
                    || l.trim() == "责任编辑:"
                    || breadcrumb.is_match(l)
            })
            .map(|l| content_chars(l))
            .sum();
        let markers: usize = if prefix == "004" {
            lines
                .iter()
                .filter_map(|l| marker.find(l))
                .map(|m| content_chars(m.as_str()))
                .sum()
        } else {
            0
        };
        let front: usize = if prefix == "000" {
            let first_article = lines
                .iter()
                .position(|l| l.trim() == docs[0].title)
                .unwrap();
            lines[..first_article]
                .iter()
                .map(|l| content_chars(l))
                .sum()
        } else {
            0
        };
        let kept: usize = docs
            .iter()
            .map(|d| {
                let title = if prefix == "004" {
                    0
                } else {
                    content_chars(&d.title)
                };
                title + content_chars(&d.text)
            })
            .sum();
        assert!(boilerplate > 0 || !["002", "004"].contains(&prefix));
        assert_eq!(
            kept,
            content_chars(&raw) - boilerplate - markers - front,
            "seed {prefix}: boilerplate {boilerplate}, markers {markers}, front matter {front}"
        );
    }
}

#[test]
fn seed_004_and_its_twin_in_002_are_the_only_near_duplicates() {
    let mut docs: Vec<(String, RawCase)> = Vec::new();
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some((_, split)) = seed(prefix) else {
            return;
        };
        docs.extend(split.into_iter().map(|d| (prefix.to_owned(), d)));
    }
    let signatures: Vec<Signature> = docs.iter().map(|(_, d)| signature(&d.text)).collect();
    let groups = clusters(&signatures.iter().collect::<Vec<_>>());
    let named: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|&i| format!("{} {}", docs[i].0, docs[i].1.title))
                .collect()
        })
        .collect();
    assert_eq!(
        named,
        [
            // The same article twice inside 002: a site preview, then the full text.
            vec![
                "002 立体化社会治安防控体系".to_owned(),
                "002 立体化社会治安防控体系———派出所基础工作".to_owned(),
            ],
            vec![
                "002 公安约稿推动社会治安防控体系建设高质量发展调研报告".to_owned(),
                "004 推动社会治安防控体系建设高质量发展调研报告".to_owned(),
            ],
        ]
    );
}

#[test]
fn walk_skips_hidden_and_sidecar_files() {
    let files = walk(&common::fixture("ingest"));
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains(&"crawled.html".to_owned()));
    assert!(!names.iter().any(|n| n.ends_with(".meta.json")));
    assert!(
        names.contains(&"notes.pdf".to_owned()),
        "unsupported files are listed"
    );
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
}

#[test]
fn bad_files_are_skipped_with_a_reason() {
    let cases = [
        ("binary.txt", "binary data"),
        ("empty.txt", "empty file"),
        ("truncated.docx", "truncated or corrupt docx"),
        ("invalid_bytes.txt", "undecodable"),
        ("notes.pdf", "not a text, HTML or docx file"),
    ];
    for (name, reason) in cases {
        let err = read(name).expect_err(name);
        assert!(err.contains(reason), "{name}: {err}");
    }
}

#[test]
fn oversize_file_is_skipped_before_reading() {
    let small = ReadOptions {
        max_bytes: 50,
        ..ReadOptions::default()
    };
    let err = read_file(&fixture("gbk_no_bom.txt"), "gbk_no_bom.txt", &small).unwrap_err();
    assert!(err.starts_with("larger than the"), "{err}");
    assert!(
        read_file(
            &fixture("gbk_no_bom.txt"),
            "x",
            &ReadOptions {
                max_bytes: 109,
                ..ReadOptions::default()
            }
        )
        .is_ok()
    );
}

#[test]
fn gbk_without_bom_and_utf16_with_bom_are_decoded() {
    let gbk = read("gbk_no_bom.txt").unwrap();
    assert!(
        gbk.text
            .starts_with("网格化管理工作总结\n某县推行网格化管理，全县划分网格三百个")
    );
    for name in ["utf16le_bom.txt", "utf16be_bom.txt"] {
        let file = read(name).unwrap();
        assert!(
            file.text
                .starts_with("视频监控建设方案\n全县建成高清视频监控点位八百个"),
            "{name}"
        );
    }
    let md = read("utf8_bom.md").unwrap();
    assert_eq!(md.kind, FileKind::Markdown);
    let docs = split_file(&md);
    assert_eq!(docs[0].title, "平安建设经验");
    assert_eq!(
        docs[0].text,
        "某市开展平安建设，群众安全感达到百分之九十八。"
    );
}

#[test]
fn docx_paragraphs_become_lines() {
    let file = read("report.docx").unwrap();
    assert_eq!(file.kind, FileKind::Docx);
    let docs = split_file(&file);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title, "关于加强社区警务工作的调研报告");
    assert_eq!(
        docs[0].passages,
        [
            "一、基本情况\n全县共有社区民警四十名，辅警一百二十名，警务室覆盖率达到百分之百。",
            "二、存在问题 & 对策\n部分警务室设施老化，需要进一步加强经费保障。",
        ]
    );
}

#[test]
fn html_keeps_headings_and_paragraphs_drops_furniture() {
    let file = read("page.html").unwrap();
    for furniture in [
        "首页",
        "新闻中心",
        "某某政法网",
        "tracking",
        "广告",
        "相关阅读",
        "color",
    ] {
        assert!(
            !file.text.contains(furniture),
            "{furniture} in {}",
            file.text
        );
    }
    assert_eq!(
        file.url.as_deref(),
        Some("https://example.gov.cn/og/1.html")
    );
    let docs = split_file(&file);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title, "雪亮工程建设经验");
    assert!(docs[0].text.contains("一、主要做法\n某县整合公共视频资源"));
    assert!(
        docs[0]
            .text
            .contains("二、工作成效\n可防性案件同比下降百分之三十。")
    );
}

#[test]
fn crawler_sidecar_gives_the_html_url() {
    let file = read("crawled.html").unwrap();
    assert_eq!(file.url.as_deref(), Some("https://example.gov.cn/final"));
    assert_eq!(
        split_file(&file)[0].url.as_deref(),
        Some("https://example.gov.cn/final")
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_text_never_panics_and_passages_cover_it(text in "(?s).{0,400}", md in proptest::bool::ANY) {
        let kind = if md { FileKind::Markdown } else { FileKind::Text };
        let file = RawFile { path: "p.txt".into(), kind, text: text.clone(), url: None, published: None, publisher: None };
        let docs = split_file(&file);
        if !text.trim().is_empty() {
            proptest::prop_assert!(!docs.is_empty());
        }
        for doc in docs {
            let _ = signature(&doc.text);
            proptest::prop_assert_eq!(doc.passages.join("\n"), doc.text);
        }
    }

    #[test]
    fn chinese_lines_never_panic(lines in proptest::collection::vec("[一二三12、。，目录 \n治安防控体系下载文档前请自行甄别ａ１]{0,60}", 0..30)) {
        let text = lines.join("\n");
        let file = RawFile { path: "p.txt".into(), kind: FileKind::Text, text, url: None, published: None, publisher: None };
        let _ = split_file(&file);
    }
}

/// Read+split throughput on the lawrefbook Markdown (about 58 MB). Run with
/// `cargo test --release --test integration ingest_stage::lawrefbook -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: run in release mode by hand"]
fn lawrefbook_read_split_throughput() {
    let Some(dir) = common::shared("data/lawrefbook-laws/files") else {
        return;
    };
    let files = walk(&dir);
    let started = std::time::Instant::now();
    let (mut bytes, mut docs, mut passages) = (0u64, 0usize, 0usize);
    let mut reading = std::time::Duration::ZERO;
    let with_dedup = std::env::var_os("NO_DEDUP").is_none();
    let mut signatures = Vec::new();
    let mut titles = Vec::new();
    for path in &files {
        bytes += std::fs::metadata(path).unwrap().len();
        let read_started = std::time::Instant::now();
        let file = read_file(path, &display(path, &dir), &ReadOptions::default());
        reading += read_started.elapsed();
        let Ok(file) = file else { continue };
        let split = split_file(&file);
        let heading = file
            .text
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("# ");
        if split[0].title.replace(' ', "") != heading.replace(' ', "") {
            println!("{}: title «{}»", file.path, split[0].title);
        }
        if split.len() > 1 {
            println!("{} → {} documents", file.path, split.len());
        }
        docs += split.len();
        passages += split.iter().map(|d| d.passages.len()).sum::<usize>();
        if with_dedup {
            signatures.extend(split.iter().map(|d| signature(&d.text)));
            titles.extend(split.iter().map(|d| d.title.clone()));
        }
    }
    let groups = clusters(&signatures.iter().collect::<Vec<_>>());
    let secs = started.elapsed().as_secs_f64();
    println!("near-duplicate groups: {}", groups.len());
    for group in groups
        .iter()
        .take(usize::from(std::env::var_os("SHOW_DUPS").is_some()) * 400)
    {
        let names: Vec<&str> = group.iter().map(|&i| titles[i].as_str()).collect();
        println!("  {names:?}");
    }
    println!(
        "{} files, {:.1} MB, {docs} docs, {passages} passages in {secs:.2} s (reading {:.2} s): {:.1} MB/s (1 thread)",
        files.len(),
        bytes as f64 / 1e6,
        reading.as_secs_f64(),
        bytes as f64 / 1e6 / secs
    );
}

fn display(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}
