//! Bodies of every endpoint over the fixture index: search with facets, filters and pages,
//! documents, similar, compare, export, measures, health.

use std::collections::BTreeSet;

use serde_json::Value;
use zhili::model::CaseDoc;

use super::{count, doc, enc, facet, hit_ids, word_xml};

const A: &str = "a000000000000001"; // 甘肃省/张掖市/临泽县 2022 video community-unit police-station
const B: &str = "b000000000000002"; // 甘肃省/张掖市 2021 video patrol
const C: &str = "c000000000000003"; // 甘肃省/兰州市/城关区 2020 grid patrol
const D: &str = "d000000000000004"; // 浙江省/绍兴市/诸暨市 2019 dispute mass-prevention
const E: &str = "e000000000000005"; // 浙江省/杭州市 2022 data-platform video
const G: &str = "0000000000000007"; // 广东省/深圳市 2023 cyber video (the XSS document)
const H: &str = "0000000000000008"; // 甘肃省/张掖市/甘州区, no year, grid

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

fn ids_of(body: &Value) -> BTreeSet<String> {
    hit_ids(body).into_iter().collect()
}

#[actix_web::test]
async fn health_reports_the_number_of_documents() {
    let app = server_app!();
    let reply = get!(app, "/api/health");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        serde_json::json!({"status": "ok", "documents": 8, "generation": "gen-000001",
                           "last_ingest": null}),
        "the fixture index was built without an ingest run"
    );
}

#[actix_web::test]
async fn measures_lists_the_taxonomy_in_order_with_counts() {
    let app = server_app!();
    let body = get!(app, "/api/measures").json();
    let measures = body["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 20);
    assert_eq!(measures[0]["id"], "patrol");
    assert_eq!(body["groups"].as_array().unwrap().len(), 6);
    let count_of = |id: &str| measures.iter().find(|m| m["id"] == id).unwrap()["count"].clone();
    assert_eq!(count_of("video"), 4);
    assert_eq!(count_of("grid"), 2);
    assert_eq!(count_of("team"), 0);
    let video = measures.iter().find(|m| m["id"] == "video").unwrap();
    assert_eq!(video["label"], "视频监控与智能感知");
}

#[actix_web::test]
async fn empty_query_lists_every_document_with_facets() {
    let app = server_app!();
    let body = get!(app, "/api/search").json();
    assert_eq!(body["total"], 8);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 10);
    assert_eq!(body["query"], "");
    assert!(body["took_ms"].as_f64().is_some());
    assert_eq!(hit_ids(&body).len(), 8);
    assert_eq!(count(&body, "region", "甘肃省"), 4);
    assert_eq!(count(&body, "region", "浙江省"), 2);
    assert_eq!(count(&body, "region", "广东省"), 1);
    assert_eq!(count(&body, "measure", "video"), 4);
    assert_eq!(count(&body, "year", "2022"), 2);
    let video = body["facets"]["measure"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == "video")
        .unwrap();
    assert_eq!(video["label"], "视频监控与智能感知");
}

#[actix_web::test]
async fn query_finds_matching_documents_with_highlighted_snippets() {
    let app = server_app!();
    let body = get!(app, &format!("/api/search?q={}", enc("视频监控"))).json();
    let ids = ids_of(&body);
    assert!(ids.is_superset(&set(&[A, B, E, G])), "{ids:?}");
    for absent in [C, D, H] {
        assert!(!ids.contains(absent), "{absent} has no 视频/监控");
    }
    for hit in body["hits"].as_array().unwrap() {
        let snippet = hit["snippet"].as_str().unwrap();
        if hit["id"] != "f000000000000006" {
            assert!(snippet.contains("<mark>"), "no highlight in {snippet}");
        }
        assert!(hit["region"].is_object() && hit["measures"].is_array());
    }
}

#[actix_web::test]
async fn region_filter_drills_down_and_lists_children() {
    let app = server_app!();
    let body = get!(app, &format!("/api/search?region={}", enc("甘肃省"))).json();
    assert_eq!(ids_of(&body), set(&[A, B, C, H]));
    assert_eq!(count(&body, "region", "张掖市"), 3);
    assert_eq!(count(&body, "region", "兰州市"), 1);
    assert_eq!(
        count(&body, "region", "浙江省"),
        0,
        "only children of 甘肃省"
    );

    let body = get!(app, &format!("/api/search?region={}", enc("甘肃省/张掖市"))).json();
    assert_eq!(ids_of(&body), set(&[A, B, H]));
    assert_eq!(count(&body, "region", "临泽县"), 1);
    assert_eq!(count(&body, "region", "甘州区"), 1);

    let body = get!(
        app,
        &format!("/api/search?region={}", enc("甘肃省/张掖市/临泽县"))
    )
    .json();
    assert_eq!(ids_of(&body), set(&[A]));
}

