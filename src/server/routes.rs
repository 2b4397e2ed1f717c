//! The routes of spec/api.md's HTTP section and the embedded page. Each handler parses its
//! parameters (params.rs), runs the Engine call in `web::block`, and answers JSON; errors go
//! through `error::ApiError`. No status codes here.

use std::sync::Arc;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Resource, Responder, guard, web};
use serde::Serialize;

use super::error::{self, ApiError};
use super::export_body::ExportBody;
use super::params::{self, ViewFormat};
use crate::model::CaseDoc;
use crate::render::feed;
use crate::render::table;
use crate::search::compare::compare as compare_docs;
use crate::search::{Engine, Extras, Origin, RawRequest, SearchResponse};
use crate::taxonomy::Taxonomy;

const INDEX_HTML: &str = include_str!("../../web/index.html");
const APP_JS: &str = include_str!("../../web/app.js");
const STYLE_CSS: &str = include_str!("../../web/style.css");

type Data = web::Data<Arc<Engine>>;
type Answer = Result<HttpResponse, ApiError>;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(read_only("/", page))
        .service(read_only("/index.html", page))
        .service(read_only("/app.js", app_js))
        .service(read_only("/style.css", style_css))
        .service(read_only("/favicon.ico", favicon))
        .service(read_only("/api/health", health))
        .service(read_only("/api/measures", measures))
        .service(read_only("/api/search", search))
        .service(read_only("/api/compare", compare))
        .service(read_only("/api/export", export))
        .service(read_only("/api/pivot", pivot))
        .service(read_only("/api/precedents", precedents))
        .service(read_only("/api/feed", feed))
        .service(read_only("/api/docs/{id}", doc))
        .service(read_only("/api/docs/{id}/similar", similar));
}

/// `path` answered by `handler` on GET and HEAD (actix sends no body for HEAD); any other
/// method is a JSON 405.
fn read_only<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(
            web::route()
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .to(handler),
        )
        .default_service(web::to(error::method_not_allowed))
}

/// Runs `f` with the engine on the blocking pool.
async fn blocking<T, F>(data: &Data, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Engine) -> crate::Result<T> + Send + 'static,
{
    let engine = Arc::clone(data.get_ref());
    Ok(web::block(move || f(&engine)).await??)
}

fn json<T: Serialize>(value: &T) -> Answer {
    let body = serde_json::to_string(value).map_err(crate::Error::from)?;
    Ok(error::ok()
        .insert_header((CONTENT_TYPE, "application/json; charset=utf-8"))
        .body(body))
}

fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, ApiError> {
    Ok(params::pairs(req.query_string())?)
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    error::ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body)
}

async fn page() -> HttpResponse {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style_css() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

async fn favicon() -> HttpResponse {
    error::no_content()
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    documents: u64,
    /// The index generation being served.
    generation: Option<String>,
    last_ingest: Option<crate::index::LastIngest>,
}

async fn health(data: Data) -> Answer {
    let health = blocking(&data, |engine| {
        Ok(Health {
            status: "ok",
            documents: engine.document_count(),
            generation: engine.generation(),
            last_ingest: engine.last_ingest(),
        })
    })
    .await?;
    json(&health)
}

#[derive(Serialize)]
struct MeasureEntry<'a> {
    id: &'a str,
    group: &'a str,
    label: &'a str,
    scope: &'a str,
    count: u64,
}

#[derive(Serialize)]
struct GroupEntry<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct MeasuresBody<'a> {
    groups: Vec<GroupEntry<'a>>,
    measures: Vec<MeasureEntry<'a>>,
}

async fn measures(data: Data) -> Answer {
    let counts = blocking(&data, |engine| engine.measure_counts()).await?;
    let taxonomy = Taxonomy::get();
    let count_of = |id: &str| counts.iter().find(|(m, _)| m == id).map_or(0, |(_, n)| *n);
    json(&MeasuresBody {
        groups: taxonomy
            .groups
            .iter()
            .map(|g| GroupEntry {
                id: &g.id,
                label: &g.label,
            })
            .collect(),
        measures: taxonomy
            .measures
            .iter()
            .map(|m| MeasureEntry {
                id: &m.id,
                group: &m.group,
                label: &m.label,
                scope: &m.scope,
                count: count_of(&m.id),
            })
            .collect(),
    })
}

async fn search(req: HttpRequest, data: Data) -> Answer {
    let request = params::search_request(&query_pairs(&req)?)?;
    let response: SearchResponse = blocking(&data, move |engine| engine.search(&request)).await?;
    json(&response)
}

fn checked_id(id: &str) -> Result<String, ApiError> {
    if params::is_plausible_id(id) {
        Ok(id.to_string())
    } else {
        Err(ApiError::not_found(format!("没有编号为“{id}”的文档")))
    }
}

