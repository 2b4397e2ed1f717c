//! Property tests: arbitrary bytes and arbitrary Unicode through every stage that reads
//! untrusted input — decoding (txt, md, html, docx), cleaning and splitting, tagging, the query
//! parser, snippets, and a whole `Engine::search`. Nothing may panic; the only errors allowed
//! are the ones a user is told about (`Error::BadRequest`, or a reason string for a file), and
//! snippets never carry markup other than `<mark>`. Case counts are constants (reported in
//! docs/robustness.md); each property stays small enough for the module to run in < 60 s.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use zhili::Error;
use zhili::ingest::{self, ReadOptions};
use zhili::model::{FileKind, RawCase, RawFile};
use zhili::search::query;
use zhili::search::snippet::Highlighter;
use zhili::search::{Origin, RawRequest};
use zhili::tag::Tagger;

use crate::common;

const FILE_CASES: u32 = 400;
const TEXT_CASES: u32 = 800;
const QUERY_CASES: u32 = 3000;
const SEARCH_CASES: u32 = 1000;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Words and characters that stress the code paths: query syntax, markup, region and year
/// words the taggers look for, separators the splitter looks for, and odd code points.
const VOCAB: &[&str] = &[
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u{3000}",
    "\"",
    "“",
    "”",
    "-",
    "－",
    "OR",
    " OR ",
    "or",
    "<",
    ">",
    "&",
    "<mark>",
    "</mark>",
    "<script>alert(1)</script>",
    "&amp;",
    "&#x4e00;",
    "。",
    "，",
    "：",
    "、",
    "…",
    "甘肃省",
    "张掖市",
    "临泽县",
    "浙江省",
    "诸暨市",
    "枫桥镇",
    "2021年",
    "二〇二三年",
    "1999",
    "99999",
    "网格化",
    "视频监控",
    "雪亮工程",
    "枫桥经验",
    "矛盾纠纷",
    "第一章",
    "一、",
    "（一）",
    "案例1",
    "来源：http://x.cn/a",
    "#",
    "##",
    "*",
    "---",
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "\u{301}",
    "\u{202e}",
    "\u{fffd}",
    "𠀀",
    "🙂",
    "Ａ",
    "ǅ",
    "İ",
    "ß",
    "ﬃ",
    "\u{10ffff}",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(VOCAB).prop_map(String::from),
        3 => proptest::char::range('\u{4e00}', '\u{9fff}').prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
        1 => "[a-zA-Z0-9]{1,8}",
    ]
}

/// Arbitrary Unicode, biased towards what real input and hostile input look like.
fn text(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max_pieces).prop_map(|p| p.concat())
}

const HTML_VOCAB: &[&str] = &[
    "<html>",
    "<head>",
    "</head>",
    "<body>",
    "</body>",
    "<title>",
    "</title>",
    "<p>",
    "</p>",
    "<div class=\"content\">",
    "</div>",
    "<br>",
    "<br/>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&nbsp;",
    "&#99999999;",
    "&#x;",
    "&lt;",
    "<meta charset=\"gbk\">",
    "<meta charset=\"utf-16\">",
    "<link rel=\"canonical\" href=\"",
    "\">",
    "<table><tr><td>",
    "</td></tr></table>",
    "<h1>",
    "</h1>",
    "<",
    ">",
    "\"",
    "'",
];

fn html() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        proptest::sample::select(HTML_VOCAB).prop_map(String::from),
        piece(),
    ];
    prop::collection::vec(part, 0..200).prop_map(|p| p.concat())
}

/// Bytes of a file: raw noise, or text in one of the encodings we detect, sometimes cut short.
fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    let encoded = (text(200), 0..4u8, any::<prop::sample::Index>()).prop_map(|(t, enc, cut)| {
        let mut bytes = match enc {
            0 => t.into_bytes(),
            1 => encoding_rs::GB18030.encode(&t).0.into_owned(),
            2 => [&[0xFF, 0xFE][..], &utf16(&t, u16::to_le_bytes)].concat(),
            _ => [&[0xFE, 0xFF][..], &utf16(&t, u16::to_be_bytes)].concat(),
        };
        if !bytes.is_empty() && cut.index(4) == 0 {
            bytes.truncate(cut.index(bytes.len()));
        }
        bytes
    });
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..3000),
        encoded,
        html().prop_map(String::into_bytes),
    ]
}

