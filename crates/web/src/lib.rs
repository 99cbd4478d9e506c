//! gongkai-web — HTTP in, service calls, server-rendered pages out.
//!
//! Every page is a minijinja template under `templates/` (no HTML built from strings), in
//! Simplified Chinese, usable without JavaScript. Every state-changing request passes the CSRF
//! guard ([`session::guard`]): same-origin check plus the session's token. Handlers turn form data
//! into service calls and service errors into pages; they never write SQL or decide permissions.

mod admin;
mod api;
mod applications;
mod assets;
mod cache;
mod items;
mod pages;
mod portal;
mod public;
mod reports;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{get, post};
use gongkai_service::Service;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use pages::Templates;
pub use session::SESSION_COOKIE;

/// Settings of the web layer.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// The address people use to reach the site (`https://gk.example.gov.cn`); one-time links
    /// are built on it. When unset, links use the request's `Host`.
    pub public_url: Option<String>,
    /// Mark cookies `Secure` (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
}

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub templates: Arc<Templates>,
    pub config: Arc<WebConfig>,
    /// Rendered public pages for anonymous visitors (see `cache.rs`).
    pub cache: Arc<cache::PageCache>,
}

impl AppState {
    pub fn new(service: Service, config: WebConfig) -> Self {
        Self {
            service,
            templates: Arc::new(Templates::load()),
            config: Arc::new(config),
            cache: Arc::default(),
        }
    }
}

/// Largest request body: an attachment (20 MB) plus the multipart envelope. Forms are limited to
/// 2 MB by the CSRF guard.
const ATTACHMENT_LIMIT: usize = 21 * 1024 * 1024;

/// The Content-Security-Policy: no inline script or style, nothing from elsewhere, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
    object-src 'none'";

