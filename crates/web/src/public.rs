//! Pages without a login: home, login, logout, first-run setup, setting a password by link.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use gongkai_service::store::{AgencyKind, TokenPurpose};
use gongkai_service::{LoginError, ServiceError, SetupForm};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Deserialize;

use crate::AppState;
use crate::pages::{error_page, field_errors, no_errors, page, ser, service_error};
use crate::session::{self, Session};

/// Context every page shares: the signed-in user (if any), the CSRF token, the site name.
pub(crate) async fn base(state: &AppState, s: &Session, csrf: Option<&str>) -> Value {
    let site = state
        .cache
        .site
        .get_or(state.service.generation(), async {
            let name = state
                .service
                .site_name()
                .await
                .unwrap_or_else(|_| "政府信息公开平台".into());
            (name, state.service.site_id_code().await.ok().flatten())
        })
        .await;
    let (site_name, site_id_code) = (site.0.clone(), site.1.clone());
    // SiteDomain: the host of the public address the site is configured with.
    let site_domain = state.config.public_url.as_deref().and_then(|u| {
        u.split_once("://")
            .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or_default().to_owned())
            .filter(|h| !h.is_empty())
    });
    context! {
        user => Serde(s.user()),
        care => s.care,
        path => s.path.clone(),
        csrf => csrf.or(s.csrf()),
        site_name,
        site_id_code,
        site_domain,
    }
}

fn with_cookie(
    jar: Option<axum_extra::extract::cookie::Cookie<'static>>,
    resp: Response,
) -> Response {
    match jar {
        Some(c) => (CookieJar::new().add(c), resp).into_response(),
        None => resp,
    }
}

