//! Integration tests: search that understands how people ask, through the real binary on a
//! temp corpus of case files — questions, relaxed queries that say what they relaxed,
//! synonyms (embedded and the user's file), traditional characters, short region names.

use serde_json::Value;

use crate::common::server::Server;
use crate::common::workspace::Workspace;

const MEDIATION: &str = "宁波市人民调解工作经验\n\
    宁波市海曙区推行社区人民调解，调解员上门化解邻里纠纷，邻里纠纷调解成功率达到百分之九十八。\n\
    社区设立调解室，家庭纠纷、物业纠纷就地化解。\n";
const GRID: &str = "浙江省网格化服务管理条例\n\
    第一条 为了规范网格化服务管理工作，提升基层治理水平，制定本条例。\n\
    第二条 网格员负责信息采集、矛盾排查和便民服务。\n";
const RIDERS: &str = "上海市浦东新区新就业形态劳动者权益保障\n\
    浦东新区建立外卖骑手服务站，为快递员、网约车司机等新就业形态劳动者提供休息场所和法律援助，\
    推动平台企业为劳动者缴纳职业伤害保障。\n";
const DRONES: &str = "南京市无人驾驶航空器管理办法\n\
    南京市对无人驾驶航空器实行实名登记，南京市公安机关负责查处在机场净空保护区内飞行的行为。\n";
const PATROL: &str = "酒泉市无人机巡逻\n\
    酒泉市公安局用无人机巡逻边远村庄，学校门口设置一键报警装置。\n酒泉市公安局\n2023年5月10日\n";
const TRADITIONAL: &str = "楓橋經驗在新時代的發展\n\
    堅持和發展新時代「楓橋經驗」，推進網格化管理，矛盾不上交。\n";

fn corpus() -> Workspace {
    let ws = Workspace::new();
    ws.write("cases/mediation.txt", MEDIATION.as_bytes());
    ws.write("laws/grid.txt", GRID.as_bytes());
    ws.write("cases/riders.txt", RIDERS.as_bytes());
    ws.write("laws/drones.txt", DRONES.as_bytes());
    ws.write("cases/traditional.txt", TRADITIONAL.as_bytes());
    ws.write("cases/patrol.txt", PATROL.as_bytes());
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_failed"], 0, "{summary}");
    ws
}

fn search(ws: &Workspace, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    ws.json(&all)
}

fn titles(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn questions_as_people_type_them_find_documents() {
    let ws = corpus();
    let body = search(&ws, &["怎样调解邻里纠纷"]);
    assert_eq!(titles(&body)[0], "宁波市人民调解工作经验", "{body}");
    // The question words are not searched for, and not marked.
    let snippet = body["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>邻里纠纷</mark>"), "{snippet}");
    assert!(!snippet.contains("<mark>怎样"), "{snippet}");
    let body = search(&ws, &["哪些地方出台了网格化服务管理条例"]);
    assert_eq!(titles(&body)[0], "浙江省网格化服务管理条例", "{body}");
    let body = search(&ws, &["如何保障外卖骑手等新就业形态劳动者权益"]);
    assert_eq!(
        titles(&body)[0],
        "上海市浦东新区新就业形态劳动者权益保障",
        "{body}"
    );
    // A query of nothing but question words still searches for them.
    let body = search(&ws, &["如何"]);
    assert_eq!(body["total"], 0, "{body}");
}

#[test]
fn a_relaxed_query_ranks_complete_matches_first_and_says_what_it_relaxed() {
    let ws = corpus();
    // Only the grid regulation holds 矛盾 and 网格员; the Fengqiao case (矛盾 alone) follows
    // it, and the response names the word that did not have to match.
    let body = search(&ws, &["矛盾 网格员"]);
    assert_eq!(
        titles(&body),
        vec!["浙江省网格化服务管理条例", "楓橋經驗在新時代的發展"],
        "{body}"
    );
    assert_eq!(strings(&body["relaxed"]), vec!["网格员"], "{body}");
    assert_eq!(body["complete"], 1, "{body}");
    // Every word in every hit: nothing relaxed.
    let body = search(&ws, &["网格员 矛盾排查"]);
    assert_eq!(titles(&body), vec!["浙江省网格化服务管理条例"]);
    assert_eq!(strings(&body["relaxed"]), Vec::<String>::new());
    assert_eq!(body["complete"], 1);
    // A quoted phrase is never relaxed, and an excluded word never comes back.
    let body = search(&ws, &["矛盾 \"网格员\""]);
    assert_eq!(titles(&body), vec!["浙江省网格化服务管理条例"], "{body}");
    let body = search(&ws, &["矛盾 网格员 -坚持"]);
    assert_eq!(titles(&body), vec!["浙江省网格化服务管理条例"], "{body}");
}

