//! The site's 主题分类 taxonomy (publishing.md §6.2: data, editable per jurisdiction), on every
//! backend: edited by the top-level administrator, enforced on new values, old values kept.

use gongkai_domain::Role;
use gongkai_service::store::AuditFilter;
use gongkai_service::{Actor, ServiceError};
use gongkai_test_support::{TestApp, TestDb};

#[tokio::test]
async fn the_taxonomy_is_edited_enforced_and_reset() {
    for db in TestDb::all("topic_taxonomy").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        app.service.ensure_standard_columns().await.unwrap();
        let svc = &app.service;
        let ems = app.agencies.ems;
        let root_admin = Actor::User(app.user("boss", app.agencies.city, &[Role::Admin]).await);
        let sub_admin = Actor::User(app.user("sub", ems, &[Role::Admin]).await);
        let office = app.publisher().await;
        let col = svc
            .store()
            .columns(ems)
            .await
            .unwrap()
            .iter()
            .find(|c| c.name == "政府信息公开指南")
            .unwrap()
            .id;
        // The default taxonomy: the spec's 22 一级 categories.
        let before = svc.topic_settings(&root_admin).await.unwrap();
        assert!(!before.custom, "{label}");
        assert!(
            before.text.starts_with("国务院组织机构：国务院；"),
            "{label}"
        );
        let old = svc
            .create_item(
                &office,
                ems,
                &TestApp::item_form(col.0, "旧分类的信息", "正文"),
            )
            .await
            .unwrap();
        assert_eq!(old.content.topic, "综合政务\\应急管理");

        // Only the top-level administrator edits it; a bad text names the line.
        assert!(matches!(
            svc.set_topic_taxonomy(&sub_admin, Some("应急管理")).await,
            Err(ServiceError::Refused(m)) if m.contains("顶级机关")
        ));
        assert!(matches!(
            svc.topic_settings(&office).await,
            Err(ServiceError::Forbidden { .. })
        ));
        let Err(ServiceError::Invalid(errs)) = svc
            .set_topic_taxonomy(&root_admin, Some("应急管理：安全生产\n应急管理"))
            .await
        else {
            panic!("{label}: a duplicated category");
        };
        assert_eq!(errs[0].field, "taxonomy");
        assert_eq!(errs[0].message, "第 2 行：一级分类“应急管理”重复出现");

        let orphans = svc
            .set_topic_taxonomy(&root_admin, Some("应急管理：安全生产；防灾减灾救灾\n其他"))
            .await
            .unwrap();
        assert_eq!(orphans, [("综合政务\\应急管理".to_owned(), 1)], "{label}");
        let after = svc.topic_settings(&root_admin).await.unwrap();
        assert!(after.custom);
        assert_eq!(after.values, 4);
        assert_eq!(after.text, "应急管理：安全生产；防灾减灾救灾\n其他\n");

        // New values come from the new taxonomy; an item keeps the value it has.
        let f = TestApp::item_form(col.0, "新信息", "正文");
        let Err(ServiceError::Invalid(errs)) = svc.create_item(&office, ems, &f).await else {
            panic!("{label}: a value the taxonomy no longer has");
        };
        assert_eq!(errs[0].field, "topic");
        let mut f = TestApp::item_form(col.0, "新信息", "正文");
        f.topic = "应急管理\\安全生产".into();
        svc.create_item(&office, ems, &f).await.unwrap();
        let mut edit = TestApp::item_form(col.0, "旧分类的信息（修改）", "正文");
        svc.update_item(&office, old.id, &edit).await.unwrap();
        edit.topic = "综合政务\\政务公开".into();
        assert!(matches!(
            svc.update_item(&office, old.id, &edit).await,
            Err(ServiceError::Invalid(_))
        ));

        // Back to the default: the old value is a value again.
        assert!(
            svc.set_topic_taxonomy(&root_admin, None)
                .await
                .unwrap()
                .iter()
                .any(|(t, n)| t == "应急管理\\安全生产" && *n == 1)
        );
        assert!(!svc.topic_settings(&root_admin).await.unwrap().custom);
        svc.update_item(&office, old.id, &edit).await.unwrap();
        let audit = svc
            .store()
            .audit_events(
                &AuditFilter {
                    action: Some("site.topics".into()),
                    ..AuditFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(audit.len(), 2, "{label}");
    }
}
