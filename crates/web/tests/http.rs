//! HTTP tests through the real router: pages, forms, sessions, CSRF, authorization.

use axum::http::StatusCode;
use gongkai_domain::Role;
use gongkai_service::Actor;
use gongkai_test_support::{PASSWORD, TestApp, TestDb};

#[tokio::test]
async fn first_run_setup_through_the_browser() {
    let db = TestDb::sqlite().await;
    let svc = gongkai_service::Service::new(
        db.store.clone(),
        std::sync::Arc::new(gongkai_domain::FixedClock::new(
            gongkai_test_support::test_start(),
        )),
        gongkai_service::ServiceConfig::default(),
    );
    let router = gongkai_web::router(gongkai_web::AppState::new(
        svc.clone(),
        gongkai_web::WebConfig::default(),
    ));
    let app = AppLike { router };
    let mut c = app.client();
    let home = c.get("/").await;
    home.expect(StatusCode::OK);
    assert!(home.body.contains("本站尚未完成初始化"));
    let token = svc.issue_setup_token().await.unwrap().unwrap();
    c.get("/setup/not-a-token")
        .await
        .expect(StatusCode::BAD_REQUEST);
    let form = c.get(&format!("/setup/{token}")).await;
    form.expect(StatusCode::OK);
    assert!(form.body.contains("初始化站点"));
    // A bad form comes back with each error beside its field, and the entered values kept.
    let bad = c
        .post(
            &format!("/setup/{token}"),
            &[
                ("agency_name", "示例市人民政府"),
                ("agency_kind", "government"),
                ("username", "x"),
                ("display_name", "王管理"),
                ("password", "a"),
                ("confirm", "b"),
            ],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"e-username\""), "{}", bad.body);
    assert!(bad.body.contains("用户名须为 3–32 个字符"));
    assert!(bad.body.contains("两次输入的密码不一致"));
    assert!(bad.body.contains("value=\"示例市人民政府\""));
    assert!(
        !bad.body.contains("value=\"a\""),
        "passwords are never echoed"
    );
    let ok = c
        .post(
            &format!("/setup/{token}"),
            &[
                ("agency_name", "示例市人民政府"),
                ("agency_kind", "government"),
                ("username", "admin"),
                ("display_name", "王管理"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    ok.expect(StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), Some("/admin?done=setup"));
    let dash = c.get("/admin?done=setup").await;
    dash.expect(StatusCode::OK);
    assert!(dash.body.contains("站点已初始化"));
    assert!(dash.body.contains("系统管理员"));
    // The link is spent.
    c.get(&format!("/setup/{token}"))
        .await
        .expect(StatusCode::BAD_REQUEST);
}

/// A bare router wrapper so the setup test can use the same client as TestApp.
struct AppLike {
    router: axum::Router,
}

impl AppLike {
    fn client(&self) -> gongkai_test_support::Client {
        gongkai_test_support::Client::new(self.router.clone())
    }
}

#[tokio::test]
async fn login_logout_and_redirects() {
    let app = TestApp::new().await;
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    let mut c = app.client();
    let r = c.get("/admin/users").await;
    r.expect(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/login?next=%2Fadmin%2Fusers"));
    c.get("/login?next=/admin/password")
        .await
        .expect(StatusCode::OK);
    let bad = c
        .post(
            "/login",
            &[
                ("username", "zhang"),
                ("password", "nope"),
                ("next", "/admin/password"),
            ],
        )
        .await;
    bad.expect(StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("用户名或密码不正确"));
    assert!(bad.body.contains("value=\"zhang\""));
    let before = c.cookie.clone();
    let ok = c
        .post(
            "/login",
            &[
                ("username", "zhang"),
                ("password", PASSWORD),
                ("next", "/admin/password"),
            ],
        )
        .await;
    ok.expect(StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), Some("/admin/password"));
    assert_ne!(c.cookie, before, "a new session id at login");
    // Open redirects are refused.
    let mut c2 = app.client();
    c2.get("/login").await;
    let r = c2
        .post(
            "/login",
            &[
                ("username", "zhang"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/admin"));
    // Logout ends the session on the server too.
    let old = c.cookie.clone().unwrap();
    c.get("/admin").await.expect(StatusCode::OK);
    c.post("/logout", &[]).await.expect(StatusCode::SEE_OTHER);
    assert!(app.service.session(&old).await.unwrap().is_none());
    c.get("/admin").await.expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn cookies_and_security_headers() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/login").await;
    let set = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    assert!(
        !set.contains("Secure"),
        "plain-HTTP installs work without Secure"
    );
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    // No inline script or style anywhere in the page.
    assert!(!r.body.contains("<script") && !r.body.contains("style="));
    let css = c.get("/static/site.css").await;
    css.expect(StatusCode::OK);
    assert!(css.headers.get("etag").is_some());
}

#[tokio::test]
async fn csrf_is_required_on_every_state_change() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let mut c = app.login("boss").await;
    c.get("/admin/agencies").await.expect(StatusCode::OK);
    let path = format!("/admin/agencies/{}/divisions", app.agencies.ems);
    // No token.
    c.post_raw(&path, &[("name", "办公室")], &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    // Wrong token.
    c.post_raw(
        &path,
        &[("name", "办公室"), ("csrf", "0".repeat(64).as_str())],
        &[],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // Right token but cross-site.
    let tok = c.csrf.clone().unwrap();
    c.post_raw(
        &path,
        &[("name", "办公室"), ("csrf", &tok)],
        &[("sec-fetch-site", "cross-site")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.post_raw(
        &path,
        &[("name", "办公室"), ("csrf", &tok)],
        &[("origin", "https://evil.example")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // Another session's token.
    let mut other = app.client();
    other.get("/login").await;
    let foreign = other.csrf.clone().unwrap();
    let r = c
        .post_raw(&path, &[("name", "办公室"), ("csrf", &foreign)], &[])
        .await;
    r.expect(StatusCode::FORBIDDEN);
    assert!(r.body.contains("表单已失效"));
    assert!(
        app.service
            .store()
            .divisions(app.agencies.ems)
            .await
            .unwrap()
            .is_empty(),
        "nothing was written"
    );
    // Header token (for scripts) and the form token both work.
    c.post_raw(
        &path,
        &[("name", "办公室")],
        &[("x-csrf-token", &tok), ("origin", "http://localhost")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    c.post(&path, &[("name", "应急救援科")])
        .await
        .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        app.service
            .store()
            .divisions(app.agencies.ems)
            .await
            .unwrap()
            .len(),
        2
    );
    // Login and logout forms are protected too.
    let mut anon = app.client();
    anon.post_raw(
        "/login",
        &[("username", "boss"), ("password", PASSWORD)],
        &[],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn authorization_is_enforced_on_pages_and_posts() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    app.user("jt.admin", app.agencies.transport, &[Role::Admin])
        .await;
    let mut d = app.login("zhang").await;
    let dash = d.get("/admin").await;
    dash.expect(StatusCode::OK);
    assert!(
        !dash.body.contains("href=\"/admin/users\""),
        "no link to what they cannot open"
    );
    let r = d.get("/admin/users").await;
    r.expect(StatusCode::FORBIDDEN);
    assert!(r.body.contains("没有权限"));
    d.get("/admin/audit").await.expect(StatusCode::FORBIDDEN);
    d.get("/admin/users/new")
        .await
        .expect(StatusCode::FORBIDDEN);
    d.post(
        "/admin/users/new",
        &[
            ("username", "x.y.z"),
            ("display_name", "某"),
            ("agency_id", &app.agencies.ems.to_string()),
            ("roles", "admin"),
        ],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    d.post(
        &format!("/admin/agencies/{}/divisions", app.agencies.ems),
        &[("name", "某科")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    // The transport bureau's admin cannot touch the EMS bureau.
    let mut t = app.login("jt.admin").await;
    t.get(&format!("/admin/agencies/{}", app.agencies.ems))
        .await
        .expect(StatusCode::FORBIDDEN);
    let zhang = app
        .service
        .store()
        .user_by_username("zhang")
        .await
        .unwrap()
        .unwrap();
    t.get(&format!("/admin/users/{}", zhang.id))
        .await
        .expect(StatusCode::FORBIDDEN);
    t.post(&format!("/admin/users/{}/disable", zhang.id), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    t.post(&format!("/admin/users/{}/reset", zhang.id), &[])
        .await
        .expect(StatusCode::FORBIDDEN);
    assert!(
        !app.service
            .store()
            .user(zhang.id)
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    // Unknown ids are a 404 page, not a crash.
    let mut b = app.login("boss").await;
    b.get("/admin/users/999999")
        .await
        .expect(StatusCode::NOT_FOUND);
    b.get("/admin/users/abc").await;
}

#[tokio::test]
async fn an_account_from_creation_to_first_login() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let mut b = app.login("boss").await;
    let div = app
        .service
        .create_division(&Actor::System, app.agencies.ems, "应急救援科")
        .await
        .unwrap();
    let form = b.get("/admin/users/new").await;
    form.expect(StatusCode::OK);
    assert!(form.body.contains("示例市应急管理局") && form.body.contains("应急救援科"));
    let ems = app.agencies.ems.to_string();
    let divs = div.id.to_string();
    // A taken name is reported beside the field.
    let dup = b
        .post(
            "/admin/users/new",
            &[
                ("username", "boss"),
                ("display_name", "重名"),
                ("agency_id", &ems),
                ("roles", "drafter"),
            ],
        )
        .await;
    dup.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.body.contains("id=\"e-username\"") && dup.body.contains("已存在"));
    let r = b
        .post(
            "/admin/users/new",
            &[
                ("username", "Sun.Jingban"),
                ("display_name", "孙经办"),
                ("agency_id", &ems),
                ("division_id", &divs),
                ("roles", "drafter"),
                ("roles", "office"),
            ],
        )
        .await;
    r.expect(StatusCode::CREATED);
    let link = r
        .text()
        .split("value=\"/account/password/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let u = app
        .service
        .store()
        .user_by_username("sun.jingban")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.roles, vec![Role::Drafter, Role::Office]);
    assert_eq!(u.division_id, Some(div.id));
    // The person sets a password with the link and logs in.
    let mut p = app.client();
    let page = p.get(&format!("/account/password/{link}")).await;
    page.expect(StatusCode::OK);
    assert!(page.body.contains("sun.jingban"));
    let weak = p
        .post(
            &format!("/account/password/{link}"),
            &[("password", "abc"), ("confirm", "abc")],
        )
        .await;
    weak.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("至少 10 个字符"));
    p.post(
        &format!("/account/password/{link}"),
        &[("password", "Sun-Passw0rd"), ("confirm", "Sun-Passw0rd")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    p.get("/login?done=password_set").await;
    p.post(
        "/login",
        &[("username", "sun.jingban"), ("password", "Sun-Passw0rd")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    p.get("/admin").await.expect(StatusCode::OK);
    // The admin edits roles and disables the account; the person is signed out at once.
    b.get(&format!("/admin/users/{}", u.id))
        .await
        .expect(StatusCode::OK);
    b.post(
        &format!("/admin/users/{}", u.id),
        &[
            ("display_name", "孙经办"),
            ("division_id", ""),
            ("roles", "drafter"),
        ],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        app.service.store().user(u.id).await.unwrap().unwrap().roles,
        vec![Role::Drafter]
    );
    b.post(&format!("/admin/users/{}/disable", u.id), &[])
        .await
        .expect(StatusCode::SEE_OTHER);
    p.get("/admin").await.expect(StatusCode::SEE_OTHER);
    // Every step is in the audit log, and the chain verifies.
    let audit = b.get("/admin/audit?action=user.").await;
    audit.expect(StatusCode::OK);
    for label in ["新建用户", "设置密码", "修改用户", "停用用户"] {
        assert!(audit.body.contains(label), "{label}");
    }
    let v = b.get("/admin/audit/verify").await;
    v.expect(StatusCode::OK);
    assert!(v.body.contains("校验通过"));
}

#[tokio::test]
async fn password_change_signs_out_other_sessions() {
    let app = TestApp::new().await;
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    let mut a = app.login("zhang").await;
    let mut other = app.login("zhang").await;
    a.get("/admin/password").await.expect(StatusCode::OK);
    let bad = a
        .post(
            "/admin/password",
            &[
                ("current", "x"),
                ("password", "New-Passw0rd"),
                ("confirm", "New-Passw0rd"),
            ],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("当前密码不正确"));
    let ok = a
        .post(
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("password", "New-Passw0rd"),
                ("confirm", "New-Passw0rd"),
            ],
        )
        .await;
    ok.expect(StatusCode::SEE_OTHER);
    a.get("/admin/password?done=changed")
        .await
        .expect(StatusCode::OK);
    other.get("/admin").await.expect(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn agencies_and_divisions_pages() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let mut b = app.login("boss").await;
    let page = b.get("/admin/agencies").await;
    page.expect(StatusCode::OK);
    assert!(page.body.contains("示例市交通运输局"));
    let city = app.agencies.city.to_string();
    let empty = b
        .post(
            "/admin/agencies",
            &[("parent_id", &city), ("name", ""), ("kind", "department")],
        )
        .await;
    empty.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("请填写机关全称"));
    let r = b
        .post(
            "/admin/agencies",
            &[
                ("parent_id", &city),
                ("name", "示例市财政局"),
                ("kind", "department"),
            ],
        )
        .await;
    r.expect(StatusCode::SEE_OTHER);
    let loc = r.location().unwrap().to_owned();
    let p = b.get(&loc).await;
    p.expect(StatusCode::OK);
    assert!(p.body.contains("机关已建立") && p.body.contains("示例市人民政府"));
    let id = loc
        .trim_start_matches("/admin/agencies/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    b.post(
        &format!("/admin/agencies/{id}/divisions"),
        &[("name", "预算科")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let dup = b
        .post(
            &format!("/admin/agencies/{id}/divisions"),
            &[("name", "预算科")],
        )
        .await;
    dup.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.body.contains("已存在"));
}

#[tokio::test]
async fn supervisors_read_the_audit_log_of_their_subtree_only() {
    let app = TestApp::new().await;
    app.user("jiandu", app.agencies.city, &[Role::Supervisor])
        .await;
    app.user("ems.jiandu", app.agencies.ems, &[Role::Supervisor])
        .await;
    app.service
        .create_division(&Actor::System, app.agencies.transport, "运输管理科")
        .await
        .unwrap();
    app.service
        .create_division(&Actor::System, app.agencies.ems, "应急救援科")
        .await
        .unwrap();
    let mut city = app.login("jiandu").await;
    let all = city.get("/admin/audit").await;
    all.expect(StatusCode::OK);
    assert!(all.body.contains("运输管理科") && all.body.contains("应急救援科"));
    let mut ems = app.login("ems.jiandu").await;
    let own = ems.get("/admin/audit").await;
    assert!(own.body.contains("应急救援科") && !own.body.contains("运输管理科"));
    ems.get(&format!("/admin/audit?agency={}", app.agencies.transport))
        .await
        .expect(StatusCode::FORBIDDEN);
    let bad = ems.get("/admin/audit?from=2026-13-01").await;
    bad.expect(StatusCode::OK);
    assert!(bad.body.contains("应写作 YYYY-MM-DD"));
    // Supervisors cannot change anything.
    ems.get("/admin/users").await.expect(StatusCode::OK);
    ems.post(
        &format!("/admin/agencies/{}/divisions", app.agencies.ems),
        &[("name", "新科")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unknown_urls_get_a_helpful_404() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/no/such/page").await;
    r.expect(StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("页面不存在")
            && r.text().contains("/no/such/page")
            && r.body.contains("返回网站首页")
    );
    c.get("/static/nope.css")
        .await
        .expect(StatusCode::NOT_FOUND);
    c.get("/healthz").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn the_office_manages_columns_in_the_back_office() {
    let app = TestApp::new().await;
    app.user("gongkaiban", app.agencies.ems, &[Role::Office])
        .await;
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    let mut o = app.login("gongkaiban").await;
    let path = format!("/admin/agencies/{}/columns", app.agencies.ems);
    let page = o.get(&path).await;
    page.expect(StatusCode::OK);
    assert!(page.body.contains("政府信息公开年报") && page.body.contains("新建栏目"));
    let bad = o
        .post(
            &path,
            &[
                ("parent_id", ""),
                ("name", ""),
                ("kind", "news"),
                ("stale_days", "x"),
            ],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("更新期限应为天数"));
    o.post(
        &path,
        &[
            ("parent_id", ""),
            ("name", "新闻动态"),
            ("kind", "news"),
            ("stale_days", ""),
        ],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let page = o.get(&format!("{path}?done=created")).await;
    assert!(page.body.contains("栏目已建立") && page.body.contains("value=\"新闻动态\""));
    let news = app
        .service
        .store()
        .columns(app.agencies.ems)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "新闻动态")
        .unwrap();
    o.post(
        &format!("/admin/columns/{}", news.id),
        &[("name", "工作动态"), ("kind", "news"), ("stale_days", "7")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let c = app.service.store().column(news.id).await.unwrap().unwrap();
    assert_eq!((c.name.as_str(), c.stale_days), ("工作动态", Some(7)));
    o.post(&format!("/admin/columns/{}/delete", news.id), &[])
        .await
        .expect(StatusCode::SEE_OTHER);
    // A drafter sees the columns but cannot change them.
    let mut d = app.login("zhang").await;
    let view = d.get(&path).await;
    view.expect(StatusCode::OK);
    assert!(!view.body.contains("新建栏目"));
    d.post(
        &path,
        &[("parent_id", ""), ("name", "某栏目"), ("kind", "news")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn publishing_through_the_back_office_and_the_public_portal() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let div = app
        .service
        .create_division(&Actor::System, ems, "应急救援科")
        .await
        .unwrap();
    let mk = |name: &'static str, roles: &'static [Role]| {
        let app = &app;
        let div = div.id.0;
        async move {
            let (_, t) = app
                .service
                .create_user(
                    &Actor::System,
                    &gongkai_service::NewUser {
                        username: name.into(),
                        display_name: name.into(),
                        agency_id: ems.0,
                        division_id: Some(div),
                        roles: roles.iter().map(|r| r.id().to_owned()).collect(),
                    },
                )
                .await
                .unwrap();
            app.service
                .set_password_with_token(&t, PASSWORD, PASSWORD)
                .await
                .unwrap();
        }
    };
    mk("jingban", &[Role::Drafter]).await;
    mk("chuzhang", &[Role::DivisionHead]).await;
    mk("fenguan", &[Role::Leader]).await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let col = app
        .service
        .create_column(&Actor::System, ems, None, "通知公告", "notice", None)
        .await
        .unwrap();
    app.service
        .set_credit_code(&Actor::System, ems, "11320600MB1234567X")
        .await
        .unwrap();

    let mut d = app.login("jingban").await;
    let form = d.get("/admin/items/new").await;
    form.expect(StatusCode::OK);
    assert!(form.body.contains("主题分类") && form.body.contains("通知公告"));
    let colid = col.id.to_string();
    let base: Vec<(&str, &str)> = vec![
        ("column_id", &colid),
        ("title", "关于开展应急演练的通知"),
        ("summary", "部署2026年应急演练。"),
        ("publisher", "示例市应急管理局"),
        ("generated_on", "2026-03-02"),
        ("topic", "综合政务\\应急管理"),
        ("attribute", "active"),
        (
            "body",
            "各单位：\n\n请于三月底前完成演练。联系电话13812345678。",
        ),
    ];
    let mut bad = base.clone();
    bad[1] = ("title", "");
    let r = d.post("/admin/items/new", &bad).await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写名称") && r.body.contains("value=\"示例市应急管理局\""));
    let r = d.post("/admin/items/new", &base).await;
    r.expect(StatusCode::SEE_OTHER);
    let loc = r.location().unwrap().to_owned();
    let id: i64 = loc
        .trim_start_matches("/admin/items/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = d.get(&loc).await;
    page.expect(StatusCode::OK);
    assert!(
        page.body.contains("手机号码") && page.body.contains("138****5678"),
        "the scan shows the masked number"
    );
    d.post(&format!("/admin/items/{id}/mask"), &[])
        .await
        .expect(StatusCode::SEE_OTHER);
    d.post(&format!("/admin/items/{id}/submit"), &[])
        .await
        .expect(StatusCode::SEE_OTHER);
    // Not public yet.
    app.client()
        .get(&format!("/items/{id}"))
        .await
        .expect(StatusCode::NOT_FOUND);

    let mut h = app.login("chuzhang").await;
    let tasks = h.get("/admin/tasks").await;
    assert!(tasks.body.contains("关于开展应急演练的通知"));
    h.get(&format!("/admin/items/{id}")).await;
    h.post(
        &format!("/admin/items/{id}/decide"),
        &[("decision", "approve"), ("opinion", "同意")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let mut l = app.login("fenguan").await;
    l.get(&format!("/admin/items/{id}")).await;
    let bad = l
        .post(
            &format!("/admin/items/{id}/decide"),
            &[("decision", "reject"), ("opinion", "")],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("退回时请写明审核意见"));
    l.post(
        &format!("/admin/items/{id}/decide"),
        &[("decision", "approve"), ("opinion", "同意发布")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    d.get(&format!("/admin/items/{id}")).await;
    let bad = d
        .post(&format!("/admin/items/{id}/publish"), &[("at", "tomorrow")])
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    d.post(&format!("/admin/items/{id}/publish"), &[("at", "")])
        .await
        .expect(StatusCode::SEE_OTHER);

    // The public page: catalogue metadata, masked body, meta tags.
    let mut p = app.client();
    let page = p.get(&format!("/items/{id}")).await;
    page.expect(StatusCode::OK);
    let text = page.text();
    for s in [
        "索引号",
        "11320600MB1234567X/2026-00001",
        "发布机构",
        "成文日期",
        "2026-03-02",
        "综合政务 › 应急管理",
        "关于开展应急演练的通知",
        "<meta name=\"ArticleTitle\"",
        "<meta name=\"PubDate\" content=\"2026-03-02 09:00\"",
    ] {
        assert!(text.contains(s), "{s} missing");
    }
    assert!(!text.contains("13812345678"));
    let list = p.get(&format!("/columns/{}", col.id)).await;
    list.expect(StatusCode::OK);
    assert!(list.body.contains("关于开展应急演练的通知"));
    let feed = p.get(&format!("/columns/{}/feed.xml", col.id)).await;
    feed.expect(StatusCode::OK);
    assert!(
        feed.body.starts_with("<?xml")
            && feed.body.contains("<entry>")
            && feed.body.contains("关于开展应急演练的通知")
    );
    let sitemap = p.get("/sitemap.xml").await;
    assert!(sitemap.body.contains(&format!("/items/{id}</loc>")));
    let home = p.get("/").await;
    assert!(home.body.contains("关于开展应急演练的通知"));
    let agency = p.get(&format!("/agencies/{ems}")).await;
    agency.expect(StatusCode::OK);
    assert!(agency.body.contains("政府信息公开") && agency.body.contains("通知公告"));
    // 长者模式 switches by cookie and returns to the page.
    let r = p.get(&format!("/care/on?back=/items/{id}")).await;
    assert_eq!(r.location(), Some(format!("/items/{id}").as_str()));
    let set = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set.starts_with("gk_care=1"));
    assert_eq!(
        p.get("/care/on?back=//evil.example").await.location(),
        Some("/")
    );

    // Withdrawal by the leader removes it from the portal.
    l.get(&format!("/admin/items/{id}")).await;
    l.post(
        &format!("/admin/items/{id}/withdraw"),
        &[("reason", "数据有误")],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    app.client()
        .get(&format!("/items/{id}"))
        .await
        .expect(StatusCode::NOT_FOUND);
    // The drafter cannot withdraw or review.
    d.post(
        &format!("/admin/items/{id}/decide"),
        &[("decision", "approve"), ("opinion", "x")],
    )
    .await
    .expect(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn chinese_search_ranks_the_word_above_its_scattered_parts() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let me = app.publisher().await;
    let col = app
        .service
        .create_column(&me, ems, None, "通知公告", "notice", None)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (title, body) in [
        ("食品抽检结果", "抽检食品符合安全标准，企业生产记录完整。"),
        ("关于加强安全生产工作的通知", "各单位要落实安全生产责任制。"),
        ("防汛预案", "做好防汛工作。"),
    ] {
        ids.push(
            app.publish(&me, &TestApp::item_form(col.id, title, body))
                .await,
        );
    }
    let mut c = app.client();
    let r = c
        .get("/search?q=%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7")
        .await; // 安全生产
    r.expect(StatusCode::OK);
    let first = r.body.find(&format!("/items/{}", ids[1])).unwrap();
    let second = r.body.find(&format!("/items/{}", ids[0])).unwrap();
    assert!(first < second, "the item about 安全生产 comes first");
    assert!(!r.body.contains(&format!("/items/{}\"", ids[2])));
    assert!(r.body.contains("共找到 2 条信息") && r.body.contains("<b>"));
    let bad = c.get("/search?q=x&from=2026-1-x").await;
    assert!(bad.body.contains("应写作 YYYY-MM-DD"));
    // Withdrawn items leave the index.
    let (_, leader) = app.reviewers().await;
    app.service
        .withdraw_item(&leader, ids[1], "错误")
        .await
        .unwrap();
    let r = c
        .get("/search?q=%E5%AE%89%E5%85%A8%E7%94%9F%E4%BA%A7")
        .await;
    assert!(!r.body.contains(&format!("/items/{}\"", ids[1])));
    // A second instance catches up by syncing from the database.
    let other = gongkai_service::Service::new(
        app.db.store.clone(),
        app.clock.clone(),
        gongkai_service::ServiceConfig::default(),
    )
    .with_search(std::sync::Arc::new(
        gongkai_service::search_index_in_memory().unwrap(),
    ));
    other.sync_search().await.unwrap();
    let found = other
        .search(&gongkai_service::SearchForm {
            q: "防汛".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 1);
}

#[tokio::test]
async fn year_figures_and_column_freshness() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let me = app.publisher().await;
    let news = app
        .service
        .create_column(&me, ems, None, "新闻动态", "news", None)
        .await
        .unwrap();
    app.service
        .create_column(&me, ems, None, "公示公告", "notice", None)
        .await
        .unwrap();
    let plans = app
        .service
        .store()
        .columns(ems)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.law_item == Some(gongkai_domain::LawItem::A20_03))
        .unwrap();
    for (col, title) in [(news.id, "新闻一"), (news.id, "新闻二"), (plans.id, "规划")] {
        let mut f = TestApp::item_form(col, title, "正文");
        f.generated_on = "2026-02-27".into();
        app.publish(&me, &f).await;
    }
    let fig = app.service.year_figures(&me, ems, 2026).await.unwrap();
    assert_eq!(
        (fig.published, fig.per_month[2]),
        (3, 3),
        "all in March 2026"
    );
    assert_eq!(
        fig.per_column,
        vec![
            (
                "国民经济和社会发展规划、专项规划、区域规划及相关政策".to_owned(),
                1
            ),
            ("新闻动态".to_owned(), 2)
        ]
    );
    assert_eq!(fig.per_law_item.len(), 1);
    // Three weeks later 新闻动态 is stale; 公示公告 is empty.
    app.clock.advance(chrono::Duration::weeks(3));
    let fresh = app.service.column_freshness(&me, ems).await.unwrap();
    let state = |n: &str| fresh.iter().find(|c| c.name == n).unwrap().state;
    assert_eq!(state("新闻动态"), "stale");
    assert_eq!(state("公示公告"), "empty");
    let mut c = app.login("all").await;
    let page = c.get("/admin/stats?year=2026").await;
    page.expect(StatusCode::OK);
    assert!(
        page.body.contains("首次发布信息 <strong>3</strong> 条")
            && page.body.contains("未按期更新")
            && page.body.contains("空白栏目")
    );
}

#[tokio::test]
async fn the_guide_has_its_required_fields_and_shows_in_its_column() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    app.user("gongkaiban", ems, &[Role::Office]).await;
    let mut o = app.login("gongkaiban").await;
    let path = format!("/admin/agencies/{ems}/guide");
    o.get(&path).await.expect(StatusCode::OK);
    let bad = o
        .post(&path, &[("classification", "按主题分类"), ("access", "")])
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["获取方式", "办公地址", "传真号码", "互联网联系方式"] {
        assert!(bad.body.contains(&format!("请填写{f}")), "{f}");
    }
    let fields = [
        ("classification", "按主题分类和体裁编排。"),
        ("access", "通过本网站主动公开；依申请公开请提交申请表。"),
        ("office_name", "示例市应急管理局办公室"),
        ("office_address", "示例市人民路1号"),
        ("office_hours", "工作日 9:00—17:30"),
        ("office_phone", "0513-85000000"),
        ("office_fax", "0513-85000001"),
        ("office_online_contact", "本网站依申请公开栏目"),
        ("reading_rooms", ""),
        (
            "remedies",
            "可向上一级行政机关投诉，或依法申请行政复议、提起行政诉讼。",
        ),
    ];
    o.post(&path, &fields).await.expect(StatusCode::SEE_OTHER);
    let col = app
        .service
        .store()
        .columns(ems)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == gongkai_domain::ColumnKind::Guide)
        .unwrap();
    let public = app.client().get(&format!("/columns/{}", col.id)).await;
    public.expect(StatusCode::OK);
    assert!(
        public.body.contains("0513-85000001")
            && public.body.contains("更新日期")
            && public.body.contains("监督和救济")
    );
}

#[tokio::test]
async fn malformed_requests_get_a_chinese_page() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let mut b = app.login("boss").await;
    let r = b.get("/admin/users/abc").await;
    r.expect(StatusCode::NOT_FOUND);
    assert!(r.body.contains("页面不存在"));
    app.client()
        .get("/columns/abc")
        .await
        .expect(StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("lang=\"zh-CN\"") && !r.body.contains("Invalid URL"),
        "{}",
        r.body
    );
    b.get("/admin").await;
    let tok = b.csrf.clone().unwrap();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/admin/agencies/{}/divisions", app.agencies.ems))
        .header("host", "localhost")
        .header(
            "cookie",
            format!("gk_session={}", b.cookie.clone().unwrap()),
        )
        .header("x-csrf-token", tok)
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"name\":\"x\"}"))
        .unwrap();
    let r = b.send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.body.contains("请求格式有误"), "{}", r.body);
}

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----gongkaiTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    c: &mut gongkai_test_support::Client,
    item: i64,
    name: &str,
    bytes: &[u8],
    csrf: Option<&str>,
) -> gongkai_test_support::Page {
    let (ct, body) = multipart(name, bytes);
    let uri = match csrf {
        Some(t) => format!("/admin/items/{item}/attachments?csrf={t}"),
        None => format!("/admin/items/{item}/attachments"),
    };
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", "localhost")
        .header(
            "cookie",
            format!("gk_session={}", c.cookie.clone().unwrap()),
        )
        .header("content-type", ct)
        .body(axum::body::Body::from(body))
        .unwrap();
    c.send(req).await
}

#[tokio::test]
async fn attachments_are_checked_scanned_reviewed_and_published() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let me = app.publisher().await;
    let col = app
        .service
        .create_column(&me, ems, None, "通知公告", "notice", None)
        .await
        .unwrap();
    let f = gongkai_service::ItemForm {
        column_id: col.id.to_string(),
        title: "名单公示".into(),
        summary: "摘要".into(),
        body: "见附件。".into(),
        publisher: "示例市应急管理局".into(),
        generated_on: "2026-03-01".into(),
        topic: "综合政务\\应急管理".into(),
        attribute: "active".into(),
        ..Default::default()
    };
    let item = app.service.create_item(&me, ems, &f).await.unwrap();
    let mut c = app.login("all").await;
    c.get(&format!("/admin/items/{}", item.id)).await;
    let tok = c.csrf.clone().unwrap();
    upload(
        &mut c,
        item.id,
        "名单.txt",
        "张三 13812345678".as_bytes(),
        None,
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    let bad = upload(&mut c, item.id, "病毒.exe", b"MZ....", Some(&tok)).await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("不支持") && bad.body.contains("pdf"));
    let fake = upload(&mut c, item.id, "假的.pdf", b"not a pdf", Some(&tok)).await;
    fake.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fake.body.contains("内容与扩展名"));
    upload(
        &mut c,
        item.id,
        "../../名单.txt",
        "张三 13812345678".as_bytes(),
        Some(&tok),
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let page = c.get(&format!("/admin/items/{}", item.id)).await;
    assert!(
        page.text().contains("附件《名单.txt》") && page.body.contains("138****5678"),
        "the attachment is scanned"
    );
    let atts = app.service.store().attachments(item.id).await.unwrap();
    assert_eq!(atts[0].name, "名单.txt", "directories are stripped");
    // The public cannot download it before publication.
    app.client()
        .get(&format!("/attachments/{}", atts[0].id))
        .await
        .expect(StatusCode::NOT_FOUND);
    // Replace it with a clean list, review, publish.
    c.get(&format!("/admin/items/{}", item.id)).await;
    c.post(&format!("/admin/attachments/{}/remove", atts[0].id), &[])
        .await
        .expect(StatusCode::SEE_OTHER);
    c.get(&format!("/admin/items/{}", item.id)).await;
    let tok = c.csrf.clone().unwrap();
    upload(
        &mut c,
        item.id,
        "名单.txt",
        "张某 已脱敏".as_bytes(),
        Some(&tok),
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    app.service.submit_item(&me, item.id).await.unwrap();
    let (head, leader) = app.reviewers().await;
    app.service
        .decide_item(&head, item.id, true, "同意", "")
        .await
        .unwrap();
    app.service
        .decide_item(&leader, item.id, true, "同意", "")
        .await
        .unwrap();
    // A new attachment after approval voids it.
    c.get(&format!("/admin/items/{}", item.id)).await;
    let tok = c.csrf.clone().unwrap();
    upload(
        &mut c,
        item.id,
        "补充.txt",
        "补充说明".as_bytes(),
        Some(&tok),
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    assert_eq!(
        app.service
            .store()
            .item(item.id)
            .await
            .unwrap()
            .unwrap()
            .review
            .status,
        gongkai_domain::review::Status::Draft
    );
    app.service.submit_item(&me, item.id).await.unwrap();
    let (head, leader) = app.reviewers().await;
    app.service
        .decide_item(&head, item.id, true, "同意", "")
        .await
        .unwrap();
    app.service
        .decide_item(&leader, item.id, true, "同意", "")
        .await
        .unwrap();
    app.service.publish_item(&me, item.id, None).await.unwrap();
    let public = app.client().get(&format!("/items/{}", item.id)).await;
    assert!(public.body.contains("补充.txt") && public.body.contains("名单.txt"));
    let current = app.service.store().attachments(item.id).await.unwrap();
    let dl = app
        .client()
        .get(&format!("/attachments/{}", current[0].id))
        .await;
    dl.expect(StatusCode::OK);
    assert_eq!(dl.body, "张某 已脱敏");
    let cd = dl
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        cd.contains("filename*=UTF-8''%E5%90%8D%E5%8D%95.txt"),
        "{cd}"
    );
    // The removed first version is not downloadable by the public.
    app.client()
        .get(&format!("/attachments/{}", atts[0].id))
        .await
        .expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agency_configures_its_review_chain_and_sensitive_words() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    app.user("gongkaiban", ems, &[Role::Office]).await;
    let mut o = app.login("gongkaiban").await;
    let path = format!("/admin/agencies/{ems}/settings");
    o.get(&path).await.expect(StatusCode::OK);
    let bad = o
        .post(
            &path,
            &[
                ("step1", "leader"),
                ("step2", "division_head"),
                ("step3", ""),
                ("sensitive_words", ""),
            ],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("须以分管领导签发结束"));
    o.post(
        &path,
        &[
            ("step1", "division_head"),
            ("step2", "office"),
            ("step3", "leader"),
            ("sensitive_words", "内部参考\n 违规 "),
        ],
    )
    .await
    .expect(StatusCode::SEE_OTHER);
    let chain = app.service.review_chain(ems).await.unwrap();
    assert_eq!(
        chain.0,
        vec![Role::DivisionHead, Role::Office, Role::Leader]
    );
    // The new chain and the word list take effect.
    let me = Actor::User(
        app.user(
            "all",
            ems,
            &[Role::Drafter, Role::DivisionHead, Role::Leader],
        )
        .await,
    );
    let office = Actor::User(
        app.service
            .store()
            .user_by_username("gongkaiban")
            .await
            .unwrap()
            .unwrap(),
    );
    let col = app
        .service
        .create_column(&office, ems, None, "通知公告", "notice", None)
        .await
        .unwrap();
    let f = gongkai_service::ItemForm {
        column_id: col.id.to_string(),
        title: "通知".into(),
        summary: "摘要".into(),
        body: "此事违规。".into(),
        publisher: "示例市应急管理局".into(),
        generated_on: "2026-03-01".into(),
        topic: "综合政务\\应急管理".into(),
        attribute: "active".into(),
        ..Default::default()
    };
    let item = app.service.create_item(&me, ems, &f).await.unwrap();
    let findings = app.service.scan_item(&item).await.unwrap();
    assert_eq!(findings.len(), 1);
    app.service.submit_item(&me, item.id).await.unwrap();
    // Four eyes: the submitter cannot sign off their own submission.
    assert!(matches!(
        app.service
            .decide_item(&me, item.id, true, "同意", "")
            .await,
        Err(gongkai_service::ServiceError::Refused(_))
    ));
    let head = Actor::User(
        app.user("head", ems, &[Role::DivisionHead, Role::Leader])
            .await,
    );
    let leader = Actor::User(app.user("leader", ems, &[Role::Leader]).await);
    app.service
        .decide_item(&head, item.id, true, "同意", "")
        .await
        .unwrap();
    // Step 2 is the office's: a leader cannot sign it.
    assert!(
        app.service
            .decide_item(&leader, item.id, true, "同意", "")
            .await
            .is_err()
    );
    app.service
        .decide_item(&office, item.id, true, "同意", "")
        .await
        .unwrap();
    // Nobody signs two steps of one round.
    assert!(matches!(
        app.service
            .decide_item(&head, item.id, true, "同意", "依法公开违规情况")
            .await,
        Err(gongkai_service::ServiceError::Refused(_))
    ));
    let item = app
        .service
        .decide_item(&leader, item.id, true, "同意", "依法公开违规情况")
        .await
        .unwrap();
    assert_eq!(item.review.status, gongkai_domain::review::Status::Approved);
}

#[tokio::test]
async fn redirects_stay_on_this_site() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for evil in [
        "/%5Cevil.example",
        "/%09/evil.example",
        "//evil.example",
        "https://evil.example",
    ] {
        let r = c.get(&format!("/care/on?back={evil}")).await;
        assert_eq!(r.location(), Some("/"), "{evil}");
    }
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    c.get("/login").await;
    let r = c
        .post(
            "/login",
            &[
                ("username", "zhang"),
                ("password", PASSWORD),
                ("next", "/\\evil.example"),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/admin"));
}

/// The 网站标识码 (publishing.md §11.3/§11.4): set by the top-level administrator, shown in the
/// footer and the SiteIDCode meta tag; a malformed code says what is accepted.
#[tokio::test]
async fn the_site_identification_code_is_set_and_shown() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    app.user("sub.admin", app.agencies.ems, &[Role::Admin])
        .await;
    let mut c = app.login("boss").await;
    c.get(&format!("/admin/agencies/{}", app.agencies.city))
        .await
        .expect(StatusCode::OK);
    let bad = c
        .post("/admin/site/id-code", &[("site_id_code", "12345")])
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("6 位行政区划代码加 4 位序号"));
    let ok = c
        .post("/admin/site/id-code", &[("site_id_code", "3206000001")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let home = app.client().get("/").await;
    assert!(
        home.body
            .contains("<meta name=\"SiteIDCode\" content=\"3206000001\">")
    );
    assert!(home.text().contains("网站标识码：3206000001"));
    let mut sub = app.login("sub.admin").await;
    sub.get(&format!("/admin/agencies/{}", app.agencies.ems))
        .await;
    let r = sub
        .post("/admin/site/id-code", &[("site_id_code", "3206000002")])
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
}

/// The 主题分类 page (publishing.md §6.2): the top-level administrator edits the taxonomy as
/// text; a bad line is named and the text kept; the item form and the portal search offer the
/// new values; another agency's administrator may not.
#[tokio::test]
async fn the_topic_taxonomy_is_edited_on_its_page() {
    let app = TestApp::new().await;
    app.user("boss", app.agencies.city, &[Role::Admin]).await;
    app.user("sub.admin", app.agencies.ems, &[Role::Admin])
        .await;
    let mut c = app.login("boss").await;
    let agency = c
        .get(&format!("/admin/agencies/{}", app.agencies.city))
        .await;
    assert!(agency.body.contains("href=\"/admin/topics\""));
    let page = c.get("/admin/topics").await;
    page.expect(StatusCode::OK);
    assert!(page.text().contains("当前使用<strong>默认分类</strong>"));
    assert!(page.body.contains("综合政务：政务公开；"));
    let bad = c
        .post(
            "/admin/topics",
            &[("taxonomy", "应急管理：安全生产；；防汛")],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("第 1 行：分类名称不能为空"));
    assert!(
        bad.body.contains("应急管理：安全生产；；防汛"),
        "the entered text is kept"
    );
    let ok = c
        .post(
            "/admin/topics",
            &[("taxonomy", "应急管理：安全生产；防汛抗旱\n其他")],
        )
        .await;
    assert_eq!(
        ok.location(),
        Some("/admin/topics?done=saved"),
        "{}",
        ok.body
    );
    let page = c.get("/admin/topics?done=saved").await;
    assert!(page.text().contains("主题分类已保存"));
    assert!(
        page.text()
            .contains("当前使用<strong>本站自定义</strong>的分类，共 4 个可选值")
    );
    let search = app.client().get("/search").await;
    assert!(search.body.contains("<option value=\"应急管理\\防汛抗旱\""));
    assert!(!search.body.contains("<option value=\"综合政务\""));
    let reset = c.post("/admin/topics/default", &[]).await;
    assert_eq!(reset.location(), Some("/admin/topics?done=default"));
    assert!(
        app.client()
            .get("/search")
            .await
            .body
            .contains("<option value=\"综合政务\"")
    );

    let mut sub = app.login("sub.admin").await;
    let refused = sub.get("/admin/topics").await;
    refused.expect(StatusCode::BAD_REQUEST);
    assert!(
        refused
            .text()
            .contains("主题分类由本平台顶级机关（网站主办单位）的系统管理员设置")
    );
    let r = sub.post("/admin/topics", &[("taxonomy", "其他")]).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
}
