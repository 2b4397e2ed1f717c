//! Crawl stage, one URL end to end: robots.txt → conditional GET (each redirect checked against
//! the robots.txt of the host it leads to before it is followed) → type and charset → article
//! extraction → save (or skip when unchanged).
//!
//! Input: a URL. Output: what happened to it ([`Outcome`]) and the links it offers. Writes only
//! the URL's own slot under the out dir, and only when the content changed.

use std::time::Duration;

use url::Url;

use super::CrawlOptions;
use super::address::check_url;
use super::charset::{self, Decoded};
use super::fetch::{Fetched, Fetcher, Validators};
use super::robots::RobotsCache;
use super::store::{self, PageMeta, Slot};
use crate::ingest::article::{self, Article};

pub(super) struct Context<'a> {
    pub options: &'a CrawlOptions,
    pub fetcher: &'a Fetcher,
    pub robots: &'a RobotsCache,
}

#[derive(Debug, PartialEq)]
pub(super) enum Outcome {
    Saved(std::path::PathBuf),
    Unchanged,
    /// Fetched fine but not an article (a listing page): nothing stored.
    Skipped,
    Failed(String),
}

pub(super) struct PageResult {
    pub outcome: Outcome,
    pub links: Vec<Url>,
    pub crawl_delay: Option<Duration>,
}

const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

enum Kind {
    Html,
    Docx,
    Other(String),
}

/// Crawls one URL; never panics on what a server sends.
pub(super) fn process(ctx: &Context, url: &Url, want_links: bool) -> PageResult {
    let mut result = PageResult {
        outcome: Outcome::Skipped,
        links: Vec::new(),
        crawl_delay: None,
    };
    result.outcome = match crawl_page(ctx, url, want_links, &mut result) {
        Ok(outcome) => outcome,
        Err(reason) => Outcome::Failed(reason),
    };
    result
}

fn crawl_page(
    ctx: &Context,
    url: &Url,
    want_links: bool,
    result: &mut PageResult,
) -> Result<Outcome, String> {
    let options = ctx.options;
    check_url(url, options.allow_private)?;
    let rules = ctx.robots.rules(ctx.fetcher, url)?;
    result.crawl_delay = rules.delay();
    rules.check(url)?;
    let stored = store::existing(&options.out, url);
    let validators = stored
        .as_ref()
        .map(|(_, meta)| Validators {
            etag: meta.etag.clone(),
            last_modified: meta.last_modified.clone(),
        })
        .unwrap_or_default();
    // Each redirect target is checked against its own host's robots.txt before it is asked.
    let fetched = ctx.fetcher.get_checked(url, &validators, |next| {
        ctx.robots.rules(ctx.fetcher, next)?.check(next)
    })?;
    if fetched.status == 304 {
        let Some((slot, meta)) = stored else {
            return Err("HTTP 304 Not Modified, but there is no stored copy".to_string());
        };
        if want_links {
            result.links = stored_links(&slot, &meta);
        }
        return Ok(Outcome::Unchanged);
    }
    if !(200..300).contains(&fetched.status) {
        return Err(status_reason(fetched.status));
    }
    let hash = blake3::hash(&fetched.body).to_hex().to_string();
    let unchanged = stored
        .as_ref()
        .is_some_and(|(_, meta)| meta.content_hash == hash);
    match kind(&fetched, url) {
        Kind::Other(mime) => Err(format!("not HTML ({mime}): skipped")),
        Kind::Docx if unchanged => Ok(Outcome::Unchanged),
        Kind::Docx => save_docx(ctx, url, &fetched, hash),
        Kind::Html => {
            let decoded = charset::decode_html(&fetched.body, fetched.content_type.as_deref())?;
            let article = article::extract(&decoded.text, Some(&fetched.final_url));
            if want_links {
                result.links = article.links.clone();
            }
            if unchanged {
                Ok(Outcome::Unchanged)
            } else if !article.is_article() {
                Ok(Outcome::Skipped)
            } else {
                save_html(ctx, url, &fetched, &decoded, article, hash)
            }
        }
    }
}

fn status_reason(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    format!("HTTP {status} {reason}").trim_end().to_string()
}

fn kind(fetched: &Fetched, url: &Url) -> Kind {
    let mime = fetched
        .content_type
        .as_deref()
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let body = &fetched.body;
    let zip = body.starts_with(b"PK\x03\x04");
    let docx_name = url.path().to_ascii_lowercase().ends_with(".docx");
    match mime.as_str() {
        "text/html" | "application/xhtml+xml" => Kind::Html,
        DOCX_MIME => Kind::Docx,
        "application/octet-stream" | "application/zip" | "" if zip && docx_name => Kind::Docx,
        "" | "text/plain" | "application/octet-stream" if sniff_html(body) => Kind::Html,
        "" => Kind::Other("no content type".to_string()),
        _ => Kind::Other(mime),
    }
}

fn sniff_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.contains("<head")
}

fn base_meta(url: &Url, fetched: &Fetched, hash: String) -> PageMeta {
    PageMeta {
        url: url.to_string(),
        final_url: fetched.final_url.to_string(),
        fetched_at: store::now_rfc3339(),
        status: fetched.status,
        etag: fetched.etag.clone(),
        last_modified: fetched.last_modified.clone(),
        content_hash: hash,
        content_type: fetched.content_type.clone(),
        ..PageMeta::default()
    }
}

fn save_html(
    ctx: &Context,
    url: &Url,
    fetched: &Fetched,
    decoded: &Decoded,
    article: Article,
    hash: String,
) -> Result<Outcome, String> {
    let slot = store::slot_for(&ctx.options.out, url, "html");
    let reencoded =
        !charset::is_utf8(&decoded.charset) || charset::meta_declares_non_utf8(&fetched.body);
    let bytes = if reencoded {
        charset::to_utf8_html(&decoded.text).into_bytes()
    } else {
        fetched.body.clone()
    };
    let meta = PageMeta {
        title: article.title,
        published: article
            .published
            .or_else(|| article::date_in_url(fetched.final_url.path())),
        source: article.source,
        charset: Some(decoded.charset.clone()),
        stored_charset: Some("utf-8".to_string()),
        reencoded,
        text: article.text,
        ..base_meta(url, fetched, hash)
    };
    save(&slot, &bytes, &meta)
}

fn save_docx(ctx: &Context, url: &Url, fetched: &Fetched, hash: String) -> Result<Outcome, String> {
    let slot = store::slot_for(&ctx.options.out, url, "docx");
    let meta = PageMeta {
        published: article::date_in_url(url.path()),
        ..base_meta(url, fetched, hash)
    };
    save(&slot, &fetched.body, &meta)
}

fn save(slot: &Slot, bytes: &[u8], meta: &PageMeta) -> Result<Outcome, String> {
    store::save(slot, bytes, meta).map_err(|err| format!("cannot save: {err}"))?;
    Ok(Outcome::Saved(slot.file.clone()))
}

/// Links of a stored copy (for a page that answered 304).
fn stored_links(slot: &Slot, meta: &PageMeta) -> Vec<Url> {
    if slot.file.extension().is_none_or(|ext| ext != "html") {
        return Vec::new();
    }
    let (Ok(bytes), Ok(base)) = (std::fs::read(&slot.file), Url::parse(&meta.final_url)) else {
        return Vec::new();
    };
    match charset::decode_html(&bytes, Some("text/html; charset=utf-8")) {
        Ok(decoded) => article::extract(&decoded.text, Some(&base)).links,
        Err(_) => Vec::new(),
    }
}