#[actix_web::test]
async fn measures_are_ored_and_their_facet_ignores_its_own_filter() {
    let app = server_app!();
    let body = get!(app, "/api/search?measure=video").json();
    assert_eq!(ids_of(&body), set(&[A, B, E, G]));
    assert_eq!(count(&body, "measure", "video"), 4);
    assert_eq!(
        count(&body, "measure", "patrol"),
        2,
        "counted without the measure filter"
    );
    assert_eq!(
        count(&body, "region", "浙江省"),
        1,
        "other facets use the measure filter"
    );

    let body = get!(app, "/api/search?measure=dispute&measure=cyber").json();
    assert_eq!(ids_of(&body), set(&[D, G]));
}

#[actix_web::test]
async fn year_range_filters_and_the_year_facet_keeps_other_years() {
    let app = server_app!();
    let body = get!(app, "/api/search?year_from=2019&year_to=2020").json();
    assert_eq!(ids_of(&body), set(&[C, D]));
    assert_eq!(
        count(&body, "year", "2022"),
        2,
        "year facet counted without the year filter"
    );
    assert_eq!(count(&body, "year", "2018"), 1);
    assert_eq!(
        count(&body, "region", "甘肃省"),
        1,
        "region facet uses the year filter"
    );

    let body = get!(app, "/api/search?year_from=2022").json();
    assert_eq!(ids_of(&body), set(&[A, E, G]));
    let body = get!(app, "/api/search?year_to=2018").json();
    assert_eq!(ids_of(&body), set(&["f000000000000006"]));
}

#[actix_web::test]
async fn filters_of_different_kinds_are_anded() {
    let app = server_app!();
    let uri = format!("/api/search?region={}&measure=video", enc("甘肃省"));
    let body = get!(app, &uri).json();
    assert_eq!(ids_of(&body), set(&[A, B]));
    assert_eq!(count(&body, "measure", "patrol"), 2);
    assert_eq!(count(&body, "measure", "grid"), 2);
    assert_eq!(count(&body, "measure", "cyber"), 0);
    assert_eq!(count(&body, "region", "张掖市"), 2);
    assert_eq!(count(&body, "region", "兰州市"), 0);
    assert_eq!(count(&body, "year", "2022"), 1);
    assert_eq!(count(&body, "year", "2020"), 0);

    let uri = format!(
        "/api/search?q={}&region={}&year_to=2020",
        enc("巡逻"),
        enc("甘肃省")
    );
    assert_eq!(ids_of(&get!(app, &uri).json()), set(&[C]));
}

#[actix_web::test]
async fn pages_cover_the_results_once_and_past_the_end_is_empty() {
    let app = server_app!();
    let mut seen = BTreeSet::new();
    for (page, expected) in [(1, 3), (2, 3), (3, 2), (4, 0), (50, 0)] {
        let body = get!(app, &format!("/api/search?per_page=3&page={page}")).json();
        assert_eq!(body["total"], 8);
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], 3);
        let ids = hit_ids(&body);
        assert_eq!(ids.len(), expected, "page {page}");
        for id in ids {
            assert!(seen.insert(id), "a document on two pages");
        }
    }
    assert_eq!(seen.len(), 8);
    let body = get!(app, "/api/search?per_page=100").json();
    assert_eq!(hit_ids(&body).len(), 8);
}

#[actix_web::test]
async fn sort_by_year_puts_newest_first() {
    let app = server_app!();
    let body = get!(app, "/api/search?sort=year").json();
    let years: Vec<i64> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["year"].as_i64())
        .collect();
    assert_eq!(years.len(), 7);
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
}

