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
/// Memory budget of the cache; when full it starts again empty.
const MAX_BYTES: usize = 32 * 1024 * 1024;
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// A cached page: when, at which content generation, its type and body.
type Entry = (Instant, u64, HeaderValue, bytes::Bytes);

/// The cache; one per process.
#[derive(Debug, Default)]
pub struct PageCache {
    pages: Mutex<HashMap<String, Entry>>,
    bytes: std::sync::atomic::AtomicUsize,
    /// Site name and 网站标识码, for every public page.
    pub site: Memo<(String, Option<String>)>,
    /// The choices of the search form: columns (id, label), 主题分类, 发布机构.
    pub search_choices: Memo<SearchChoices>,
}

/// The choices of the portal's search form.
#[derive(Debug, Default)]
pub struct SearchChoices {
    pub columns: Vec<(String, String)>,
    /// Value (`一级\二级`) and label (`一级 › 二级`).
    pub topics: Vec<(String, String)>,
    pub publishers: Vec<String>,
}

/// One value derived from the database, kept like a page: for [`TTL`], while the content
/// generation is unchanged, and until the next change on this instance.
#[derive(Debug)]
pub struct Memo<T>(
    Mutex<Option<(Instant, u64, std::sync::Arc<T>)>>,
    /// Bumped by every clear: a value computed across a clear is not kept.
    std::sync::atomic::AtomicU64,
);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Self(Mutex::new(None), std::sync::atomic::AtomicU64::new(0))
    }
}

impl<T> Memo<T> {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(Instant, u64, std::sync::Arc<T>)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kept value, or `compute`'s (which is not run when the value is kept).
    pub async fn get_or(
        &self,
        generation: u64,
        compute: impl Future<Output = T>,
    ) -> std::sync::Arc<T> {
        if let Some((at, r#gen, v)) = self.slot().as_ref()
            && at.elapsed() < TTL
            && *r#gen == generation
        {
            return v.clone();
        }
        let epoch = self.1.load(std::sync::atomic::Ordering::Acquire);
        let v = std::sync::Arc::new(compute.await);
        let mut slot = self.slot();
        if self.1.load(std::sync::atomic::Ordering::Acquire) == epoch {
            *slot = Some((Instant::now(), generation, v.clone()));
        }
        v
    }

    fn clear(&self) {
        let mut slot = self.slot();
        self.1.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        *slot = None;
    }
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn clear(&self) {
        self.site.clear();
        self.search_choices.clear();
        self.lock().clear();
        self.bytes.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The cache key of a public page, or `None` when it is not cached. Only the query parameters a
/// page reads are part of the key, so arbitrary parameters cannot flood the cache.
fn cache_key(uri: &axum::http::Uri) -> Option<String> {
    let path = uri.path();
    let param = |name: &str| {
        uri.query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|v| v.into_iter().find(|(k, _)| k == name).map(|(_, v)| v))
            .unwrap_or_default()
    };
    if path == "/"
        || path == "/sitemap.xml"
        || path.starts_with("/items/")
        || path.starts_with("/agencies/")
    {
        Some(path.to_owned())
    } else if path.starts_with("/columns/") {
        Some(format!("{path}?page={}", param("page")))
    } else {
        // Search results are not cached: queries vary without end.
        None
    }
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
    let key = match cache_key(req.uri()) {
        Some(k) if session.user().is_none() => format!("{}|{k}", u8::from(session.care)),
        _ => return next.run(req).await,
    };
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
        let used = state
            .cache
            .bytes
            .fetch_add(bytes.len(), std::sync::atomic::Ordering::Relaxed);
        if used + bytes.len() > MAX_BYTES {
            state.cache.clear();
            state
                .cache
                .bytes
                .store(bytes.len(), std::sync::atomic::Ordering::Relaxed);
        }
        state
            .cache
            .lock()
            .insert(key, (Instant::now(), generation, ct, bytes.clone()));
    }
    Response::from_parts(parts, Body::from(bytes))
}
