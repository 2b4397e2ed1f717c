//! Integration tests: the index and `search::Engine` over hand-made documents.

use zhili::index::{IndexUpdate, build_index};
use zhili::model::{CaseDoc, Passage, Region, Source};
use zhili::search::{Engine, Origin, RawRequest, SearchRequest, SortOrder};
use zhili::{Error, model::doc_id};

fn doc(n: usize, title: &str, text: &str) -> CaseDoc {
    let id = doc_id(&format!("t/{n}.txt"), 0);
    CaseDoc {
        passages: text
            .split('\n')
            .enumerate()
            .map(|(i, p)| Passage {
                id: format!("{id}-p{}", i + 1),
                measures: Vec::new(),
                evidence: Default::default(),
                text: p.into(),
            })
            .collect(),
        id,
        title: title.into(),
        region: Region::default(),
        year: None,
        years_mentioned: Vec::new(),
        measures: Vec::new(),
        source: Source {
            path: format!("t/{n}.txt"),
            url: None,
            ..Default::default()
        },
        duplicates: Vec::new(),
        duplicate_of: None,
        versions: vec![],
        added: None,
        text: text.into(),
    }
}

fn tagged(
    mut d: CaseDoc,
    region: [Option<&str>; 3],
    year: Option<i32>,
    measures: &[&str],
) -> CaseDoc {
    d.region = Region::from_levels(
        region[0].map(String::from),
        region[1].map(String::from),
        region[2].map(String::from),
    );
    d.year = year;
    d.measures = measures.iter().map(|m| m.to_string()).collect();
    d
}

struct Kb {
    _dir: tempfile::TempDir,
    engine: Engine,
    docs: Vec<CaseDoc>,
}

fn kb(docs: Vec<CaseDoc>) -> Kb {
    let dir = tempfile::tempdir().unwrap();
    build_index(dir.path(), &docs).unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    Kb {
        _dir: dir,
        engine,
        docs,
    }
}

impl Kb {
    fn ids(&self, q: &str) -> Vec<usize> {
        self.ids_for(&SearchRequest::new(q))
    }

    fn ids_for(&self, request: &SearchRequest) -> Vec<usize> {
        let response = self.engine.search(request).unwrap();
        let mut found: Vec<usize> = response
            .hits
            .iter()
            .map(|h| self.docs.iter().position(|d| d.id == h.id).unwrap())
            .collect();
        if request.sort() == SortOrder::Relevance {
            found.sort();
        }
        found
    }
}

/// A request from URL-style parameters, through the one validation.
fn request(pairs: &[(&str, &str)]) -> SearchRequest {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    RawRequest::from_pairs(&pairs)
        .validate(Origin::Http)
        .unwrap()
}

fn sample() -> Kb {
    kb(vec![
        tagged(
            doc(
                0,
                "临泽县网格化治理",
                "临泽县推行网格化管理，网格员每日巡逻。\n全县视频监控1.3万余路。",
            ),
            [Some("甘肃省"), Some("张掖市"), Some("临泽县")],
            Some(2022),
            &["grid", "video"],
        ),
        tagged(
            doc(
                1,
                "北京大学附属中学校园安全",
                "北京大学附属中学建立校园一键报警。",
            ),
            [Some("北京市"), None, None],
            Some(2020),
            &["internal-security"],
        ),
        tagged(
            doc(2, "宪法学习", "中华人民共和国宪法规定了社会治理的原则。"),
            [Some("甘肃省"), Some("兰州市"), None],
            Some(2020),
            &["rule-of-law"],
        ),
        tagged(
            doc(
                3,
                "巡逻防控",
                "街面巡逻防控与视频巡查结合，社会的治理更精细。",
            ),
            [Some("甘肃省"), Some("张掖市"), None],
            None,
            &["patrol", "video"],
        ),
    ])
}

#[test]
fn sub_words_jieba_does_not_split_out_are_still_found() {
    let kb = sample();
    assert_eq!(kb.ids("北京大学"), vec![1]);
    assert_eq!(kb.ids("人民共和国"), vec![2]);
}

#[test]
fn words_are_and_ed_phrases_are_exact_and_exclusion_and_or_work() {
    let kb = sample();
    // Doc 0 holds both words and comes first; doc 3 (巡逻 alone) follows, below, because
    // fewer than a page hold both: the response says 网格员 was not required.
    let both = kb
        .engine
        .search(&SearchRequest::new("巡逻 网格员"))
        .unwrap();
    assert_eq!(kb.ids("巡逻 网格员"), vec![0, 3]);
    assert_eq!(both.hits[0].id, kb.docs[0].id);
    assert_eq!(both.relaxed, vec!["网格员".to_string()]);
    let one_per_page = request(&[("q", "巡逻 网格员"), ("per_page", "1")]);
    assert_eq!(kb.ids_for(&one_per_page), vec![0]);
    assert!(kb.engine.search(&one_per_page).unwrap().relaxed.is_empty());
    assert_eq!(kb.ids("巡逻"), vec![0, 3]);
    assert_eq!(kb.ids("\"社会治理\""), vec![2]);
    // Both words: docs 2 and 3; doc 0 (治理 alone) follows them.
    assert_eq!(kb.ids("社会 治理"), vec![0, 2, 3]);
    assert_eq!(kb.ids("巡逻 -网格员"), vec![3]);
    assert_eq!(kb.ids("宪法 OR 一键报警"), vec![1, 2]);
    assert_eq!(kb.ids(""), vec![0, 1, 2, 3]);
}