#[actix_web::test]
async fn document_body_is_the_whole_case() {
    let app = server_app!();
    let reply = get!(app, &format!("/api/docs/{A}"));
    assert_eq!(reply.status, 200);
    let got: CaseDoc = serde_json::from_value(reply.json()).expect("a CaseDoc body");
    let want = doc(A);
    assert_eq!(
        (&got.id, &got.title, &got.text),
        (&want.id, &want.title, &want.text)
    );
    assert_eq!(got.passages, want.passages);
    assert_eq!(got.region, want.region);
    assert_eq!(got.source, want.source);

    let dup = get!(app, "/api/docs/f000000000000006").json();
    assert_eq!(dup["duplicates"][0]["path"], "cases/f-copy.txt");
}

#[actix_web::test]
async fn similar_excludes_the_document_and_respects_the_limit() {
    let app = server_app!();
    let hits = get!(app, &format!("/api/docs/{A}/similar?limit=3")).json();
    let hits = hits.as_array().expect("an array of hits");
    assert!(hits.len() <= 3);
    assert!(hits.iter().all(|h| h["id"] != A && h["title"].is_string()));
    let one = get!(app, &format!("/api/docs/{B}/similar?limit=1")).json();
    assert!(one.as_array().unwrap().len() <= 1);
}

#[actix_web::test]
async fn compare_aligns_passages_by_measure_in_taxonomy_order() {
    let app = server_app!();
    let body = get!(app, &format!("/api/compare?ids={A},{D}")).json();
    let docs: Vec<&str> = body["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(docs, vec![A, D]);
    assert_eq!(body["docs"][0]["year"], 2022);
    assert!(
        body["docs"][0]["citation"]
            .as_str()
            .unwrap()
            .contains("临泽县")
    );
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0]["measure"], "patrol");
    let row = |id: &str| rows.iter().find(|r| r["measure"] == id).unwrap().clone();
    let video = row("video");
    assert_eq!(video["label"], "视频监控与智能感知");
    assert_eq!(video["cells"][0].as_array().unwrap().len(), 1);
    assert!(
        video["cells"][0][0]
            .as_str()
            .unwrap()
            .contains("视频监控1.3万余路")
    );
    assert_eq!(video["cells"][1], serde_json::json!([]));
    let dispute = row("dispute");
    assert_eq!(dispute["cells"][0], serde_json::json!([]));
    assert!(
        dispute["cells"][1][0]
            .as_str()
            .unwrap()
            .contains("矛盾纠纷")
    );

    let reversed = get!(app, &format!("/api/compare?ids={D},{A},{G}")).json();
    assert_eq!(reversed["docs"][0]["id"], D);
    assert_eq!(reversed["rows"][0]["cells"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn export_writes_every_matching_document_in_each_format() {
    let app = server_app!();
    let csv = get!(app, "/api/export?format=csv");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let disposition = csv.header("content-disposition");
    assert!(
        disposition.starts_with("attachment") && disposition.contains(".csv"),
        "{disposition}"
    );
    let text = csv.text();
    assert_eq!(
        text.lines().next().unwrap(),
        format!("\u{feff}{}", zhili::render::export::CSV_HEADER),
        "the CSV opens with a byte-order mark, for Excel"
    );
    assert_eq!(text.lines().count(), 9);
    assert!(text.contains("临泽县打造智慧安防小区的经验做法,甘肃省/张掖市/临泽县,2022,"));

    let md = get!(
        app,
        &format!("/api/export?format=md&region={}", enc("浙江省"))
    )
    .text();
    assert!(
        md.contains("1. 《") && md.contains("\n2. 《") && !md.contains("\n3. "),
        "{md}"
    );

    let ndjson = get!(app, "/api/export?format=ndjson&measure=video");
    let lines: Vec<CaseDoc> = ndjson
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a document"))
        .collect();
    let ids: BTreeSet<String> = lines.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids, set(&[A, B, E, G]));
    let full: CaseDoc =
        serde_json::from_value(get!(app, &format!("/api/docs/{B}")).json()).unwrap();
    assert_eq!(
        lines.iter().find(|d| d.id == B),
        Some(&full),
        "ndjson line = document body"
    );

    let bulk = get!(app, "/api/export?format=es-bulk").text();
    let lines: Vec<Value> = bulk
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 16);
    for pair in lines.chunks(2) {
        assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
        assert_eq!(pair[0]["index"]["_index"], "cases");
    }
}

#[actix_web::test]
async fn facet_lists_are_well_formed() {
    let app = server_app!();
    let body = get!(app, "/api/search").json();
    for name in ["region", "measure", "year"] {
        for (value, n) in facet(&body, name) {
            assert!(n > 0 || name == "measure", "{name} {value} has count 0");
        }
    }
}