/// The whole application router with its middleware.
pub fn router(state: AppState) -> Router {
    let admin = Router::new()
        .route("/", get(admin::dashboard))
        .route(
            "/password",
            get(admin::password_form).post(admin::password_submit),
        )
        .route("/users", get(admin::users))
        .route(
            "/users/new",
            get(admin::user_new_form).post(admin::user_new_submit),
        )
        .route(
            "/users/{id}",
            get(admin::user_edit_form).post(admin::user_edit_submit),
        )
        .route("/users/{id}/disable", post(admin::user_disable))
        .route("/users/{id}/enable", post(admin::user_enable))
        .route("/users/{id}/reset", post(admin::user_reset))
        .route("/agencies", get(admin::agencies).post(admin::agency_create))
        .route(
            "/agencies/{id}",
            get(admin::agency_page).post(admin::agency_update),
        )
        .route("/agencies/{id}/divisions", post(admin::division_create))
        .route("/divisions/{id}", post(admin::division_rename))
        .route(
            "/agencies/{id}/columns",
            get(admin::columns).post(admin::column_create),
        )
        .route("/columns/{id}", post(admin::column_update))
        .route("/columns/{id}/up", post(admin::column_up))
        .route("/columns/{id}/down", post(admin::column_down))
        .route("/columns/{id}/delete", post(admin::column_delete))
        .route("/agencies/{id}/credit-code", post(items::set_credit_code))
        .route(
            "/agencies/{id}/guide",
            get(admin::guide_form).post(admin::guide_submit),
        )
        .route(
            "/agencies/{id}/settings",
            get(admin::settings_form).post(admin::settings_submit),
        )
        .route("/tasks", get(items::tasks))
        .route("/stats", get(items::stats))
        .route("/items", get(items::list))
        .route("/items/new", get(items::new_form).post(items::new_submit))
        .route("/items/{id}", get(items::detail))
        .route(
            "/items/{id}/edit",
            get(items::edit_form).post(items::edit_submit),
        )
        .route("/items/{id}/submit", post(items::submit))
        .route("/items/{id}/mask", post(items::mask))
        .route("/items/{id}/decide", post(items::decide))
        .route("/items/{id}/publish", post(items::publish))
        .route("/items/{id}/withdraw", post(items::withdraw))
        .route(
            "/items/{id}/attachments",
            post(items::attach).layer(axum::extract::DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .route("/attachments/{id}", get(items::download))
        .route("/attachments/{id}/remove", post(items::detach))
        .route("/applications", get(applications::list))
        .route(
            "/applications/new",
            get(applications::register_form).post(applications::register_submit),
        )
        .route(
            "/applications/settings",
            get(applications::settings_form).post(applications::settings_submit),
        )
        .route("/applications/report", get(applications::report))
        .route("/applications/{id}", get(applications::detail))
        .route("/applications/{id}/act/{event}", post(applications::act))
        .route("/applications/{id}/assign", post(applications::assign))
        .route("/applications/{id}/type", post(applications::change_type))
        .route(
            "/applications/{id}/files",
            post(applications::upload)
                .layer(axum::extract::DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .route("/applications/{id}/dossier", get(applications::dossier))
        .route(
            "/applications/{id}/letters/{kind}",
            get(applications::letter),
        )
        .route(
            "/applications/{id}/letters/{kind}/docx",
            get(applications::letter_docx),
        )
        .route("/application-files/{id}", get(applications::download))
        .route(
            "/proceedings",
            get(applications::proceedings).post(applications::proceeding_create),
        )
        .route(
            "/proceedings/{id}",
            get(applications::proceeding_redirect).post(applications::proceeding_update),
        )
        .route(
            "/calendar",
            get(admin::calendar_page).post(admin::calendar_import),
        )
        .route("/site/id-code", post(admin::site_id_code))
        .route("/topics", get(admin::topics).post(admin::topics_save))
        .route("/topics/default", post(admin::topics_default))
        .route("/annual-reports", get(reports::overview))
        .route("/annual-reports/figures", post(reports::save_figures))
        .route("/annual-reports/narrative", post(reports::save_narrative))
        .route("/annual-reports/submit", post(reports::submit))
        .route("/annual-reports/restate", post(reports::restate))
        .route(
            "/annual-reports/import",
            post(reports::import).layer(axum::extract::DefaultBodyLimit::max(ATTACHMENT_LIMIT)),
        )
        .route("/annual-reports/cell", get(reports::cell))
        .route("/annual-reports/supervision", get(reports::supervision))
        .route(
            "/annual-reports/supervision/summary/{ext}",
            get(reports::summary_download),
        )
        .route(
            "/annual-reports/supervision/cells.csv",
            get(reports::jurisdiction_csv),
        )
        .route(
            "/annual-reports/current/{ext}",
            get(reports::current_download),
        )
        .route(
            "/annual-reports/versions/{id}/{ext}",
            get(reports::version_download),
        )
        .route("/audit", get(admin::audit))
        .route("/audit/verify", get(admin::audit_verify));
    Router::new()
        .route("/", get(portal::home))
        .route("/agencies/{id}", get(portal::agency))
        .route("/columns/{id}", get(portal::column))
        .route("/columns/{id}/feed.xml", get(portal::feed))
        .route("/items/{id}", get(portal::item))
        .route("/annual-reports/{id}/{ext}", get(reports::public_download))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/reports", get(api::reports))
        .route("/api/v1/reports.csv", get(api::reports_csv))
        .route("/api/v1/reports/{id}", get(api::report))
        .route("/api/v1/reports/{id}/cells", get(api::report_cells))
        .route("/api/v1/items", get(api::items))
        .route("/api/v1/items/{id}", get(api::item))
        .route("/api/{*rest}", get(api::not_found))
        .route("/attachments/{id}", get(portal::attachment))
        .route("/sitemap.xml", get(portal::sitemap))
        .route("/search", get(portal::search))
        .route("/care/{mode}", get(portal::care))
        .route(
            "/apply",
            get(applications::apply_form).post(applications::apply_submit),
        )
        .route(
            "/apply/status",
            get(applications::status_form).post(applications::status_submit),
        )
        .route("/login", get(public::login_form).post(public::login_submit))
        .route("/logout", post(public::logout))
        .route(
            "/setup/{token}",
            get(public::setup_form).post(public::setup_submit),
        )
        .route(
            "/account/password/{token}",
            get(public::set_password_form).post(public::set_password_submit),
        )
        .route("/healthz", get(public::healthz))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/static/{*path}", get(assets::serve))
        .nest("/admin", admin)
        .fallback(public::not_found)
        .layer(middleware::from_fn(pages::plain_rejections))
        .layer(middleware::from_fn(pages::no_store_private))
        .layer(middleware::from_fn_with_state(state.clone(), cache::layer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::guard,
        ))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(ATTACHMENT_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::custom(pages::panic_response))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::COOKIE,
            header::AUTHORIZATION,
        ]))
        // A handler may set a stricter or document-specific policy (the standalone report page
        // carries its own inline stylesheet and nothing else).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
}

/// Serves the router on `addr` until Ctrl-C / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