async fn doc(path: web::Path<String>, data: Data) -> Answer {
    let id = checked_id(&path.into_inner())?;
    let doc: CaseDoc = blocking(&data, move |engine| engine.doc(&id)).await?;
    json(&doc)
}

async fn similar(req: HttpRequest, path: web::Path<String>, data: Data) -> Answer {
    let id = checked_id(&path.into_inner())?;
    let limit = params::similar_limit(&query_pairs(&req)?)?;
    let hits = blocking(&data, move |engine| {
        engine.doc(&id)?;
        engine.similar(&id, limit)
    })
    .await?;
    json(&hits)
}

async fn compare(req: HttpRequest, data: Data) -> Answer {
    let pairs = query_pairs(&req)?;
    let ids = params::compare_ids(&pairs)?;
    let format = params::view_format(
        &pairs,
        &[
            ViewFormat::Json,
            ViewFormat::Docx,
            ViewFormat::Csv,
            ViewFormat::Md,
        ],
    )?;
    let measures = params::compare_measures(&pairs)?;
    for id in &ids {
        checked_id(id)?;
    }
    let docs = blocking(&data, move |engine| {
        ids.iter()
            .map(|id| engine.doc(id))
            .collect::<crate::Result<Vec<_>>>()
    })
    .await?;
    let mut comparison = compare_docs(&docs);
    comparison.keep_measures(&measures);
    match format {
        ViewFormat::Json => json(&comparison),
        ViewFormat::Docx => word_file(
            "zhili-compare.docx",
            crate::render::docx::comparison(&comparison)?,
        ),
        ViewFormat::Csv => download(
            "zhili-compare.csv",
            "text/csv; charset=utf-8",
            table::comparison_csv(&comparison)
                .map_err(|e| crate::Error::io("cannot write the comparison as CSV", e))?,
        ),
        ViewFormat::Md => download(
            "zhili-compare.md",
            "text/markdown; charset=utf-8",
            table::comparison_markdown(&comparison).into_bytes(),
        ),
    }
}

/// A Word file to download as `name`.
fn word_file(name: &str, bytes: Vec<u8>) -> Answer {
    download(name, crate::render::docx::CONTENT_TYPE, bytes)
}

/// A file of `content_type` to download as `name`.
fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Answer {
    Ok(error::ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

async fn export(req: HttpRequest, data: Data) -> Answer {
    let pairs = query_pairs(&req)?;
    let request = params::search_request(&pairs)?;
    let format = params::export_format(&pairs)?;
    let matching = blocking(&data, move |engine| {
        engine.matching(&request, params::MAX_EXPORT)
    })
    .await?;
    let body = ExportBody::new(format, matching)?;
    Ok(error::ok()
        .insert_header((CONTENT_TYPE, format.content_type()))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", format.file_name()),
        ))
        .body(body))
}

async fn pivot(req: HttpRequest, data: Data) -> Answer {
    let pairs = query_pairs(&req)?;
    let request = params::search_request(&pairs)?;
    let (rows, cols) = params::pivot_axes(&pairs)?;
    let table = blocking(&data, move |engine| engine.pivot(&request, rows, cols)).await?;
    json(&table)
}

async fn precedents(req: HttpRequest, data: Data) -> Answer {
    let pairs = query_pairs(&req)?;
    let request = params::search_request(&pairs)?;
    let format = params::view_format(&pairs, &[ViewFormat::Json, ViewFormat::Docx])?;
    let found = blocking(&data, move |engine| engine.precedents(&request)).await?;
    if format == ViewFormat::Json {
        return json(&found);
    }
    word_file(
        "zhili-precedents.docx",
        crate::render::docx::precedents(&found)?,
    )
}

async fn feed(req: HttpRequest, data: Data) -> Answer {
    let pairs = query_pairs(&req)?;
    let mut raw = RawRequest::from_pairs(&pairs);
    raw.sort = Some("added".to_string());
    raw.per_page
        .get_or_insert_with(|| feed::DEFAULT_ENTRIES.to_string());
    let request = raw.validate(Origin::Http).map_err(crate::Error::from)?;
    let asked = request.clone();
    // A feed shows no facets: they are not counted.
    let extras = Extras {
        facets: false,
        snippets: true,
    };
    let response = blocking(&data, move |engine| engine.search_with(&request, extras)).await?;
    let info = req.connection_info();
    let base = format!("{}://{}", info.scheme(), info.host());
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or("/api/feed", |p| p.as_str());
    let address = feed::Address {
        base: &base,
        path_and_query,
    };
    Ok(error::ok()
        .insert_header((CONTENT_TYPE, feed::CONTENT_TYPE))
        .body(feed::atom(&asked, &response, &address)))
}
