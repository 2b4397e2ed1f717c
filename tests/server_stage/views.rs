//! The knowledge-base views over the fixture index: the overview (`/api/pivot`, counts by
//! two of region, measure and year, with the unknowns apart) and precedents by place
//! (`/api/precedents`, JSON and Word).

use serde_json::{Value, json};

use super::enc;

const A: &str = "a000000000000001"; // 甘肃省/张掖市/临泽县 2022 video community-unit police-station
const B: &str = "b000000000000002"; // 甘肃省/张掖市 2021 video patrol
const E: &str = "e000000000000005"; // 浙江省/杭州市 2022 data-platform video
const G: &str = "0000000000000007"; // 广东省/深圳市 2023 cyber video

fn values(list: &Value) -> Vec<Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].clone())
        .collect()
}

#[actix_web::test]
async fn pivot_counts_provinces_by_measures_with_the_unknowns_apart() {
    let app = server_app!();
    let body = get!(app, "/api/pivot").json();
    assert_eq!(body["row_axis"], "region");
    assert_eq!(body["col_axis"], "measure");
    assert_eq!(body["total"], 8);
    assert_eq!(
        body["rows"],
        json!([{"value": "甘肃省", "label": "甘肃省", "count": 4},
               {"value": "浙江省", "label": "浙江省", "count": 2},
               {"value": "广东省", "label": "广东省", "count": 1}]),
        "most documents first; the document with no region is not a row"
    );
    let cols = values(&body["cols"]);
    assert_eq!(
        cols,
        [
            "patrol",
            "community-unit",
            "cyber",
            "video",
            "data-platform",
            "police-station",
            "grid",
            "mass-prevention",
            "dispute"
        ]
        .map(Value::from),
        "measures in taxonomy order, only those that occur"
    );
    let video = cols.iter().position(|v| v == "video").unwrap();
    assert_eq!(body["cols"][video]["label"], "视频监控与智能感知");
    assert_eq!(body["cols"][video]["count"], 4);
    assert_eq!(body["cells"][0][video], 2, "甘肃省 × video: A and B");
    assert_eq!(body["cells"][1][video], 1, "浙江省 × video: E");
    assert_eq!(
        body["cells"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        8,
        "a document with three measures is in three cells of its row"
    );
    let community = cols.iter().position(|v| v == "community-unit").unwrap();
    assert_eq!(body["unknown"]["rows"], 1, "the document with no region");
    assert_eq!(body["unknown"]["row_cells"][community], 1);
    assert_eq!(body["unknown"]["cols"], 0);
    assert_eq!(body["unknown"]["both"], 0);
}

#[actix_web::test]
async fn pivot_lists_the_level_below_the_region_filter_and_years_in_order() {
    let app = server_app!();
    let body = get!(
        app,
        &format!("/api/pivot?region={}&rows=region&cols=year", enc("甘肃"))
    )
    .json();
    assert_eq!(body["total"], 4);
    assert_eq!(
        values(&body["rows"]),
        ["甘肃省/张掖市", "甘肃省/兰州市"].map(Value::from),
        "cities, as paths the region filter takes"
    );
    assert_eq!(body["rows"][0]["label"], "张掖市");
    assert_eq!(values(&body["cols"]), [2020, 2021, 2022].map(Value::from));
    assert_eq!(body["cols"][0]["label"], "2020年");
    assert_eq!(body["cells"], json!([[0, 1, 1], [1, 0, 0]]));
    assert_eq!(body["unknown"]["cols"], 1, "甘州区's case has no year");
    assert_eq!(body["unknown"]["col_cells"], json!([1, 0]));

    let words = get!(
        app,
        &format!("/api/pivot?q={}&rows=year&cols=measure", enc("视频监控"))
    )
    .json();
    assert_eq!(words["total"], 4, "the query's documents only: {words}");
    assert_eq!(values(&words["rows"]), [2021, 2022, 2023].map(Value::from));
}

#[actix_web::test]
async fn pivot_refuses_unknown_or_equal_axes_naming_the_parameter() {
    let app = server_app!();
    assert_eq!(
        get!(app, "/api/pivot?cols=").status,
        200,
        "an empty value is the default"
    );
    for (uri, name) in [
        ("/api/pivot?rows=city", "rows"),
        ("/api/pivot?rows=year&cols=year", "rows"),
        ("/api/pivot?cols=measures", "cols"),
    ] {
        let reply = get!(app, uri);
        assert_eq!(reply.status, 400, "{uri}");
        let error = reply.json()["error"].as_str().unwrap().to_string();
        assert!(error.contains(name), "{uri}: {error}");
    }
}

#[actix_web::test]
async fn precedents_group_the_matches_by_city_in_rank_order() {
    let app = server_app!();
    let body = get!(app, &format!("/api/precedents?q={}", enc("视频监控"))).json();
    assert_eq!(body["query"], "视频监控");
    assert_eq!(body["total"], 4);
    assert_eq!(body["places"], 3);
    let groups = body["groups"].as_array().unwrap();
    let labels: Vec<&str> = groups
        .iter()
        .map(|g| g["label"].as_str().unwrap())
        .collect();
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(sorted, ["广东省深圳市", "浙江省杭州市", "甘肃省张掖市"]);
    let zhangye = groups
        .iter()
        .find(|g| g["label"] == "甘肃省张掖市")
        .unwrap();
    assert_eq!(zhangye["region"]["path"], "甘肃省/张掖市");
    assert_eq!(zhangye["region"]["county"], Value::Null);
    let ids: Vec<&str> = zhangye["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    let mut both = ids.clone();
    both.sort();
    assert_eq!(both, [A, B]);
    let a = zhangye["docs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == A)
        .unwrap();
    assert_eq!(a["year"], 2022);
    assert_eq!(a["region"]["county"], "临泽县");
    assert!(
        a["passage"]
            .as_str()
            .unwrap()
            .contains("<mark>视频监控</mark>"),
        "{a}"
    );
    assert_eq!(
        a["citation"],
        "临泽县打造智慧安防小区的经验做法[EB/OL]. 甘肃省张掖市临泽县, 2022. https://example.org/linze"
    );
    // Groups follow their best document: the search's order.
    let search = get!(app, &format!("/api/search?q={}", enc("视频监控"))).json();
    let first_hits: Vec<String> = super::hit_ids(&search);
    let group_of = |id: &str| {
        groups
            .iter()
            .position(|g| g["docs"].as_array().unwrap().iter().any(|d| d["id"] == id))
            .unwrap()
    };
    let mut order: Vec<usize> = Vec::new();
    for id in &first_hits {
        let group = group_of(id);
        if !order.contains(&group) {
            order.push(group);
        }
    }
    assert_eq!(
        order,
        [0, 1, 2],
        "groups in rank order of their best document"
    );
    for id in [E, G] {
        assert!(group_of(id) < groups.len(), "{id} is in a group");
    }
}

#[actix_web::test]
async fn precedents_come_as_a_word_document() {
    let app = server_app!();
    let reply = get!(
        app,
        &format!("/api/precedents?q={}&format=docx", enc("视频监控"))
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        zhili::render::docx::CONTENT_TYPE
    );
    let xml = super::word_xml(&reply.body);
    assert!(
        xml.contains("各地先例：视频监控") && xml.contains("甘肃省张掖市"),
        "{xml}"
    );
    assert!(
        xml.contains("[EB/OL]. 甘肃省张掖市临泽县, 2022."),
        "citations"
    );
    assert!(!xml.contains("&lt;mark&gt;"), "passages as plain text");
}