#[test]
fn facets_count_every_filter_but_their_own() {
    let kb = sample();
    let filtered = request(&[("region", "甘肃省"), ("measure", "video")]);
    let response = kb.engine.search(&filtered).unwrap();
    assert_eq!(response.total, 2);
    // Region facet: video docs under 甘肃省, by city.
    let cities: Vec<(String, u64)> = response
        .facets
        .region
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(cities, vec![("张掖市".to_string(), 2)]);
    // Measure facet ignores the measure filter: every measure of the 甘肃省 docs.
    let video = response
        .facets
        .measure
        .iter()
        .find(|m| m.value == "video")
        .unwrap();
    assert_eq!(
        (video.count, video.label.as_str()),
        (2, "视频监控与智能感知")
    );
    assert!(
        response
            .facets
            .measure
            .iter()
            .any(|m| m.value == "rule-of-law" && m.count == 1)
    );
    // Year facet: only documents with a year count.
    let years: Vec<(i32, u64)> = response
        .facets
        .year
        .iter()
        .map(|y| (y.value, y.count))
        .collect();
    assert_eq!(years, vec![(2022, 1)]);
}

#[test]
fn filters_combine_and_sort_by_year_puts_recent_first() {
    let kb = sample();
    let years = [("year_from", "2020"), ("year_to", "2021")];
    assert_eq!(kb.ids_for(&request(&years)), vec![1, 2]);
    let lanzhou = request(&[years[0], years[1], ("region", "甘肃省/兰州市")]);
    assert_eq!(kb.ids_for(&lanzhou), vec![2]);

    let by_year = request(&[("sort", "year")]);
    let order = kb.ids_for(&by_year);
    assert_eq!(order[0], 0);
    assert_eq!(order.len(), 4);
}

#[test]
fn pages_split_the_results_and_past_the_end_is_empty() {
    let kb = sample();
    let page = |n: &str| request(&[("per_page", "3"), ("page", n)]);
    assert_eq!(kb.engine.search(&page("1")).unwrap().hits.len(), 3);
    let second = kb.engine.search(&page("2")).unwrap();
    assert_eq!((second.hits.len(), second.total), (1, 4));
    assert!(kb.engine.search(&page("3")).unwrap().hits.is_empty());
}

#[test]
fn bad_queries_are_user_errors_naming_the_problem() {
    let kb = sample();
    for (q, needle) in [("\"unclosed", "quote"), ("，。", "no letters")] {
        let err = kb.engine.search(&SearchRequest::new(q)).unwrap_err();
        assert!(
            err.is_user_error() && err.to_string().contains(needle),
            "{q}: {err}"
        );
    }
}

#[test]
fn snippets_mark_matches_and_escape_document_text() {
    let hostile = doc(
        0,
        "<script>alert(1)</script>",
        "治安<img src=x onerror=alert(1)>巡逻防控",
    );
    let kb = kb(vec![hostile]);
    let response = kb.engine.search(&SearchRequest::new("巡逻")).unwrap();
    let hit = &response.hits[0];
    assert_eq!(
        hit.snippet,
        "治安&lt;img src=x onerror=alert(1)&gt;<mark>巡逻</mark>防控"
    );
    assert_eq!(hit.passages[0].text, hit.snippet);
    assert!(hit.score > 0.0);
}

#[test]
fn with_a_measure_filter_the_snippet_comes_from_that_measures_passage() {
    let filler = "。".repeat(200);
    let lively = format!("社区文艺演出走进社区，社区居民踊跃参加{filler}");
    let gridded = "社区划分为十二个网格，每个网格配备一名专职网格员，负责走访群众。";
    let mut d = tagged(
        doc(0, "某街道社区工作", &format!("{lively}\n{gridded}")),
        [None, None, None],
        None,
        &["grid"],
    );
    d.passages[1].measures = vec!["grid".into()];
    let kb = kb(vec![d]);
    let plain = kb.engine.search(&SearchRequest::new("社区")).unwrap();
    assert!(
        plain.hits[0].snippet.contains("文艺演出"),
        "without a filter the passage with the most matches: {}",
        plain.hits[0].snippet
    );
    let filtered = kb
        .engine
        .search(&request(&[("q", "社区"), ("measure", "grid")]))
        .unwrap();
    let hit = &filtered.hits[0];
    assert!(
        hit.snippet.contains("专职网格员") && !hit.snippet.contains("文艺演出"),
        "with measure=grid the grid passage: {}",
        hit.snippet
    );
    assert!(
        hit.passages.iter().any(|p| p.measures == ["grid"]),
        "{:?}",
        hit.passages
    );
}

