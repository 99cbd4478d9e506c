//! The store conformance suite: every test runs on SQLite and, when `GONGKAI_TEST_PG` is set,
//! on PostgreSQL (STYLE habit 6).

use gongkai_domain::audit::NewAuditEvent;
use gongkai_domain::{AgencyId, ChainBreak, Role};
use gongkai_store::{AgencyKind, AuditFilter, SessionRow, Store, StoreError, TokenPurpose};
use gongkai_test_support::TestDb;
use serde_json::json;

fn event(action: &str, agency: Option<i64>, actor: &str) -> NewAuditEvent {
    NewAuditEvent {
        at_ms: 1_000,
        actor_id: None,
        actor: actor.into(),
        agency_id: agency,
        action: action.into(),
        object_type: "test".into(),
        object_id: "1".into(),
        detail: json!({ "k": "值" }),
    }
}

async fn seed(store: &Store) -> (AgencyId, AgencyId) {
    let mut tx = store.begin().await.unwrap();
    let city = tx
        .insert_agency(None, "示例市人民政府", AgencyKind::Government, 1)
        .await
        .unwrap();
    let ems = tx
        .insert_agency(Some(city), "示例市应急管理局", AgencyKind::Department, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (city, ems)
}

#[tokio::test]
async fn agencies_divisions_and_conflicts() {
    for db in TestDb::all("agencies_divisions_and_conflicts").await {
        let s = &db.store;
        let (city, ems) = seed(s).await;
        let all = s.agencies().await.unwrap();
        assert_eq!(all.len(), 2, "{}", db.label);
        assert_eq!(all[1].parent_id, Some(city));
        assert_eq!(
            s.agency_by_name("示例市应急管理局")
                .await
                .unwrap()
                .unwrap()
                .id,
            ems
        );

        let mut tx = s.begin().await.unwrap();
        let err = tx
            .insert_agency(None, "示例市人民政府", AgencyKind::Government, 3)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref w) if w.contains("示例市人民政府")),
            "{}: {err:?}",
            db.label
        );
        drop(tx); // rolled back

        let mut tx = s.begin().await.unwrap();
        let d = tx.insert_division(ems, "应急救援科", 4).await.unwrap();
        tx.rename_division(d, "救援科").await.unwrap();
        assert!(
            matches!(
                tx.insert_division(ems, "救援科", 5).await,
                Err(StoreError::Conflict(_))
            ),
            "{}",
            db.label
        );
        drop(tx);
        assert!(
            s.divisions(ems).await.unwrap().is_empty(),
            "{}: a dropped transaction rolls back",
            db.label
        );
    }
}

#[tokio::test]
async fn users_roles_tokens_sessions() {
    for db in TestDb::all("users_roles_tokens_sessions").await {
        let s = &db.store;
        let (_, ems) = seed(s).await;
        let mut tx = s.begin().await.unwrap();
        let id = tx
            .insert_user(
                "zhang.san",
                "张三",
                ems,
                None,
                &[Role::Office, Role::Drafter],
                None,
                10,
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A duplicate name is a Conflict naming it; the service then drops (rolls back) the transaction.
        let mut tx = s.begin().await.unwrap();
        let err = tx
            .insert_user("zhang.san", "x", ems, None, &[], None, 10)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(ref w) if w.contains("zhang.san")),
            "{}: {err:?}",
            db.label
        );
        drop(tx);
        let u = s.user(id).await.unwrap().unwrap();
        assert_eq!(u.roles, vec![Role::Drafter, Role::Office], "{}", db.label);
        assert!(!u.has_password && !u.disabled);
        assert!(!s.has_admin().await.unwrap());

        let mut tx = s.begin().await.unwrap();
        tx.set_password_hash(id, Some("$argon2id$x"), 20)
            .await
            .unwrap();
        tx.set_roles(id, &[Role::Admin]).await.unwrap();
        tx.insert_account_token("h1", TokenPurpose::Reset, Some(id), 20, 100)
            .await
            .unwrap();
        tx.insert_account_token("h2", TokenPurpose::Reset, Some(id), 21, 100)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(s.has_admin().await.unwrap(), "{}", db.label);
        let u = s.user(id).await.unwrap().unwrap();
        assert_eq!(u.auth_epoch, 1);
        assert!(
            s.account_token("h1")
                .await
                .unwrap()
                .unwrap()
                .used_at
                .is_some(),
            "a newer token revokes the older"
        );
        let mut tx = s.begin().await.unwrap();
        assert!(tx.use_account_token("h2", 30).await.unwrap());
        assert!(
            !tx.use_account_token("h2", 31).await.unwrap(),
            "a token is used once"
        );
        tx.commit().await.unwrap();

        let row = SessionRow {
            user_id: Some(id),
            auth_epoch: 1,
            csrf: "c".into(),
            touched_at: 0,
            expires_at: 100,
            absolute_expires_at: 1000,
        };
        s.insert_session("sid", &row, 0).await.unwrap();
        assert_eq!(s.session("sid").await.unwrap().unwrap(), row);
        s.touch_session("sid", 50, 150).await.unwrap();
        assert_eq!(s.session("sid").await.unwrap().unwrap().expires_at, 150);
        assert_eq!(s.purge_sessions(200).await.unwrap(), 1);
        assert!(s.session("sid").await.unwrap().is_none());

        s.record_login_failure(&["u:x".into(), "a:1".into()], 100, 0)
            .await
            .unwrap();
        s.record_login_failure(&["u:x".into()], 200, 0)
            .await
            .unwrap();
        assert_eq!(s.login_failures("u:x", 0).await.unwrap().len(), 2);
        assert_eq!(s.login_failures("u:x", 150).await.unwrap(), vec![200]);
        s.record_login_failure(&["u:y".into()], 300, 150)
            .await
            .unwrap();
        assert_eq!(
            s.login_failures("u:x", 0).await.unwrap(),
            vec![200],
            "old failures are forgotten"
        );
    }
}

