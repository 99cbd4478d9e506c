//! Accounts through the service: setup, login throttling, sessions, passwords, guards.

use chrono::Duration;
use gongkai_domain::Role;
use gongkai_service::store::TokenPurpose;
use gongkai_service::{Actor, LoginError, ServiceError, SetupForm, UserUpdate};
use gongkai_test_support::{PASSWORD, TestApp, TestDb};

#[tokio::test]
async fn first_run_setup_creates_the_root_agency_and_admin_once() {
    for db in TestDb::all("first_run_setup").await {
        let svc = gongkai_service::Service::new(
            db.store.clone(),
            std::sync::Arc::new(gongkai_domain::FixedClock::new(
                gongkai_test_support::test_start(),
            )),
            gongkai_service::ServiceConfig::default(),
        );
        assert!(svc.needs_setup().await.unwrap());
        let t1 = svc.issue_setup_token().await.unwrap().unwrap();
        let t2 = svc.issue_setup_token().await.unwrap().unwrap();
        assert!(
            svc.check_token(&t1, TokenPurpose::Setup).await.is_err(),
            "a new link revokes the old one"
        );
        let mut f = SetupForm {
            agency_name: "示例市人民政府".into(),
            agency_kind: "government".into(),
            username: "Admin".into(),
            display_name: "王管理".into(),
            password: "short".into(),
            confirm: "short".into(),
        };
        let err = svc.complete_setup(&t2, &f).await.unwrap_err();
        let ServiceError::Invalid(fields) = err else {
            panic!("{err:?}")
        };
        assert_eq!(fields[0].field, "password");
        assert!(fields[0].message.contains("至少 10 个字符"));
        f.password = PASSWORD.into();
        f.confirm = PASSWORD.into();
        let admin = svc.complete_setup(&t2, &f).await.unwrap();
        assert_eq!(admin.username, "admin");
        assert_eq!(admin.roles, vec![Role::Admin]);
        assert!(!svc.needs_setup().await.unwrap());
        assert!(
            svc.issue_setup_token().await.unwrap().is_none(),
            "no setup link once an admin exists"
        );
        assert!(
            svc.complete_setup(&t2, &f).await.is_err(),
            "{}: the link works once",
            db.label
        );
        assert_eq!(
            svc.store()
                .verify_audit_chain(None)
                .await
                .unwrap()
                .first_break,
            None
        );
    }
}

