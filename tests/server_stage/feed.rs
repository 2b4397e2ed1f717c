//! What is new: `added` (when a document was first indexed) through the real server, and the
//! Atom feed of a search (`/api/feed`), parsed as XML: newest first, each entry linking to
//! its document on the page.

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use super::enc;
use crate::common::server::{Response, Server, parse, send};
use crate::common::workspace::Workspace;

/// `GET target` as a browser sends it: `Host` names the port too.
fn browser_get(server: &Server, target: &str) -> Response {
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        server.port
    );
    let raw = send(
        server.port,
        request.as_bytes(),
        std::time::Duration::from_secs(60),
    )
    .unwrap();
    parse(&raw).0.into_iter().next().expect("a response")
}

/// What a reader needs of one Atom entry.
#[derive(Debug, Default, Clone)]
struct Entry {
    title: String,
    id: String,
    updated: String,
    link: String,
    categories: Vec<String>,
    summary: String,
}

/// The feed's own title, id, updated and self link, and its entries: parsing fails on XML
/// that is not well-formed.
#[derive(Debug, Default)]
struct Feed {
    title: String,
    id: String,
    updated: String,
    author: String,
    self_link: String,
    entries: Vec<Entry>,
}

fn parse_feed(xml: &str) -> Feed {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut feed = Feed::default();
    let mut path: Vec<String> = Vec::new();
    let mut entry: Option<Entry> = None;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match &event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_string();
                if name == "feed" {
                    let xmlns = start.try_get_attribute("xmlns").unwrap().unwrap();
                    assert_eq!(xmlns.value, "http://www.w3.org/2005/Atom");
                }
                if name == "entry" {
                    entry = Some(Entry::default());
                }
                path.push(name);
            }
            Event::Empty(empty) => {
                let attr = |name: &str| {
                    empty
                        .try_get_attribute(name)
                        .unwrap()
                        .map(|a| {
                            a.normalized_value(XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                        .unwrap_or_default()
                };
                match (empty.name().as_ref(), entry.as_mut()) {
                    ("link", Some(e)) if attr("rel") == "alternate" => e.link = attr("href"),
                    ("category", Some(e)) => e.categories.push(attr("term")),
                    ("link", None) if attr("rel") == "self" => feed.self_link = attr("href"),
                    _ => {}
                }
            }
            // Text arrives in pieces: runs of characters and, apart, each `&…;` reference.
            Event::Text(_) | Event::GeneralRef(_) => {
                let text = match event {
                    Event::Text(text) => text.xml10_content().into_owned(),
                    Event::GeneralRef(reference) => match reference.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => resolve_predefined_entity(&reference.xml10_content())
                            .expect("a predefined entity")
                            .to_string(),
                    },
                    _ => unreachable!(),
                };
                let at: Vec<&str> = path.iter().map(String::as_str).collect();
                match (at.as_slice(), entry.as_mut()) {
                    (["feed", "entry", field], Some(e)) => match *field {
                        "title" => e.title.push_str(&text),
                        "id" => e.id.push_str(&text),
                        "updated" => e.updated.push_str(&text),
                        "summary" => e.summary.push_str(&text),
                        _ => {}
                    },
                    (["feed", "title"], None) => feed.title.push_str(&text),
                    (["feed", "id"], None) => feed.id.push_str(&text),
                    (["feed", "updated"], None) => feed.updated.push_str(&text),
                    (["feed", "author", "name"], None) => feed.author.push_str(&text),
                    _ => {}
                }
            }
            Event::End(_) => {
                let closed = path.pop();
                if closed.as_deref() == Some("entry") {
                    feed.entries.push(entry.take().unwrap());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    feed
}

const A: &str = "临泽县网格化管理经验\n临泽县推行网格化管理，网格员每日走访，化解矛盾纠纷。\n";
const B: &str = "杭州市网格员队伍建设\n杭州市上城区配齐专职网格员，网格化服务管理覆盖全部社区。\n";
const C: &str = "校园安全防控\n学校落实一键报警，护学岗每日值守。\n";
const D: &str =
    "嘉兴市南湖区推行楼道长制度\n嘉兴市南湖区在网格下设楼道长，楼道长协助网格员排查隐患。\n";

#[test]
fn the_feed_of_a_search_lists_its_newest_documents_first_as_valid_atom() {
    let ws = Workspace::new();
    ws.write("a.txt", A.as_bytes());
    ws.write("b.txt", B.as_bytes());
    ws.write("c.txt", C.as_bytes());
    ws.json(&["ingest", "--json"]);
    // `added` counts seconds: the second run must start in a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ws.write("d.txt", D.as_bytes());
    ws.json(&["ingest", "--json"]);
    let server = Server::start(&ws.index(), &ws.corpus(), ws.dir.path().join("serve.log"));

    let target = format!("/api/feed?q={}", enc("网格"));
    let response = browser_get(&server, &target);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    let feed = parse_feed(&response.text());
    let titles: Vec<&str> = feed.entries.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "the three documents about 网格: {feed:?}");
    assert_eq!(titles[0], "嘉兴市南湖区推行楼道长制度", "the newest first");
    assert!(
        feed.entries
            .windows(2)
            .all(|w| w[0].updated >= w[1].updated),
        "newest first by added: {feed:?}"
    );
    assert_eq!(feed.title, "zhili：网格");
    assert_eq!(feed.author, "zhili");
    assert_eq!(
        feed.updated, feed.entries[0].updated,
        "as new as its newest entry"
    );
    assert_eq!(feed.self_link, server.url(&target));
    assert_eq!(feed.id, feed.self_link);
    let newest = &feed.entries[0];
    assert!(
        humantime::parse_rfc3339(&newest.updated).is_ok(),
        "{newest:?}"
    );
    let d = zhili::model::doc_id("d.txt", 0);
    assert_eq!(newest.id, format!("tag:zhili,2026:doc/{d}"));
    assert_eq!(newest.link, server.url(&format!("/?doc={d}")));
    assert!(
        newest.categories.contains(&"grid".to_string()),
        "{newest:?}"
    );
    assert!(
        newest
            .categories
            .iter()
            .any(|c| c.starts_with("浙江省/嘉兴市")),
        "{newest:?}"
    );
    assert!(
        newest.summary.contains("<mark>"),
        "the snippet, as HTML: {newest:?}"
    );
    // The entry's link opens the document's page.
    assert_eq!(server.get(&format!("/?doc={d}")).status, 200);

    // Filters work as in a search; the API's own sort=added agrees with the feed.
    let zhejiang =
        parse_feed(&browser_get(&server, &format!("{target}&region={}", enc("浙江"))).text());
    assert_eq!(zhejiang.entries.len(), 2, "{zhejiang:?}");
    assert_eq!(zhejiang.title, "zhili：网格 · 浙江省");
    let body = server.json(&format!("/api/search?q={}&sort=added", enc("网格")));
    assert_eq!(body["hits"][0]["id"], d, "{body}");
    assert!(
        body["hits"][0]["added"].as_str().unwrap() > body["hits"][2]["added"].as_str().unwrap()
    );
    let day = &body["hits"][2]["added"].as_str().unwrap()[..10];
    let since = server.json(&format!("/api/search?added_from={day}"));
    assert_eq!(since["total"], 4, "{since}");
    let later = server.json("/api/search?added_from=2999-01-01");
    assert_eq!(later["total"], 0);
    assert!(
        parse_feed(&server.get("/api/feed?added_from=2999-01-01").text())
            .entries
            .is_empty()
    );

    let bad = server.get("/api/feed?added_from=yesterday");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("added_from"));
}
