//! Integration tests: server. The HTTP API in process (`actix_web::test` over
//! `server::configure`), the real binary on a loopback port, and the page in headless Chromium.
//! Fixtures: `tests/fixtures/server/docs.json` (hand-written CaseDocs, one with `<script>` and
//! `<img onerror>` in its title and text) indexed with `index::build_index`.

/// An in-process app over the fixture engine.
macro_rules! server_app {
    () => {
        actix_web::test::init_service(
            actix_web::App::new()
                .app_data(zhili::server::engine_data(crate::server_stage::engine()))
                .configure(zhili::server::configure),
        )
        .await
    };
}

/// `GET uri` against an app made by `server_app!`.
macro_rules! get {
    ($app:expr, $uri:expr) => {{
        let request = actix_web::test::TestRequest::get().uri($uri).to_request();
        crate::server_stage::reply(actix_web::test::call_service(&$app, request).await).await
    }};
}

mod api;
mod browser;
mod errors;
mod feed;
mod live;
mod views;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use serde_json::Value;
use zhili::model::CaseDoc;
use zhili::search::Engine;

use crate::common;
pub use crate::common::server::enc;

/// The fixture documents.
pub fn docs() -> Vec<CaseDoc> {
    let path = common::fixture("server/docs.json");
    let text = std::fs::read_to_string(&path).expect("fixture docs.json");
    serde_json::from_str(&text).expect("docs.json holds CaseDocs")
}

pub fn doc(id: &str) -> CaseDoc {
    docs().into_iter().find(|d| d.id == id).expect("fixture id")
}

/// An index of the fixture documents, built once per test process.
pub fn index_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("server_stage_index_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        zhili::index::build_index(&dir, &docs()).expect("fixture index builds");
        dir
    })
}

/// One engine over the fixture index, shared by the in-process tests.
pub fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| Arc::new(Engine::open(index_dir()).expect("engine opens"))))
}

pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!("not JSON ({err}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The `error` message of a 4xx body.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .expect("an error message")
            .to_string()
    }
}

pub async fn reply<B: MessageBody>(response: ServiceResponse<B>) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = actix_web::test::read_body(response).await;
    Reply {
        status,
        headers,
        body,
    }
}

/// Ids of a search body's hits.
pub fn hit_ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// `value → count` of one facet of a search body.
pub fn facet(body: &Value, name: &str) -> Vec<(String, u64)> {
    body["facets"][name]
        .as_array()
        .expect("facet")
        .iter()
        .map(|b| {
            let value = match &b["value"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (value, b["count"].as_u64().unwrap())
        })
        .collect()
}

/// Count of `value` in a facet (region values may be names or full paths: matched by the end).
pub fn count(body: &Value, name: &str, value: &str) -> u64 {
    facet(body, name)
        .into_iter()
        .find(|(v, _)| v == value || v.ends_with(&format!("/{value}")))
        .map_or(0, |(_, n)| n)
}

/// The text of `word/document.xml` in a `.docx` body.
pub fn word_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}
