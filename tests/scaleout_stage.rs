//! Scale-out path: `zhili export` (ndjson, es-bulk, quickwit, sphinxql) from a real ingest of
//! the seed corpus, and the shipped Elasticsearch mapping / Quickwit index config / Sphinx
//! configs checked against it; `sphinx`: the sphinxql export loaded into a live two-shard
//! Sphinx and queried through its distributed index.

mod sphinx;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common;
use crate::common::workspace::Workspace;

/// A workspace holding a copy of the project's seed corpus, ingested.
fn ingested_seeds() -> Workspace {
    let ws = Workspace::new();
    for entry in fs::read_dir(common::corpus()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            ws.write(&name, &fs::read(&path).unwrap());
        }
    }
    ws.json(&["ingest", "--json"]);
    ws
}

fn export(ws: &Workspace, args: &[&str]) -> String {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let output = ws.run(&all);
    assert!(
        output.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn lines(out: &str) -> Vec<Value> {
    assert!(out.is_empty() || out.ends_with('\n'), "no final newline");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `(_id, source)` pairs of an es-bulk body, checking it alternates action and source lines.
fn bulk_pairs(out: &str) -> Vec<(String, Value)> {
    let lines = lines(out);
    assert_eq!(lines.len() % 2, 0, "odd number of bulk lines");
    lines
        .chunks(2)
        .map(|pair| {
            let action = pair[0]["index"].as_object().expect("an index action line");
            assert_eq!(action["_index"], "cases");
            let id = action["_id"].as_str().unwrap().to_string();
            assert!(pair[1].get("index").is_none(), "two action lines in a row");
            assert_eq!(
                pair[1]["id"],
                id.as_str(),
                "_id differs from the document id"
            );
            (id, pair[1].clone())
        })
        .collect()
}

fn sorted(mut pairs: Vec<(String, Value)>) -> Vec<(String, Value)> {
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

#[test]
fn es_bulk_ids_are_unique_and_stable_across_runs_and_full_rebuilds() {
    let ws = ingested_seeds();
    let first = export(&ws, &["--format", "es-bulk"]);
    let pairs = bulk_pairs(&first);
    let ids: HashSet<&String> = pairs.iter().map(|(id, _)| id).collect();
    assert_eq!(ids.len(), pairs.len(), "duplicate _id");
    let searched = ws.json(&["search", "", "--json"]);
    assert_eq!(pairs.len() as u64, searched["total"].as_u64().unwrap());
    assert!(
        pairs.len() >= 4,
        "the seeds hold at least four canonical documents"
    );

    assert_eq!(
        export(&ws, &["--format", "es-bulk"]),
        first,
        "second run differs"
    );
    ws.json(&["ingest", "--full", "--json"]);
    let rebuilt = export(&ws, &["--format", "es-bulk"]);
    assert_eq!(sorted(bulk_pairs(&rebuilt)), sorted(pairs));
}

#[test]
fn every_document_round_trips_through_ndjson_and_filters_apply() {
    let ws = ingested_seeds();
    let docs = lines(&export(&ws, &[]));
    assert!(!docs.is_empty());
    for doc in &docs {
        let id = doc["id"].as_str().unwrap();
        assert_eq!(
            doc,
            &ws.json(&["show", id, "--json"]),
            "{id} differs from show"
        );
    }
    let province = docs
        .iter()
        .find_map(|d| d["region"]["province"].as_str())
        .expect("a seed with a province")
        .to_string();
    let filtered = lines(&export(&ws, &["--region", &province]));
    assert!(!filtered.is_empty() && filtered.len() <= docs.len());
    let expected = docs
        .iter()
        .filter(|d| d["region"]["province"] == province.as_str());
    assert_eq!(filtered.len(), expected.count());
}

#[test]
fn quickwit_lines_are_the_documents_plus_segmented_texts() {
    let ws = ingested_seeds();
    let docs = lines(&export(&ws, &[]));
    let quick = lines(&export(&ws, &["--format", "quickwit"]));
    assert_eq!(quick.len(), docs.len());
    for (q, doc) in quick.iter().zip(&docs) {
        let mut plain = q.as_object().unwrap().clone();
        for (field, source) in [("title_segmented", "title"), ("text_segmented", "text")] {
            let segmented = plain.remove(field).unwrap();
            let segmented = segmented.as_str().unwrap();
            assert!(!segmented.is_empty(), "{field} empty");
            assert!(
                segmented.split(' ').all(|w| !w.is_empty()),
                "{field}: {segmented}"
            );
            let original = doc[source].as_str().unwrap();
            let first = segmented.split(' ').next().unwrap();
            assert!(
                original.to_lowercase().contains(first),
                "{first} not in {source}"
            );
        }
        assert_eq!(&Value::Object(plain), doc);
    }
}

/// Dotted paths of every object key in `value` (array items walked; arrays add no segment).
fn key_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                key_paths(v, &path, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| key_paths(v, prefix, out)),
        _ => {}
    }
}

fn exported_paths(ws: &Workspace) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for doc in lines(&export(ws, &["--format", "quickwit"])) {
        key_paths(&doc, "", &mut paths);
    }
    paths
}

fn es_mapped(properties: &Value, path: &str) -> bool {
    let (head, rest) = path
        .split_once('.')
        .map_or((path, None), |(h, r)| (h, Some(r)));
    let Some(field) = properties.get(head) else {
        return false;
    };
    match rest {
        None => field.get("type").is_some() || field.get("properties").is_some(),
        // A disabled object is kept in `_source` whatever its keys (the evidence by measure).
        Some(_) if field["enabled"] == false => true,
        Some(rest) => field
            .get("properties")
            .is_some_and(|inner| es_mapped(inner, rest)),
    }
}

/// Mapped in Quickwit: the field itself, or a json field above it.
fn quickwit_mapped(mappings: &serde_yaml_ng::Value, path: &str) -> bool {
    let (head, rest) = path
        .split_once('.')
        .map_or((path, None), |(h, r)| (h, Some(r)));
    let Some(list) = mappings.as_sequence() else {
        return false;
    };
    let Some(field) = list.iter().find(|f| f["name"].as_str() == Some(head)) else {
        return false;
    };
    let kind = field["type"].as_str().unwrap_or_default();
    match rest {
        None => !kind.is_empty(),
        Some(_) if matches!(kind, "json" | "array<json>") => true,
        Some(rest) => kind == "object" && quickwit_mapped(&field["field_mappings"], rest),
    }
}

fn deploy(rel: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn elasticsearch_mapping_is_json_naming_every_exported_field() {
    let ws = ingested_seeds();
    let mapping: Value = serde_json::from_str(&deploy("elasticsearch/cases-mapping.json")).unwrap();
    let properties = &mapping["mappings"]["properties"];
    assert_eq!(mapping["mappings"]["dynamic"], "strict");
    let paths = exported_paths(&ws);
    for must in [
        "region.province",
        "source.path",
        "passages.text",
        "duplicates.path",
    ] {
        assert!(paths.contains(must), "the seeds' export lacks {must}");
    }
    for path in paths.iter().filter(|p| !p.ends_with("_segmented")) {
        assert!(
            es_mapped(properties, path),
            "{path} is not in the ES mapping"
        );
    }
    for path in ["title", "text", "passages.text"] {
        let mut field = properties;
        for part in path.split('.') {
            field = field
                .get(part)
                .or_else(|| field["properties"].get(part))
                .unwrap();
        }
        assert_eq!(field["analyzer"], "ik_max_word", "{path}");
        assert_eq!(field["search_analyzer"], "ik_smart", "{path}");
    }
    assert_eq!(
        properties["region"]["properties"]["path"]["type"],
        "keyword"
    );
    assert_eq!(properties["year"]["type"], "integer");
}

#[test]
fn quickwit_config_is_yaml_naming_every_exported_field() {
    let ws = ingested_seeds();
    let config: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&deploy("quickwit/cases-index.yaml")).unwrap();
    let mappings = &config["doc_mapping"]["field_mappings"];
    for path in exported_paths(&ws) {
        assert!(
            quickwit_mapped(mappings, &path),
            "{path} is not in the Quickwit config"
        );
    }
    let fields = mappings.as_sequence().unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"].as_str() == Some(name))
            .unwrap()
    };
    assert_eq!(
        field("text_segmented")["tokenizer"].as_str(),
        Some("whitespace")
    );
    assert_eq!(field("text")["stored"].as_bool(), Some(true));
    assert_eq!(field("year")["type"].as_str(), Some("i64"));
    assert_eq!(field("year")["fast"].as_bool(), Some(true));
    assert_eq!(field("measures")["tokenizer"].as_str(), Some("raw"));
}