#[tokio::test]
async fn audit_chain_appends_filters_and_verifies() {
    for db in TestDb::all("audit_chain_appends_filters_and_verifies").await {
        let s = &db.store;
        let (city, ems) = seed(s).await;
        for i in 0..5 {
            let mut tx = s.begin().await.unwrap();
            let agency = if i % 2 == 0 { city } else { ems };
            tx.audit(event(
                if i < 3 { "user.create" } else { "auth.login" },
                Some(agency.0),
                "admin",
            ))
            .await
            .unwrap();
            // Two events in one transaction chain correctly too.
            if i == 4 {
                tx.audit(event("user.update", Some(ems.0), "other"))
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        let r = s.verify_audit_chain(None).await.unwrap();
        assert_eq!((r.rows, r.first_break.clone()), (6, None), "{}", db.label);
        let head = r.head.unwrap();

        let all = s.audit_events(&AuditFilter::default(), 100).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![6, 5, 4, 3, 2, 1]
        );
        assert_eq!(all[0].detail, r#"{"k":"值"}"#);
        let f = AuditFilter {
            agencies: Some(vec![ems.0]),
            ..AuditFilter::default()
        };
        assert_eq!(
            s.audit_events(&f, 100).await.unwrap().len(),
            3,
            "{}",
            db.label
        );
        let f = AuditFilter {
            action: Some("user.".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            s.audit_events(&f, 100).await.unwrap().len(),
            4,
            "{}",
            db.label
        );
        let f = AuditFilter {
            actor: Some("other".into()),
            before_seq: Some(7),
            ..AuditFilter::default()
        };
        assert_eq!(s.audit_events(&f, 100).await.unwrap().len(), 1);
        let f = AuditFilter {
            before_seq: Some(3),
            ..AuditFilter::default()
        };
        assert_eq!(s.audit_events(&f, 1).await.unwrap()[0].seq, 2);

        // The anchor recorded now still verifies after more events.
        let anchor = gongkai_domain::audit::parse_anchor(&head).unwrap();
        let mut tx = s.begin().await.unwrap();
        tx.audit(event("auth.logout", None, "admin")).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            s.verify_audit_chain(Some(anchor))
                .await
                .unwrap()
                .first_break,
            None
        );
    }
}

/// Raw SQL on a second connection, bypassing the store (the attacker's view).
async fn raw(url: &str, sql: &str) -> Result<(), String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

#[tokio::test]
async fn audit_log_refuses_edits_and_tampering_is_found() {
    for db in TestDb::all("audit_log_refuses_edits_and_tampering_is_found").await {
        let s = &db.store;
        let (city, _) = seed(s).await;
        for _ in 0..4 {
            let mut tx = s.begin().await.unwrap();
            tx.audit(event("user.create", Some(city.0), "admin"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        // The database itself refuses edits and deletions.
        let e = raw(&db.url, "UPDATE audit_events SET actor = 'x' WHERE seq = 2")
            .await
            .unwrap_err();
        assert!(e.contains("append-only"), "{}: {e}", db.label);
        let e = raw(&db.url, "DELETE FROM audit_events WHERE seq = 2")
            .await
            .unwrap_err();
        assert!(e.contains("append-only"), "{}: {e}", db.label);

        // Someone with full access drops the guard and edits a row: the chain names it.
        let drop_guard = if db.label == "sqlite" {
            "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
        } else {
            "DROP TRIGGER audit_no_update ON audit_events;"
        };
        raw(&db.url, drop_guard).await.unwrap();
        raw(
            &db.url,
            "UPDATE audit_events SET detail = '{\"k\":\"改\"}' WHERE seq = 3",
        )
        .await
        .unwrap();
        let r = s.verify_audit_chain(None).await.unwrap();
        assert_eq!(
            r.first_break,
            Some(ChainBreak::Altered { seq: 3 }),
            "{}",
            db.label
        );
        raw(&db.url, "DELETE FROM audit_events WHERE seq = 3")
            .await
            .unwrap();
        let r = s.verify_audit_chain(None).await.unwrap();
        assert_eq!(
            r.first_break,
            Some(ChainBreak::Deleted {
                expected: 3,
                found: 4
            }),
            "{}",
            db.label
        );
        raw(
            &db.url,
            "INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash) \
             VALUES (3, 1, 'x', 'a', 'o', '', '{}', 'bad', 'bad')",
        )
        .await
        .unwrap();
        let r = s.verify_audit_chain(None).await.unwrap();
        assert_eq!(
            r.first_break,
            Some(ChainBreak::Inserted { seq: 3 }),
            "{}",
            db.label
        );
    }
}
