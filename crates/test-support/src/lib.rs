//! gongkai-test-support — the test harness is a product (STYLE habit 7).
//!
//! * [`TestDb`]: a fresh database — SQLite in a temporary directory always, PostgreSQL when
//!   `GONGKAI_TEST_PG` names a server (a database per test, re-created on each run).
//! * [`TestApp`]: the real router on a fresh database with a [`FixedClock`], and a [`Client`] per
//!   person that keeps cookies and picks up CSRF tokens from the pages it reads.
//! * [`http`]: a minimal HTTP/1.1 client over `TcpStream` for tests against a real server process.

pub mod http;
pub mod process;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use gongkai_domain::{AgencyId, FixedClock, Role};
use gongkai_service::store::Store;
use gongkai_service::{Actor, NewUser, Service, ServiceConfig};
use tower::ServiceExt;

/// The start instant of every test clock: 2026-03-02 09:00 Beijing time (a Monday).
pub fn test_start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .expect("valid date")
}

/// A fresh database; keeps its temporary directory alive.
#[derive(Debug)]
pub struct TestDb {
    pub store: Store,
    pub label: &'static str,
    /// The connection URL (for tests that go around the store, e.g. tampering).
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite database file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = gongkai_service::store::sqlite_url(dir.path());
        let store = Store::open(&url).await.expect("open sqlite");
        Self {
            store,
            label: "sqlite",
            url,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database named after the test, or `None` (with a note on stderr) when
    /// `GONGKAI_TEST_PG` is unset. CI always sets it.
    pub async fn postgres(test: &str) -> Option<Self> {
        let Ok(server) = std::env::var("GONGKAI_TEST_PG") else {
            eprintln!("skipped PostgreSQL for {test}: GONGKAI_TEST_PG is not set");
            return None;
        };
        let name: String = format!("gk_t_{test}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let url = gongkai_service::store::testing::recreate_postgres_database(&server, &name)
            .await
            .expect("create PostgreSQL test database");
        let store = Store::open(&url).await.expect("open postgres");
        Some(Self {
            store,
            label: "postgres",
            url,
            _dir: None,
        })
    }

    /// SQLite, plus PostgreSQL when configured.
    pub async fn all(test: &str) -> Vec<Self> {
        let mut v = vec![Self::sqlite().await];
        if let Some(pg) = Self::postgres(test).await {
            v.push(pg);
        }
        v
    }
}

/// An S3-compatible bucket for tests, from `GONGKAI_TEST_S3` (`http://host:port/bucket`, as
/// `scripts/test` starts it), with `prefix` for the test's keys; `None` (with a note on stderr)
/// when unset. CI always sets it.
pub fn test_s3(test: &str, prefix: &str) -> Option<gongkai_service::S3Config> {
    let Ok(url) = std::env::var("GONGKAI_TEST_S3") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "GONGKAI_TEST_S3 must be set in CI (scripts/test starts the server)"
        );
        eprintln!("skipped object storage for {test}: GONGKAI_TEST_S3 is not set");
        return None;
    };
    let (endpoint, bucket) = url
        .trim_end_matches('/')
        .rsplit_once('/')
        .expect("GONGKAI_TEST_S3 is http://host:port/bucket");
    Some(gongkai_service::S3Config {
        bucket: bucket.to_owned(),
        endpoint: Some(endpoint.to_owned()),
        region: "us-east-1".into(),
        prefix: prefix.to_owned(),
        access_key_id: Some("gongkai-test".into()),
        secret_access_key: Some("gongkai-test-secret".into()),
        virtual_hosted: false,
    })
}

/// The password every test account gets.
pub const PASSWORD: &str = "Test-Passw0rd";

/// The demo-like jurisdiction of every app test: a city government (root) with two departments.
#[derive(Debug, Clone, Copy)]
pub struct Agencies {
    pub city: AgencyId,
    pub ems: AgencyId,
    pub transport: AgencyId,
}