#[test]
fn short_region_names_filter_alike_on_the_command_line_and_over_http() {
    let ws = corpus();
    let paths = |body: &Value| -> Vec<String> {
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["region"]["path"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let body = search(&ws, &["", "--region", "江苏"]);
    assert_eq!(paths(&body), vec!["江苏省/南京市"], "{body}");
    let body = search(&ws, &["", "--region", "宁波"]);
    assert_eq!(paths(&body), vec!["浙江省/宁波市/海曙区"], "{body}");
    // A municipality is its own city level in the tags: 浦东 is 上海市/上海市/浦东新区.
    let body = search(&ws, &["", "--region", "浦东"]);
    assert_eq!(paths(&body), vec!["上海市/上海市/浦东新区"], "{body}");
    let body = search(&ws, &["", "--region", "上海市/浦东新区"]);
    assert_eq!(body["total"], 1, "{body}");
    let server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));
    for (short, full) in [("江苏", "江苏省/南京市"), ("宁波", "浙江省/宁波市/海曙区")]
    {
        let q = format!("/api/search?region={}", percent(short));
        let body = server.json(&q);
        assert_eq!(paths(&body), vec![full], "{body}");
    }
    // Facets list the children of the resolved path.
    let body = server.json(&format!("/api/search?region={}", percent("江苏")));
    assert_eq!(body["facets"]["region"][0]["value"], "南京市", "{body}");
    // A name of several places asks which one, on both sides.
    let response = server.get(&format!("/api/search?region={}", percent("鼓楼区")));
    assert_eq!(response.status, 400);
    let output = ws.run(&["search", "", "--region", "鼓楼区", "--json"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("鼓楼区"));
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn traditional_and_simplified_characters_find_each_other_marked_as_written() {
    let ws = corpus();
    // A traditional query finds the simplified regulation.
    let body = search(&ws, &["網格化服務管理條例"]);
    assert_eq!(titles(&body)[0], "浙江省网格化服务管理条例", "{body}");
    let snippet = body["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>网格化</mark>"), "{snippet}");
    // A simplified query finds the traditional text; the marks are on its own characters.
    let body = search(&ws, &["枫桥经验"]);
    assert_eq!(titles(&body), vec!["楓橋經驗在新時代的發展"], "{body}");
    let snippet = body["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("「<mark>楓橋經驗</mark>」"), "{snippet}");
    // Mixed scripts in one query; the traditional case holds both words.
    let body = search(&ws, &["楓橋經驗 网格化管理"]);
    assert_eq!(titles(&body)[0], "楓橋經驗在新時代的發展", "{body}");
    assert_eq!(body["complete"], 1, "{body}");
    let snippet = body["hits"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>網格化管理</mark>"), "{snippet}");
}

#[test]
fn synonyms_find_other_words_for_the_same_thing_ranked_a_little_below_and_marked() {
    let ws = corpus();
    // 无人驾驶航空器 is the legal word for 无人机: both documents, the word itself first.
    let body = search(&ws, &["无人机"]);
    assert_eq!(
        titles(&body),
        vec!["酒泉市无人机巡逻", "南京市无人驾驶航空器管理办法"],
        "{body}"
    );
    let snippet = body["hits"][1]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>无人驾驶航空器</mark>"), "{snippet}");
    let body = search(&ws, &["无人驾驶航空器"]);
    assert_eq!(titles(&body)[0], "南京市无人驾驶航空器管理办法", "{body}");
    assert_eq!(body["total"], 2, "{body}");
}

#[test]
fn the_user_s_synonym_file_is_read_without_re_indexing_and_re_read_when_it_changes() {
    let ws = corpus();
    let server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));
    let total = |q: &str| server.json(&format!("/api/search?q={}", percent(q)))["total"].clone();
    assert_eq!(total("紧急呼叫"), 0);
    ws.write(
        "zhili-synonyms.toml",
        "groups = [[\"紧急呼叫\", \"一键报警\"]]\n".as_bytes(),
    );
    assert_eq!(total("紧急呼叫"), 1);
    let body = search(&ws, &["紧急呼叫"]);
    assert_eq!(titles(&body), vec!["酒泉市无人机巡逻"], "{body}");
    // Changed: the old group is gone, the new one applies.
    ws.write(
        "zhili-synonyms.toml",
        "groups = [[\"求助装置\", \"一键报警\"]]\n".as_bytes(),
    );
    assert_eq!(total("紧急呼叫"), 0);
    assert_eq!(total("求助装置"), 1);
    // A file that does not parse is a message a user can act on, not a crash.
    ws.write("zhili-synonyms.toml", b"groups = 3\n");
    let response = server.get(&format!("/api/search?q={}", percent("巡逻")));
    assert_eq!(response.status, 400, "{}", response.text());
    assert!(
        response.text().contains("zhili-synonyms.toml"),
        "{}",
        response.text()
    );
}

#[test]
fn a_title_that_names_most_of_the_topic_ranks_its_document_first() {
    let ws = Workspace::new();
    // The regulation's title holds three of the four words of 社区网格化服务管理; the other
    // text repeats the whole run and says little else.
    ws.write(
        "laws/binzhou.txt",
        "滨州市社会治理网格化服务管理条例\n\
         第一条 为了推进社区网格化服务管理，规范网格员的职责，制定本条例。\n\
         第二条 网格员负责信息采集、矛盾排查和便民服务，街道办事处统筹网格工作。\n"
            .as_bytes(),
    );
    ws.write(
        "laws/streets.txt",
        "某市街道办事处条例\n\
         第一条 街道办事处推进社区网格化服务管理，社区网格化服务管理纳入街道考核。\n\
         第二条 街道办事处负责辖区的公共服务、综合管理和平安建设工作。\n"
            .as_bytes(),
    );
    // A title that holds half the words does not name the topic: 调解 is not 行政调解.
    ws.write(
        "laws/people.txt",
        "某市人民调解规定\n\
         第一条 人民调解委员会调解民间纠纷，行政调解另有规定的，依照其规定。\n\
         第二条 调解员应当公正调解，调解协议应当书面记录，当事人应当履行调解协议。\n"
            .as_bytes(),
    );
    ws.write(
        "laws/administrative.txt",
        "某县政府部门工作规定\n\
         第一条 政府部门对职责范围内的民事纠纷开展行政调解。\n\
         第二条 行政调解达成协议的，政府部门制作行政调解书，当事人应当履行。\n"
            .as_bytes(),
    );
    let summary = ws.json(&["ingest", "--json"]);
    assert_eq!(summary["files_failed"], 0, "{summary}");
    let body = search(&ws, &["社区网格化服务管理"]);
    assert_eq!(
        titles(&body),
        vec!["滨州市社会治理网格化服务管理条例", "某市街道办事处条例"],
        "{body}"
    );
    let body = search(&ws, &["行政调解"]);
    assert_eq!(
        titles(&body),
        vec!["某县政府部门工作规定", "某市人民调解规定"],
        "{body}"
    );
}

#[test]
fn facets_count_the_documents_without_a_region_or_a_year() {
    let ws = corpus();
    let body = search(&ws, &[""]);
    let facets = &body["facets"];
    // The Fengqiao text names no place; only the patrol case says when it was written.
    assert_eq!(facets["region_unknown"], 1, "{facets}");
    assert_eq!(facets["year_unknown"], 5, "{facets}");
    assert_eq!(facets["year"][0]["value"], 2023, "{facets}");
    // Counted like the other facets: with the query and every other filter.
    let body = search(&ws, &["网格化"]);
    assert_eq!(body["facets"]["region_unknown"], 1, "{body}");
    let body = search(&ws, &["网格化", "--region", "浙江"]);
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["facets"]["region_unknown"], 1, "{body}");
    assert_eq!(body["facets"]["year_unknown"], 1, "{body}");
}

#[test]
fn the_terminal_output_says_where_the_relaxed_results_begin() {
    let ws = corpus();
    let output = ws.run(&["search", "矛盾 网格员"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let note = text.find("以下结果未包含：网格员").expect("the note");
    assert!(
        text.find("浙江省网格化服务管理条例").unwrap() < note,
        "{text}"
    );
    assert!(
        note < text.find("楓橋經驗在新時代的發展").unwrap(),
        "{text}"
    );
}
