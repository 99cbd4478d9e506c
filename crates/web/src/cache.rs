//! A short-lived, per-instance cache of public pages for anonymous visitors.
//!
//! Portal pages are the same for every anonymous visitor, so a rendered page is kept for
//! [`TTL`] and served from memory, unless the service's content generation changed since (every
//! audited change on this instance, scheduled publications, and other instances' changes picked
//! up by the 30-second sync). Signed-in staff never get cached pages.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::session::Session;

const TTL: Duration = Duration::from_secs(10);
const MAX_ENTRIES: usize = 20_000;
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// A cached page: when, at which content generation, its type and body.
type Entry = (Instant, u64, HeaderValue, bytes::Bytes);

/// The cache; one per process.
#[derive(Debug, Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

fn cacheable(path: &str) -> bool {
    path == "/"
        || path == "/sitemap.xml"
        || path == "/search"
        || ["/agencies/", "/columns/", "/items/"]
            .iter()
            .any(|p| path.starts_with(p))
}

/// Serves cached public pages, stores fresh ones, and empties the cache on every change.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let resp = next.run(req).await;
        state.cache.clear();
        return resp;
    }
    let session = req
        .extensions()
        .get::<Session>()
        .cloned()
        .unwrap_or_default();
    if session.user().is_some() || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let key = format!("{}|{}", u8::from(session.care), req.uri());
    let generation = state.service.generation();
    if let Some((at, r#gen, ct, body)) = state.cache.lock().get(&key).cloned()
        && at.elapsed() < TTL
        && r#gen == generation
    {
        return ([(header::CONTENT_TYPE, ct)], Body::from(body)).into_response();
    }
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK || resp.headers().contains_key(header::SET_COOKIE) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(ct) = parts.headers.get(header::CONTENT_TYPE).cloned() {
        let mut pages = state.cache.lock();
        if pages.len() >= MAX_ENTRIES {
            pages.clear();
        }
        pages.insert(key, (Instant::now(), generation, ct, bytes.clone()));
    }
    Response::from_parts(parts, Body::from(bytes))
}