#[actix_web::test]
async fn measures_combine_with_or_by_default_and_with_and_on_request() {
    let app = server_app!();
    let ids = |body: &Value| hit_ids(body).into_iter().collect::<BTreeSet<String>>();
    let any = get!(app, "/api/search?measure=video&measure=patrol").json();
    assert_eq!(ids(&any), set(&[A, B, C, E, G]));
    let all = get!(
        app,
        "/api/search?measure=video&measure=patrol&measure_match=all"
    )
    .json();
    assert_eq!(ids(&all), set(&[B]), "only the case with both");
    let bad = get!(app, "/api/search?measure=video&measure_match=both");
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("measure_match")
    );
}

#[actix_web::test]
async fn compare_and_export_come_as_word_documents() {
    let app = server_app!();
    let reply = get!(app, &format!("/api/compare?ids={A},{D}&format=docx"));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        zhili::render::docx::CONTENT_TYPE
    );
    assert!(reply.header("content-disposition").contains(".docx"));
    let xml = word_xml(&reply.body);
    assert!(
        xml.contains("<w:tbl>") && xml.contains("临泽县打造智慧安防小区的经验做法"),
        "{xml}"
    );
    assert!(xml.contains("地区") && xml.contains("浙江省绍兴市诸暨市"));
    let bad = get!(app, &format!("/api/compare?ids={A},{D}&format=pdf"));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("json、docx、csv、md"), "{}", bad.text());

    let export = get!(
        app,
        &format!("/api/export?format=docx&region={}", enc("浙江省"))
    );
    assert_eq!(export.status, 200);
    let xml = word_xml(&export.body);
    assert!(xml.contains("1. 《") && xml.contains("[Z]."), "{xml}");
}

#[actix_web::test]
async fn compare_comes_as_csv_and_markdown_with_the_measures_picked() {
    let app = server_app!();
    let csv = get!(app, &format!("/api/compare?ids={A},{D}&format=csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert!(
        csv.header("content-disposition")
            .contains("zhili-compare.csv")
    );
    assert!(
        csv.body.starts_with("\u{feff}".as_bytes()),
        "a BOM for Excel"
    );
    insta::assert_snapshot!("compare_csv", csv.text());

    let md = get!(app, &format!("/api/compare?ids={A},{D}&format=md"));
    assert_eq!(md.status, 200);
    assert_eq!(md.header("content-type"), "text/markdown; charset=utf-8");
    insta::assert_snapshot!("compare_md", md.text());

    // The measures the user picked, and nothing else.
    let picked = get!(
        app,
        &format!("/api/compare?ids={A},{D}&format=md&measure=video&measure=dispute")
    )
    .text();
    let rows: Vec<&str> = picked
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| 措施类型") && !l.starts_with("| ---"))
        .map(|l| l.split(" | ").next().unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            "| 地区",
            "| 年份",
            "| 视频监控与智能感知",
            "| 矛盾纠纷排查化解"
        ],
        "{picked}"
    );
    let bad = get!(app, &format!("/api/compare?ids={A},{D}&measure=nothing"));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("measure"), "{}", bad.text());
}

/// A JSON body pretty-printed, with `took_ms` (a timing) set to 0.
fn snapshot_json(body: serde_json::Value) -> String {
    let mut body = body;
    if body.get("took_ms").is_some() {
        body["took_ms"] = 0.into();
    }
    serde_json::to_string_pretty(&body).unwrap()
}

#[actix_web::test]
async fn response_bodies_and_exports_match_their_snapshots() {
    let app = server_app!();
    let search = get!(
        app,
        &format!("/api/search?q={}&per_page=3", enc("视频监控"))
    );
    insta::assert_snapshot!("search_json", snapshot_json(search.json()));
    let doc = get!(app, &format!("/api/docs/{D}"));
    insta::assert_snapshot!("doc_json", snapshot_json(doc.json()));
    // Sorted by year: documents of equal score come in the order of the index's segments,
    // which a fresh index does not fix.
    let region = format!("{}&sort=year", enc("浙江省"));
    let csv = get!(app, &format!("/api/export?format=csv&region={region}"));
    insta::assert_snapshot!("export_csv", csv.text());
    let md = get!(app, &format!("/api/export?format=md&region={region}"));
    insta::assert_snapshot!("export_md", md.text());
}