/// The real router on a fresh database with a fixed clock.
pub struct TestApp {
    pub db: TestDb,
    pub service: Service,
    pub clock: Arc<FixedClock>,
    pub router: Router,
    pub agencies: Agencies,
    _files: tempfile::TempDir,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("db", &self.db.label)
            .finish_non_exhaustive()
    }
}

impl TestApp {
    /// An app on SQLite with the three agencies and no accounts.
    pub async fn new() -> Self {
        Self::on(TestDb::sqlite().await).await
    }

    /// An app on the given database with the three agencies and no accounts.
    pub async fn on(db: TestDb) -> Self {
        Self::with_files(db, None).await
    }

    /// An app whose attachments go to `files` (a temporary folder when `None`).
    pub async fn with_files(db: TestDb, files: Option<gongkai_service::FileStore>) -> Self {
        let clock = Arc::new(FixedClock::new(test_start()));
        let search = Arc::new(gongkai_service::search_index_in_memory().expect("search index"));
        let dir = tempfile::tempdir().expect("files dir");
        let files = files.unwrap_or_else(|| {
            gongkai_service::FileStore::local(dir.path()).expect("files folder")
        });
        let config = ServiceConfig {
            files: Some(files),
            ..ServiceConfig::default()
        };
        let service = Service::new(db.store.clone(), clock.clone(), config).with_search(search);
        let sys = Actor::System;
        let city = service
            .create_agency(&sys, None, "示例市人民政府", "government")
            .await
            .expect("city")
            .id;
        let ems = service
            .create_agency(&sys, Some(city), "示例市应急管理局", "department")
            .await
            .expect("ems")
            .id;
        let transport = service
            .create_agency(&sys, Some(city), "示例市交通运输局", "department")
            .await
            .expect("transport")
            .id;
        service.ensure_calendar_seeded().await.expect("calendar");
        let state = gongkai_web::AppState::new(service.clone(), gongkai_web::WebConfig::default());
        let router = gongkai_web::router(state);
        Self {
            db,
            service,
            clock,
            router,
            agencies: Agencies {
                city,
                ems,
                transport,
            },
            _files: dir,
        }
    }

    /// Creates an account with [`PASSWORD`] and returns its user name.
    pub async fn user(
        &self,
        username: &str,
        agency: AgencyId,
        roles: &[Role],
    ) -> gongkai_service::store::User {
        let (_, token) = self
            .service
            .create_user(
                &Actor::System,
                &NewUser {
                    username: username.into(),
                    display_name: format!("测试{username}"),
                    agency_id: agency.0,
                    division_id: None,
                    roles: roles.iter().map(|r| r.id().to_owned()).collect(),
                },
            )
            .await
            .expect("create user");
        self.service
            .set_password_with_token(&token, PASSWORD, PASSWORD)
            .await
            .expect("set password")
    }

    /// A client without a session.
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            csrf: None,
        }
    }

    /// A client signed in as `username` (password [`PASSWORD`]).
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        c.get("/login").await;
        let r = c
            .post("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            r.body
        );
        c
    }
}

/// A response read to the end.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    /// The body with the HTML escapes of text undone (`&#x2f;` → `/`, …), for text assertions.
    pub fn text(&self) -> String {
        self.body
            .replace("&#x2f;", "/")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body:\n{}",
            self.body
        );
        self
    }
}

/// A browser stand-in: keeps the session cookie and the last CSRF token it saw.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("signed_in", &self.cookie.is_some())
            .finish_non_exhaustive()
    }
}

/// The value of the first `name="csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[i + 19..];
    Some(rest[..rest.find('"')?].to_owned())
}

