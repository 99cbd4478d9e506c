//! Sessions and the CSRF guard.
//!
//! The session cookie (`gk_session`, HttpOnly, SameSite=Lax, Secure behind TLS) holds a random
//! token; the database holds its hash, the user and the CSRF token, so any instance can serve any
//! request. [`guard`] runs on every request: it loads the session into the request's extensions
//! and refuses a state-changing request (POST, PUT, PATCH, DELETE) unless it comes from this site
//! (`Sec-Fetch-Site`, `Origin`) and carries the session's CSRF token (form field `csrf` or header
//! `X-CSRF-Token`).

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gongkai_service::store::User;
use gongkai_service::{Actor, SessionInfo};

use crate::AppState;
use crate::pages::error_page;

pub const SESSION_COOKIE: &str = "gk_session";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The request's session, put into the extensions by [`guard`].
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub token: Option<String>,
    pub info: Option<SessionInfo>,
    /// The client address, for login throttling only (never logged or shown).
    pub client: String,
    /// The large-text, high-contrast mode is on (cookie `gk_care`).
    pub care: bool,
    /// The request path (for "back" links of display switches).
    pub path: String,
}

impl Session {
    pub fn user(&self) -> Option<&User> {
        self.info.as_ref().and_then(|i| i.user.as_ref())
    }

    pub fn csrf(&self) -> Option<&str> {
        self.info.as_ref().map(|i| i.csrf.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Session>()
            .cloned()
            .unwrap_or_default())
    }
}

/// A signed-in staff member; handlers that take it redirect everyone else to the login page.
#[derive(Clone, Debug)]
pub struct Staff {
    pub user: User,
    pub csrf: String,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let s = parts
            .extensions
            .get::<Session>()
            .cloned()
            .unwrap_or_default();
        match (s.user(), s.csrf()) {
            (Some(u), Some(c)) => Ok(Staff {
                user: u.clone(),
                csrf: c.to_owned(),
            }),
            _ => {
                // The original URI: nested routers see only the part after their prefix.
                let uri = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or(&parts.uri, |o| &o.0);
                let next = uri.path_and_query().map_or("/admin", |p| p.as_str());
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
        }
    }
}

/// The session cookie for `token`.
pub fn cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .build()
}

/// A cookie that removes the session cookie.
pub fn removal(state: &AppState) -> Cookie<'static> {
    let mut c = cookie(state, String::new());
    c.make_removal();
    c
}

/// Makes sure the visitor has a session (an anonymous one if needed) so a form can carry a
/// CSRF token. Returns the token and the cookie to set when a session was started.
pub async fn ensure(
    state: &AppState,
    s: &Session,
) -> Result<(String, Option<Cookie<'static>>), Response> {
    if let Some(c) = s.csrf() {
        return Ok((c.to_owned(), None));
    }
    match state.service.start_session(None).await {
        Ok((token, info)) => Ok((info.csrf, Some(cookie(state, token)))),
        Err(e) => Err(crate::pages::service_error(&e)),
    }
}

fn client_address(state: &AppState, req: &Request) -> String {
    if state.config.trust_proxy
        && let Some(v) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        // The right-most entry is the one our proxy added; earlier ones come from the client.
        && let Some(last) = v.rsplit(',').next()
    {
        return last.trim().to_owned();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map_or("", |(_, h)| h)
        .trim_end_matches('/');
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn forbidden_form() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "表单已失效",
        "该表单已过期或不是从本站提交的（防跨站请求伪造校验未通过）。请返回上一页，刷新后重新提交。",
    )
}

/// Loads the session and enforces the CSRF rules; see the module docs.
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let info = match &token {
        Some(t) => match state.service.session(t).await {
            Ok(i) => i,
            Err(e) => return crate::pages::service_error(&e),
        },
        None => None,
    };
    let client = client_address(&state, &req);
    let changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changing {
        if !same_origin(req.headers()) {
            return forbidden_form();
        }
        let Some(expected) = info.as_ref().map(|i| i.csrf.clone()) else {
            return forbidden_form();
        };
        let header_token = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let is_multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let presented = if let Some(t) = header_token {
            Some(t)
        } else if is_multipart {
            // File uploads carry the token in the form's action URL (the body is not buffered).
            req.uri().query().and_then(|q| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                    .ok()?
                    .into_iter()
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v)
            })
        } else if is_form {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                return error_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "提交的内容过大",
                    "表单内容超过 2 MB，请删减后重试。",
                );
            };
            let found = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
            req = Request::from_parts(parts, Body::from(bytes));
            found
        } else {
            None
        };
        if !presented.is_some_and(|p| constant_time_eq(p.as_bytes(), expected.as_bytes())) {
            return forbidden_form();
        }
    }
    let care = jar.get(crate::portal::CARE_COOKIE).is_some();
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    req.extensions_mut().insert(Session {
        token,
        info,
        client,
        care,
        path,
    });
    next.run(req).await
}