fn utf16(text: &str, to_bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    text.encode_utf16().flat_map(to_bytes).collect()
}

/// A docx: the fixture with bytes overwritten or cut, or a fresh archive around arbitrary XML.
fn docx_bytes() -> impl Strategy<Value = Vec<u8>> {
    let seed = std::fs::read(common::fixture("robust/seed.docx")).expect("seed.docx");
    let len = seed.len();
    let mutated = (
        prop::collection::vec((0..len, any::<u8>()), 0..8),
        prop::option::of(0..len),
    )
        .prop_map(move |(flips, cut)| {
            let mut bytes = seed.clone();
            for (at, byte) in flips {
                bytes[at] = byte;
            }
            bytes.truncate(cut.unwrap_or(len));
            bytes
        });
    let xml = prop::collection::vec(
        prop_oneof![
            proptest::sample::select(DOCX_VOCAB).prop_map(String::from),
            piece(),
        ],
        0..120,
    )
    .prop_map(|parts| zip_document(&parts.concat()));
    prop_oneof![mutated, xml]
}

const DOCX_VOCAB: &[&str] = &[
    "<w:p>",
    "</w:p>",
    "<w:t>",
    "</w:t>",
    "<w:tab/>",
    "<w:br/>",
    "<w:p/>",
    "&amp;",
    "&#12345;",
    "&#xD800;",
    "&bogus;",
    "<![CDATA[x]]>",
    "<w:t xml:space=\"preserve\">",
    "<?xml version=\"1.0\"?>",
    "<w:body>",
    "</w:body>",
    "<",
    "&",
];

fn zip_document(xml: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

fn tagger() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| {
        let empty = tempfile::tempdir().unwrap();
        Tagger::load(empty.path()).expect("the embedded lexicon loads")
    })
}

/// Splits and tags a decoded file, checking what `split_file` promises.
fn split_and_tag(file: &RawFile) {
    let cases = ingest::split_file(file);
    if !file.text.trim().is_empty() {
        assert!(!cases.is_empty(), "a file with text gave no document");
    }
    for case in &cases {
        assert_eq!(case.source_path, file.path);
        let tags = tagger().tag(case);
        if let Some(year) = tags.year {
            assert!((1000..=9999).contains(&year), "year {year}");
        }
    }
}

fn read_and_split(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    match ingest::read_file(&path, name, &ReadOptions::default()) {
        Ok(file) => {
            assert_eq!(file.path, name);
            assert!(!file.text.trim().is_empty(), "an Ok file has text");
            split_and_tag(&file);
        }
        Err(reason) => assert!(!reason.is_empty(), "a failure names its reason"),
    }
}

proptest! {
    #![proptest_config(config(FILE_CASES))]

    #[test]
    fn any_bytes_in_a_txt_md_or_html_file_are_read_or_refused_with_a_reason(
        bytes in file_bytes()
    ) {
        let dir = tempfile::tempdir().unwrap();
        for name in ["case.txt", "case.md", "case.html"] {
            read_and_split(dir.path(), name, &bytes);
        }
    }

    #[test]
    fn any_docx_bytes_are_read_or_refused_with_a_reason(bytes in docx_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        read_and_split(dir.path(), "case.docx", &bytes);
    }
}

proptest! {
    #![proptest_config(config(TEXT_CASES))]

    #[test]
    fn any_text_is_cleaned_split_and_tagged(
        body in text(400),
        markdown in any::<bool>(),
    ) {
        let kind = if markdown { FileKind::Markdown } else { FileKind::Text };
        let file = RawFile { path: "dir/案例.txt".into(), kind, text: body, url: None, published: None, publisher: None };
        split_and_tag(&file);
    }

    #[test]
    fn any_case_is_tagged(
        title in text(20),
        body in text(200),
        passages in prop::collection::vec(text(40), 0..6),
        url in prop::option::of(text(10)),
    ) {
        let case = RawCase {
            source_path: "x.txt".into(),
            ordinal: 0,
            title,
            text: body,
            url,
            published: None,
            publisher: None,
            passages,
        };
        let tags = tagger().tag(&case);
        if let Some(path) = &tags.region.path {
            prop_assert!(!path.is_empty());
        }
    }
}