impl Client {
    /// A client of any router (for apps not built by [`TestApp`]).
    pub fn new(router: Router) -> Self {
        Self {
            router,
            cookie: None,
            csrf: None,
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router is infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or_default();
            if let Some(rest) = v.strip_prefix(&format!("{}=", gongkai_web::SESSION_COOKIE)) {
                let value = rest.split(';').next().unwrap_or_default();
                self.cookie = if value.is_empty() {
                    None
                } else {
                    Some(value.to_owned())
                };
            }
        }
        let bytes = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024)
            .await
            .expect("body");
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = csrf_in(&body) {
            self.csrf = Some(t);
        }
        Page {
            status,
            headers,
            body,
        }
    }

    fn builder(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(c) = &self.cookie {
            b = b.header(
                header::COOKIE,
                format!("{}={c}", gongkai_web::SESSION_COOKIE),
            );
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self
            .builder("GET", path)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    /// POSTs a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let mut pairs: Vec<(&str, &str)> = form.to_vec();
        let csrf = self.csrf.clone().unwrap_or_default();
        pairs.push(("csrf", &csrf));
        self.post_raw(path, &pairs, &[]).await
    }

    /// POSTs exactly the given fields and extra headers (for CSRF negative tests).
    pub async fn post_raw(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = serde_urlencoded::to_string(form).expect("form");
        let mut b = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body)).expect("request");
        self.send(req).await
    }
}

impl TestApp {
    /// The EMS bureau's drafter and disclosure office in one account (`all`), with two reviewers
    /// (`rev.head`, 处室负责人; `rev.leader`, 分管领导) for [`TestApp::publish`], and the bureau's
    /// credit code set for the 索引号. Returns the drafter.
    pub async fn publisher(&self) -> Actor {
        let user = self
            .user("all", self.agencies.ems, &[Role::Drafter, Role::Office])
            .await;
        self.user("rev.head", self.agencies.ems, &[Role::DivisionHead])
            .await;
        self.user("rev.leader", self.agencies.ems, &[Role::Leader])
            .await;
        self.service
            .set_credit_code(&Actor::System, self.agencies.ems, "11320600MB1234567X")
            .await
            .expect("credit code");
        Actor::User(user)
    }

    /// The account created by [`TestApp::publisher`] (`all`), as an actor.
    pub async fn publisher_actor(&self) -> Actor {
        Actor::User(
            self.service
                .store()
                .user_by_username("all")
                .await
                .expect("store")
                .expect("publisher"),
        )
    }

    /// The two reviewers created by [`TestApp::publisher`]: (处室负责人, 分管领导).
    pub async fn reviewers(&self) -> (Actor, Actor) {
        let get = |name: &'static str| async move {
            Actor::User(
                self.service
                    .store()
                    .user_by_username(name)
                    .await
                    .expect("store")
                    .expect("reviewer"),
            )
        };
        (get("rev.head").await, get("rev.leader").await)
    }

    /// A valid item form for `column`.
    pub fn item_form(
        column: impl std::fmt::Display,
        title: &str,
        body: &str,
    ) -> gongkai_service::ItemForm {
        gongkai_service::ItemForm {
            column_id: column.to_string(),
            title: title.into(),
            summary: "摘要".into(),
            body: body.into(),
            publisher: "示例市应急管理局".into(),
            generated_on: "2026-03-01".into(),
            topic: "综合政务\\应急管理".into(),
            attribute: "active".into(),
            ..Default::default()
        }
    }

    /// Drafts and submits as `actor`, has both reviewers sign off, and publishes as `actor` an
    /// item of the EMS bureau (see [`TestApp::publisher`]); returns its id.
    pub async fn publish(&self, actor: &Actor, form: &gongkai_service::ItemForm) -> i64 {
        let i = self
            .service
            .create_item(actor, self.agencies.ems, form)
            .await
            .expect("create");
        self.review_and_publish(actor, i.id).await;
        i.id
    }

    /// Submits a draft as `actor`, has both reviewers of [`TestApp::publisher`] sign off, and
    /// publishes it as `actor`.
    pub async fn review_and_publish(&self, actor: &Actor, item: i64) {
        let s = &self.service;
        s.submit_item(actor, item).await.expect("submit");
        let (head, leader) = self.reviewers().await;
        s.decide_item(&head, item, true, "同意", "")
            .await
            .expect("step 1");
        s.decide_item(&leader, item, true, "同意", "")
            .await
            .expect("step 2");
        s.publish_item(actor, item, None).await.expect("publish");
    }
}
