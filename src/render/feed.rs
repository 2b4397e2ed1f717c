//! The Atom feed of a search (RFC 4287): its newest documents by when they were first
//! indexed, so a reader can subscribe to "new cases about 网格 in 浙江省". One entry per hit,
//! linking to the document on the page; measures and the region as categories.

use crate::model::Added;

use super::label::{measure_label, region_label};
use crate::search::snippet::escape;
use crate::search::types::{Hit, SearchRequest, SearchResponse};

pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
/// Entries in a feed unless the request asks for another number (`per_page`).
pub const DEFAULT_ENTRIES: usize = 20;

/// Where the feed lives: the service's address as the client reached it (`http://host:port`)
/// and the feed's own path with its query string.
pub struct Address<'a> {
    pub base: &'a str,
    pub path_and_query: &'a str,
}

/// The feed of `response`, the answer to `request` sorted by `added`.
pub fn atom(request: &SearchRequest, response: &SearchResponse, at: &Address) -> String {
    let self_url = format!("{}{}", at.base, at.path_and_query);
    let query = at.path_and_query.split_once('?').map_or("", |(_, q)| q);
    let page_url = format!("{}/?{query}", at.base);
    // The feed changed when its newest entry arrived; an empty feed is as new as the request.
    let updated = response
        .hits
        .iter()
        .filter_map(|hit| hit.added)
        .max()
        .unwrap_or_else(Added::now);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    push_element(&mut out, 1, "title", &title(request));
    push_element(&mut out, 1, "subtitle", "按收录时间排列，最新的在前");
    push_element(&mut out, 1, "id", &self_url);
    push_link(&mut out, 1, "self", "application/atom+xml", &self_url);
    push_link(&mut out, 1, "alternate", "text/html", &page_url);
    push_element(&mut out, 1, "updated", &updated.iso());
    out.push_str("  <author><name>zhili</name></author>\n");
    push_element(&mut out, 1, "generator", "zhili");
    for hit in &response.hits {
        push_entry(&mut out, hit, at.base);
    }
    out.push_str("</feed>\n");
    out
}

/// "zhili：网格 · 浙江省 · 网格化治理" — what the feed follows.
fn title(request: &SearchRequest) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !request.q().is_empty() {
        parts.push(request.q().to_string());
    }
    if let Some(region) = request.region() {
        parts.push(region.replace('/', ""));
    }
    for id in request.measures() {
        parts.push(measure_label(id).to_string());
    }
    match (request.year_from(), request.year_to()) {
        (Some(from), Some(to)) => parts.push(format!("{from}–{to}年")),
        (Some(from), None) => parts.push(format!("{from}年起")),
        (None, Some(to)) => parts.push(format!("{to}年止")),
        (None, None) => {}
    }
    if parts.is_empty() {
        "zhili：新收录的文档".to_string()
    } else {
        format!("zhili：{}", parts.join(" · "))
    }
}

fn push_entry(out: &mut String, hit: &Hit, base: &str) {
    out.push_str("  <entry>\n");
    push_element(out, 2, "title", &hit.title);
    // A tag URI (RFC 4151): the same whatever address the feed was read from.
    push_element(out, 2, "id", &format!("tag:zhili,2026:doc/{}", hit.id));
    push_link(
        out,
        2,
        "alternate",
        "text/html",
        &format!("{base}/?doc={}", hit.id),
    );
    if let Some(url) = &hit.source.url {
        push_link(out, 2, "via", "text/html", url);
    }
    let added = hit.added.unwrap_or(Added(0));
    push_element(out, 2, "updated", &added.iso());
    if let Some(published) = hit.source.published.as_deref().and_then(day_time) {
        push_element(out, 2, "published", &published);
    }
    if let Some(publisher) = &hit.source.publisher {
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            escape(publisher)
        ));
    }
    if let Some(path) = &hit.region.path {
        let label = region_label(&hit.region);
        push_category(out, &format!("{base}/region"), path, &label);
    }
    for id in &hit.measures {
        push_category(out, &format!("{base}/measure"), id, measure_label(id));
    }
    // The snippet is HTML (escaped text and <mark>): carried as escaped HTML.
    out.push_str(&format!(
        "    <summary type=\"html\">{}</summary>\n",
        escape(&hit.snippet)
    ));
    out.push_str("  </entry>\n");
}

/// `2021-04-06` → `2021-04-06T00:00:00Z`; a month alone is no Atom date.
fn day_time(published: &str) -> Option<String> {
    Added::day_start(published).map(Added::iso)
}

fn push_element(out: &mut String, depth: usize, name: &str, text: &str) {
    out.push_str(&format!(
        "{}<{name}>{}</{name}>\n",
        "  ".repeat(depth),
        escape(text)
    ));
}

fn push_link(out: &mut String, depth: usize, rel: &str, kind: &str, href: &str) {
    out.push_str(&format!(
        "{}<link rel=\"{rel}\" type=\"{kind}\" href=\"{}\"/>\n",
        "  ".repeat(depth),
        escape(href)
    ));
}

fn push_category(out: &mut String, scheme: &str, term: &str, label: &str) {
    out.push_str(&format!(
        "    <category scheme=\"{}\" term=\"{}\" label=\"{}\"/>\n",
        escape(scheme),
        escape(term),
        escape(label)
    ));
}