/// Markup is `<mark>`/`</mark>` only, and every `&` starts one of our five entities.
fn assert_only_marks(html: &str) {
    let stripped = html.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !stripped.contains(['<', '>']),
        "markup other than <mark> in {html:?}"
    );
    for (at, _) in html.match_indices('&') {
        assert!(
            ["&lt;", "&gt;", "&quot;", "&#39;", "&amp;"]
                .iter()
                .any(|e| html[at..].starts_with(e)),
            "unescaped & in {html:?}"
        );
    }
}

/// The snippet shows a piece of the text (an ellipsis on a cut side).
fn assert_is_a_window(html: &str, text: &str) {
    let seen = zhili::search::snippet::unmarked(html);
    let candidates = [
        Some(seen.as_str()),
        seen.strip_prefix('…'),
        seen.strip_suffix('…'),
        seen.strip_prefix('…').and_then(|s| s.strip_suffix('…')),
    ];
    assert!(
        candidates.iter().flatten().any(|c| text.contains(c)),
        "{seen:?} is not a piece of {text:?}"
    );
}

fn error_is_a_user_error(err: &Error) {
    assert!(
        matches!(err, Error::BadRequest(_)),
        "not BadRequest: {err:?}"
    );
    assert!(!err.to_string().is_empty());
}

proptest! {
    #![proptest_config(config(QUERY_CASES))]

    #[test]
    fn any_query_parses_or_is_a_bad_request(q in prop_oneof![text(60), any::<String>()]) {
        match query::parse(&q) {
            Ok(parsed) => {
                for term in parsed.highlight_terms() {
                    prop_assert!(!term.is_empty());
                }
            }
            Err(err) => error_is_a_user_error(&err),
        }
    }

    #[test]
    fn snippets_are_escaped_windows_of_the_text(
        terms in prop::collection::vec(text(6), 0..5),
        body in text(300),
        max_chars in 0usize..400,
    ) {
        let html = Highlighter::new(&terms).snippet(&body, max_chars);
        assert_only_marks(&html);
        assert_is_a_window(&html, &body);
    }
}

fn measure_ids() -> Vec<String> {
    let mut ids: Vec<String> = zhili::taxonomy::Taxonomy::get()
        .measures
        .iter()
        .map(|m| m.id.clone())
        .collect();
    ids.extend(["nonsense".to_string(), String::new()]);
    ids
}

const REGIONS: &[&str] = &["甘肃省", "甘肃省/张掖市", "浙江省/", "/", "a//b"];

fn year() -> impl Strategy<Value = Option<i32>> {
    prop::option::of(prop_oneof![1990..2030i32, any::<i32>()])
}

/// Any request as a client may send it (numbers written out, values out of range, unknown
/// measures, broken regions), through the one validation.
fn request() -> impl Strategy<Value = RawRequest> {
    let region = prop::option::of(prop_oneof![
        proptest::sample::select(REGIONS).prop_map(String::from),
        text(6),
    ]);
    (
        prop_oneof![3 => text(40), 1 => any::<String>()],
        region,
        prop::collection::vec(proptest::sample::select(measure_ids()), 0..3),
        (year(), year()),
        (
            prop_oneof![1..4usize, any::<usize>()],
            prop_oneof![1..30usize, 0..300usize],
        ),
        any::<bool>(),
    )
        .prop_map(
            |(q, region, measures, (year_from, year_to), (page, per_page), by_year)| RawRequest {
                q: Some(q),
                region,
                measures,
                year_from: year_from.map(|y| y.to_string()),
                year_to: year_to.map(|y| y.to_string()),
                page: Some(page.to_string()),
                per_page: Some(per_page.to_string()),
                sort: by_year.then(|| "year".to_string()),
                ..RawRequest::default()
            },
        )
}

proptest! {
    #![proptest_config(config(SEARCH_CASES))]

    #[test]
    fn any_search_answers_or_is_a_bad_request(raw in request()) {
        let engine = crate::server_stage::engine();
        let Ok(request) = raw.validate(Origin::Http) else {
            return Ok(());
        };
        match engine.search(&request) {
            Ok(response) => {
                prop_assert!(response.hits.len() <= request.per_page());
                prop_assert!(response.hits.len() as u64 <= response.total);
                for hit in &response.hits {
                    assert_only_marks(&hit.snippet);
                    for passage in &hit.passages {
                        assert_only_marks(&passage.text);
                    }
                }
            }
            Err(err) => error_is_a_user_error(&err),
        }
    }
}