/// Where to go after login: only a local path (no `//host`, no scheme).
/// Whether `p` is a path on this site: `/…`, not `//…` or `/\…` (other hosts to browsers), no
/// backslashes, whitespace or control characters (browsers drop tabs and newlines).
pub(crate) fn is_local_path(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !p
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_owned(),
        _ => "/admin".to_owned(),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct LoginQuery {
    next: Option<String>,
    done: Option<String>,
}

pub(crate) async fn login_form(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<LoginQuery>,
) -> Response {
    if s.user().is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let (csrf, cookie) = match session::ensure(&state, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let base = base(&state, &s, Some(&csrf)).await;
    let resp = page(
        StatusCode::OK,
        "login.html",
        context! {
            next => q.next, done => q.done, username => "", error => None::<String>, ..base
        },
    );
    with_cookie(cookie, resp)
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<LoginForm>,
) -> Response {
    match state
        .service
        .login(&f.username, &f.password, &s.client)
        .await
    {
        Ok(user) => {
            // A new session id at login (no session fixation); the anonymous one is dropped.
            if let Some(t) = &s.token {
                let _ = state.service.end_session(t, None).await;
            }
            match state.service.start_session(Some(&user)).await {
                Ok((token, _)) => (
                    CookieJar::new().add(session::cookie(&state, token)),
                    Redirect::to(&safe_next(f.next.as_deref())),
                )
                    .into_response(),
                Err(e) => service_error(&e),
            }
        }
        Err(e) => {
            let status = match e {
                LoginError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                LoginError::BadCredentials => StatusCode::UNAUTHORIZED,
                LoginError::Service(ref inner) => return service_error(inner),
            };
            let base = base(&state, &s, None).await;
            page(
                status,
                "login.html",
                context! {
                    next => f.next, done => None::<String>, username => f.username.trim(),
                    error => e.to_string(), ..base
                },
            )
        }
    }
}

pub(crate) async fn logout(State(state): State<AppState>, s: Session) -> Response {
    if let Some(t) = &s.token
        && let Err(e) = state.service.end_session(t, s.user()).await
    {
        return service_error(&e);
    }
    (
        CookieJar::new().add(session::removal(&state)),
        Redirect::to("/?done=logout"),
    )
        .into_response()
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    AgencyKind::ALL
        .iter()
        .map(|k| (k.id(), k.label()))
        .collect()
}

pub(crate) async fn setup_form(
    State(state): State<AppState>,
    s: Session,
    Path(token): Path<String>,
) -> Response {
    if let Err(e) = state.service.check_token(&token, TokenPurpose::Setup).await {
        return service_error(&e);
    }
    let (csrf, cookie) = match session::ensure(&state, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let base = base(&state, &s, Some(&csrf)).await;
    let resp = page(
        StatusCode::OK,
        "setup.html",
        context! {
            kinds => Serde(kinds()), form => ser(SetupInput { agency_kind: "government".into(), ..SetupInput::default() }),
            errors => no_errors(), ..base
        },
    );
    with_cookie(cookie, resp)
}

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct SetupInput {
    #[serde(default)]
    agency_name: String,
    #[serde(default)]
    agency_kind: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    confirm: String,
}

pub(crate) async fn setup_submit(
    State(state): State<AppState>,
    s: Session,
    Path(token): Path<String>,
    Form(f): Form<SetupInput>,
) -> Response {
    let form = SetupForm {
        agency_name: f.agency_name.clone(),
        agency_kind: f.agency_kind.clone(),
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        confirm: f.confirm.clone(),
    };
    match state.service.complete_setup(&token, &form).await {
        Ok(user) => {
            if let Some(t) = &s.token {
                let _ = state.service.end_session(t, None).await;
            }
            match state.service.start_session(Some(&user)).await {
                Ok((tok, _)) => (
                    CookieJar::new().add(session::cookie(&state, tok)),
                    Redirect::to("/admin?done=setup"),
                )
                    .into_response(),
                Err(e) => service_error(&e),
            }
        }
        Err(e @ ServiceError::Invalid(_)) => {
            let base = base(&state, &s, None).await;
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "setup.html",
                context! {
                    kinds => Serde(kinds()), form => ser(&f), errors => Serde(field_errors(&e)), ..base
                },
            )
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn set_password_form(
    State(state): State<AppState>,
    s: Session,
    Path(token): Path<String>,
) -> Response {
    let uid = match state.service.check_token(&token, TokenPurpose::Reset).await {
        Ok(Some(u)) => u,
        Ok(None) => return error_page(StatusCode::BAD_REQUEST, "链接无效", "该链接无效。"),
        Err(e) => return service_error(&e),
    };
    let username = state
        .service
        .store()
        .user(uid)
        .await
        .ok()
        .flatten()
        .map(|u| u.username);
    let (csrf, cookie) = match session::ensure(&state, &s).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let base = base(&state, &s, Some(&csrf)).await;
    let resp = page(
        StatusCode::OK,
        "set_password.html",
        context! {
            account => username, errors => no_errors(), ..base
        },
    );
    with_cookie(cookie, resp)
}

#[derive(Deserialize)]
pub(crate) struct SetPasswordInput {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub(crate) async fn set_password_submit(
    State(state): State<AppState>,
    s: Session,
    Path(token): Path<String>,
    Form(f): Form<SetPasswordInput>,
) -> Response {
    match state
        .service
        .set_password_with_token(&token, &f.password, &f.confirm)
        .await
    {
        Ok(_) => Redirect::to("/login?done=password_set").into_response(),
        Err(e @ ServiceError::Invalid(_)) => {
            let uid = state
                .service
                .check_token(&token, TokenPurpose::Reset)
                .await
                .ok()
                .flatten();
            let username = match uid {
                Some(u) => state
                    .service
                    .store()
                    .user(u)
                    .await
                    .ok()
                    .flatten()
                    .map(|u| u.username),
                None => None,
            };
            let base = base(&state, &s, None).await;
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "set_password.html",
                context! {
                    account => username, errors => Serde(field_errors(&e)), ..base
                },
            )
        }
        Err(e) => service_error(&e),
    }
}

pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    match state.service.needs_setup().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

pub(crate) async fn not_found(
    State(state): State<AppState>,
    s: Session,
    uri: axum::http::Uri,
) -> Response {
    let base = base(&state, &s, None).await;
    page(
        StatusCode::NOT_FOUND,
        "not_found.html",
        context! { path => uri.path(), ..base },
    )
}