#[tokio::test]
async fn login_is_throttled_per_account_and_clears_after_the_window() {
    let app = TestApp::new().await;
    app.user("zhang", app.agencies.ems, &[Role::Drafter]).await;
    for _ in 0..5 {
        assert!(matches!(
            app.service.login("zhang", "wrong", "10.0.0.1").await,
            Err(LoginError::BadCredentials)
        ));
    }
    // Even the right password is refused while locked, and the message says for how long.
    let e = app
        .service
        .login("zhang", PASSWORD, "10.0.0.2")
        .await
        .unwrap_err();
    assert!(matches!(e, LoginError::Throttled { minutes: 15 }), "{e:?}");
    assert!(e.to_string().contains("15 分钟"));
    app.clock.advance(Duration::minutes(16));
    app.service
        .login("zhang", PASSWORD, "10.0.0.2")
        .await
        .unwrap();
    // Unknown names fail the same way as wrong passwords.
    assert!(matches!(
        app.service.login("nobody", "x", "10.0.0.3").await,
        Err(LoginError::BadCredentials)
    ));
    let failed = app
        .service
        .audit_events(
            &Actor::System,
            &gongkai_service::AuditQuery {
                action: Some("auth.login_failed".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
    assert_eq!(failed.len(), 6);
    assert!(
        failed.iter().all(|e| !e.detail.contains("10.0.0")),
        "addresses are not written to the audit log"
    );
}

#[tokio::test]
async fn per_address_throttling_stops_password_spraying() {
    let app = TestApp::new().await;
    for i in 0..20 {
        let _ = app
            .service
            .login(&format!("user{i}"), "guess", "10.9.9.9")
            .await;
    }
    app.user("real", app.agencies.ems, &[Role::Drafter]).await;
    assert!(matches!(
        app.service.login("real", PASSWORD, "10.9.9.9").await,
        Err(LoginError::Throttled { .. })
    ));
    app.service
        .login("real", PASSWORD, "10.1.1.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_expire_and_end_with_password_changes_and_disabling() {
    let app = TestApp::new().await;
    let admin = app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let u = app.user("lisi", app.agencies.ems, &[Role::Drafter]).await;
    let (tok, _) = app.service.start_session(Some(&u)).await.unwrap();
    assert!(
        app.service
            .session(&tok)
            .await
            .unwrap()
            .unwrap()
            .user
            .is_some()
    );
    // Idle timeout (30 minutes), slid by activity.
    app.clock.advance(Duration::minutes(20));
    assert!(app.service.session(&tok).await.unwrap().is_some());
    app.clock.advance(Duration::minutes(20));
    assert!(
        app.service.session(&tok).await.unwrap().is_some(),
        "activity slid the expiry"
    );
    app.clock.advance(Duration::minutes(31));
    assert!(app.service.session(&tok).await.unwrap().is_none());

    // A password change ends every older session.
    let (tok, _) = app.service.start_session(Some(&u)).await.unwrap();
    let err = app
        .service
        .change_password(&u, "wrong", "New-Passw0rd!", "New-Passw0rd!")
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(ref v) if v[0].field == "current"));
    let u2 = app
        .service
        .change_password(&u, PASSWORD, "New-Passw0rd!", "New-Passw0rd!")
        .await
        .unwrap();
    assert!(app.service.session(&tok).await.unwrap().is_none());
    app.service
        .login("lisi", "New-Passw0rd!", "x")
        .await
        .unwrap();

    // Disabling ends sessions and blocks login; enabling restores login.
    let (tok, _) = app.service.start_session(Some(&u2)).await.unwrap();
    app.service
        .set_user_disabled(&Actor::User(admin.clone()), u.id, true)
        .await
        .unwrap();
    assert!(app.service.session(&tok).await.unwrap().is_none());
    assert!(
        app.service
            .login("lisi", "New-Passw0rd!", "x")
            .await
            .is_err()
    );
    app.service
        .set_user_disabled(&Actor::User(admin.clone()), u.id, false)
        .await
        .unwrap();
    app.service
        .login("lisi", "New-Passw0rd!", "x")
        .await
        .unwrap();

    // Admin reset: old password dead at once; the link sets a new one, once.
    let token = app
        .service
        .reset_password(&Actor::User(admin), u.id)
        .await
        .unwrap();
    assert!(
        app.service
            .login("lisi", "New-Passw0rd!", "y")
            .await
            .is_err()
    );
    app.service
        .set_password_with_token(&token, "Third-Passw0rd", "Third-Passw0rd")
        .await
        .unwrap();
    assert!(
        app.service
            .set_password_with_token(&token, "Fourth-Passw0rd", "Fourth-Passw0rd")
            .await
            .is_err()
    );
    app.service
        .login("lisi", "Third-Passw0rd", "y")
        .await
        .unwrap();
    // Links expire after 72 hours.
    let admin = app
        .service
        .store()
        .user_by_username("boss")
        .await
        .unwrap()
        .unwrap();
    let token = app
        .service
        .reset_password(&Actor::User(admin), u.id)
        .await
        .unwrap();
    app.clock.advance(Duration::hours(73));
    assert!(
        app.service
            .set_password_with_token(&token, "Fifth-Passw0rd", "Fifth-Passw0rd")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn administrators_cannot_lock_themselves_out() {
    let app = TestApp::new().await;
    let admin = app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let me = Actor::User(admin.clone());
    assert!(matches!(
        app.service.set_user_disabled(&me, admin.id, true).await,
        Err(ServiceError::Refused(_))
    ));
    let upd = UserUpdate {
        display_name: "王".into(),
        division_id: None,
        roles: vec!["office".into()],
    };
    let err = app
        .service
        .update_user(&me, admin.id, &upd)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(ref v) if v[0].field == "roles"));
}

#[tokio::test]
async fn form_errors_name_every_field() {
    let app = TestApp::new().await;
    let admin = app.user("boss", app.agencies.city, &[Role::Admin]).await;
    let err = app
        .service
        .create_user(
            &Actor::User(admin.clone()),
            &gongkai_service::NewUser {
                username: "张三".into(),
                display_name: " ".into(),
                agency_id: app.agencies.ems.0,
                division_id: None,
                roles: vec![],
            },
        )
        .await
        .unwrap_err();
    let ServiceError::Invalid(v) = err else {
        panic!()
    };
    let fields: Vec<_> = v.iter().map(|f| f.field).collect();
    assert_eq!(fields, vec!["username", "display_name", "roles"]);
    // A division of another agency is refused.
    let d = app
        .service
        .create_division(
            &Actor::User(admin.clone()),
            app.agencies.transport,
            "办公室",
        )
        .await
        .unwrap();
    let err = app
        .service
        .create_user(
            &Actor::User(admin),
            &gongkai_service::NewUser {
                username: "zhang".into(),
                display_name: "张三".into(),
                agency_id: app.agencies.ems.0,
                division_id: Some(d.id.0),
                roles: vec!["drafter".into()],
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(ref v) if v[0].field == "division_id"));
}

#[tokio::test]
async fn every_agency_gets_the_standard_disclosure_column_and_manages_its_own() {
    for db in TestDb::all("columns").await {
        let app = TestApp::on(db).await;
        let office = app
            .user("gongkaiban", app.agencies.ems, &[Role::Office])
            .await;
        let me = Actor::User(office);
        let tree = app.service.columns(&me, app.agencies.ems).await.unwrap();
        let names: Vec<_> = tree
            .iter()
            .map(|n| (n.depth, n.column.name.as_str()))
            .collect();
        assert_eq!(names[0], (0, "政府信息公开"));
        assert_eq!(names[1], (1, "政府信息公开指南"));
        assert_eq!(names[2], (1, "政府信息公开制度"));
        assert_eq!(names[3], (1, "法定主动公开内容"));
        assert_eq!(names[4], (2, "行政法规、规章和规范性文件"));
        assert_eq!(
            names[18],
            (
                2,
                "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"
            )
        );
        assert_eq!(names[19], (1, "政府信息公开年报"));
        assert_eq!(tree.len(), 20);
        assert_eq!(
            app.service.ensure_standard_columns().await.unwrap(),
            0,
            "created once"
        );

        let news = app
            .service
            .create_column(&me, app.agencies.ems, None, "新闻动态", "news", None)
            .await
            .unwrap();
        let notices = app
            .service
            .create_column(&me, app.agencies.ems, None, "公示公告", "notice", Some(30))
            .await
            .unwrap();
        assert!(matches!(
            app.service
                .create_column(&me, app.agencies.ems, None, "新闻动态", "news", None)
                .await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            app.service
                .create_column(&me, app.agencies.ems, None, "x", "disclosure", None)
                .await,
            Err(ServiceError::Invalid(_))
        ));
        assert!(matches!(
            app.service.create_column(&me, app.agencies.ems, None, "y", "news", Some(0)).await,
            Err(ServiceError::Invalid(ref v)) if v[0].field == "stale_days"
        ));
        // Order: the standard column first, then 新闻动态, 公示公告; moving swaps.
        app.service
            .move_column(&me, notices.id, true)
            .await
            .unwrap();
        let order: Vec<_> = app
            .service
            .columns(&me, app.agencies.ems)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.depth == 0)
            .map(|n| n.column.name)
            .collect();
        assert_eq!(order, ["政府信息公开", "公示公告", "新闻动态"]);
        assert!(matches!(
            app.service.move_column(&me, notices.id, true).await,
            Err(ServiceError::Refused(_))
        ));
        // The standard column cannot be renamed, moved or deleted.
        let std = &app.service.columns(&me, app.agencies.ems).await.unwrap()[0].column;
        let same = app
            .service
            .update_column(&me, std.id, "别的名字", "news", Some(10))
            .await
            .unwrap();
        assert_eq!(
            (same.name.as_str(), same.stale_days),
            ("政府信息公开", Some(10))
        );
        assert!(matches!(
            app.service.delete_column(&me, std.id).await,
            Err(ServiceError::Refused(_))
        ));
        // A sub-column; its parent cannot be deleted while it has one.
        let sub = app
            .service
            .create_column(
                &me,
                app.agencies.ems,
                Some(news.id),
                "图片新闻",
                "news",
                None,
            )
            .await
            .unwrap();
        assert!(matches!(
            app.service.delete_column(&me, news.id).await,
            Err(ServiceError::Refused(_))
        ));
        app.service.delete_column(&me, sub.id).await.unwrap();
        app.service.delete_column(&me, news.id).await.unwrap();
        // The office cannot manage another agency's columns.
        assert!(matches!(
            app.service
                .create_column(&me, app.agencies.transport, None, "新闻动态", "news", None)
                .await,
            Err(ServiceError::Forbidden { .. })
        ));
        assert_eq!(
            app.service
                .store()
                .verify_audit_chain(None)
                .await
                .unwrap()
                .first_break,
            None
        );
    }
}

#[tokio::test]
async fn the_calendar_is_data_seeded_once_and_extended_by_import() {
    for db in TestDb::all("calendar").await {
        let app = TestApp::on(db).await;
        // TestApp seeded it at start; seeding is done once.
        assert!(
            !app.service.ensure_calendar_seeded().await.unwrap(),
            "seeded once"
        );
        let cal = app.service.calendar().await.unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 20, false),
            Some(d("2026-03-19"))
        );
        let boss = app.user("boss", app.agencies.city, &[Role::Admin]).await;
        let ems_admin = app
            .user("ems.admin", app.agencies.ems, &[Role::Admin])
            .await;
        let tsv = "date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-02-06\tworkday\t春节\n";
        assert!(matches!(
            app.service
                .import_calendar(&Actor::User(ems_admin), tsv, "通知", "")
                .await,
            Err(ServiceError::Refused(_))
        ));
        let r = app
            .service
            .import_calendar(
                &Actor::User(boss),
                tsv,
                "国务院办公厅关于2027年部分节假日安排的通知",
                "",
            )
            .await
            .unwrap();
        assert_eq!((r.years.clone(), r.rows), (vec![2027], 2));
        let cal = app.service.calendar().await.unwrap();
        assert!(cal.covers(2027) && cal.is_working_day(d("2027-02-06")));
        assert_eq!(app.service.calendar_revisions().await.unwrap().len(), 2);
        assert_eq!(
            app.service
                .store()
                .verify_audit_chain(None)
                .await
                .unwrap()
                .first_break,
            None
        );
    }
}