#[test]
fn near_duplicates_are_stored_but_never_hits() {
    let canonical = doc(0, "网格化", "网格员巡逻");
    let mut twin = doc(1, "网格化", "网格员巡逻。");
    twin.duplicate_of = Some(canonical.id.clone());
    let kb = kb(vec![canonical, twin.clone()]);
    assert_eq!(kb.ids("网格员"), vec![0]);
    assert_eq!(kb.engine.document_count(), 1);
    assert_eq!(
        kb.engine.doc(&twin.id).unwrap().duplicate_of,
        twin.duplicate_of
    );
}

#[test]
fn unknown_ids_are_not_found() {
    let kb = sample();
    assert!(matches!(
        kb.engine.doc("0000000000000000"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        kb.engine.similar("../etc/passwd", 5),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn similar_documents_exclude_the_document_itself() {
    let kb = sample();
    let similar = kb.engine.similar(&kb.docs[0].id, 5).unwrap();
    assert!(!similar.is_empty());
    assert!(similar.iter().all(|h| h.id != kb.docs[0].id));
    assert_eq!(
        similar[0].id, kb.docs[3].id,
        "the other 巡逻/视频 case ranks first"
    );
}

#[test]
fn an_open_engine_follows_a_rebuild_without_reopening() {
    let kb = sample();
    assert_eq!(kb.engine.document_count(), 4);
    build_index(kb._dir.path(), &kb.docs[..1]).unwrap();
    assert_eq!(kb.engine.document_count(), 1);
}

#[test]
fn measure_counts_cover_the_whole_taxonomy() {
    let kb = sample();
    let counts = kb.engine.measure_counts().unwrap();
    assert_eq!(counts.len(), 20);
    assert!(counts.contains(&("video".to_string(), 2)));
    assert!(counts.contains(&("service".to_string(), 0)));
}

#[test]
fn an_open_engine_answers_from_each_new_generation_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let titles = ["酒泉市无人机巡逻", "张掖市网格员巡逻", "兰州市视频巡逻"];
    build_index(dir.path(), &[doc(0, titles[0], "巡逻。")]).unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    // Rebuilds right after each other: `CURRENT` is replaced by a file of the same length
    // each time, and the engine only looks at it when its stamp changes.
    for (n, title) in titles.iter().enumerate().skip(1) {
        build_index(dir.path(), &[doc(n, title, "巡逻。")]).unwrap();
        let response = engine.search(&SearchRequest::new("巡逻")).unwrap();
        let found: Vec<&str> = response.hits.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(found, [*title]);
    }
}

#[test]
fn an_open_engine_reads_hits_from_segments_committed_after_it_opened() {
    let dir = tempfile::tempdir().unwrap();
    build_index(dir.path(), &[doc(0, "酒泉市无人机巡逻", "无人机巡逻。")]).unwrap();
    let engine = Engine::open(dir.path()).unwrap();
    let first = engine.search(&SearchRequest::new("巡逻")).unwrap();
    assert_eq!(first.hits.len(), 1);
    // Incremental commits in the same generation add segments; each hit's text comes from
    // its own segment's doc store.
    for (n, title) in ["张掖市网格员巡逻", "兰州市视频巡逻"].iter().enumerate() {
        let (mut update, manifest) = IndexUpdate::open(dir.path(), false, true).unwrap();
        let text = format!("{title}，第{}批。", n + 2);
        update.add(&doc(n + 1, title, &text)).unwrap();
        update.commit(&manifest).unwrap();
        let response = engine
            .search(&SearchRequest::new(format!("第{}批", n + 2)))
            .unwrap();
        assert_eq!(response.hits.len(), 1, "{title}");
        assert_eq!(response.hits[0].title, *title);
        assert!(
            response.hits[0].snippet.contains("<mark>"),
            "{:?}",
            response.hits[0]
        );
    }
    let all = engine.search(&SearchRequest::new("巡逻")).unwrap();
    assert_eq!(all.total, 3);
}

#[test]
fn a_word_is_found_in_the_title_the_text_or_inside_a_longer_word_and_title_matches_rank_first() {
    let kb = kb(vec![
        doc(0, "视频巡查", "街面巡查。"),
        doc(1, "巡逻", "全县视频监控全覆盖。"),
        doc(2, "会议", "召开音视频会议。"),
        doc(3, "无关", "网格员巡逻。"),
        doc(4, "视频监控", "视频监控全覆盖。"),
    ]);
    assert_eq!(kb.ids("视频"), vec![0, 1, 2, 4]);
    let response = kb.engine.search(&SearchRequest::new("视频")).unwrap();
    assert_eq!(
        response.hits[0].id, kb.docs[4].id,
        "in the title and the text"
    );
    assert_eq!(response.total, 4);
}
