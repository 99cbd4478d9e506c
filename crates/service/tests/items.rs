//! Proactive disclosure through the service: draft → scan → review chain → publication, on
//! every backend.

use gongkai_domain::review::Status;
use gongkai_domain::{Clock, Role};
use gongkai_service::{Actor, ItemForm, ServiceError};
use gongkai_test_support::{TestApp, TestDb};

fn form(column: i64, body: &str) -> ItemForm {
    ItemForm {
        column_id: column.to_string(),
        title: "关于2026年安全生产检查的通知".into(),
        summary: "部署全市安全生产大检查。".into(),
        body: body.into(),
        publisher: "示例市应急管理局".into(),
        doc_number: "示应急〔2026〕5号".into(),
        generated_on: "2026-02-27".into(),
        topic: "市场监管、安全生产监管\\安全生产监管".into(),
        genre: "通知".into(),
        attribute: "active".into(),
        ..ItemForm::default()
    }
}

#[tokio::test]
async fn an_item_from_draft_to_publication_and_change() {
    for db in TestDb::all("items_lifecycle").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let div = app
            .service
            .create_division(&Actor::System, ems, "应急救援科")
            .await
            .unwrap();
        let other_div = app
            .service
            .create_division(&Actor::System, ems, "办公室")
            .await
            .unwrap();
        let mk = |name: &'static str, roles: &'static [Role], d: Option<i64>| {
            let app = &app;
            async move {
                let (u, t) = app
                    .service
                    .create_user(
                        &Actor::System,
                        &gongkai_service::NewUser {
                            username: name.into(),
                            display_name: name.into(),
                            agency_id: ems.0,
                            division_id: d,
                            roles: roles.iter().map(|r| r.id().to_owned()).collect(),
                        },
                    )
                    .await
                    .unwrap();
                app.service
                    .set_password_with_token(
                        &t,
                        gongkai_test_support::PASSWORD,
                        gongkai_test_support::PASSWORD,
                    )
                    .await
                    .unwrap();
                Actor::User(app.service.store().user(u.id).await.unwrap().unwrap())
            }
        };
        let drafter = mk("jingban", &[Role::Drafter], Some(div.id.0)).await;
        let head = mk("chuzhang", &[Role::DivisionHead], Some(div.id.0)).await;
        let other_head = mk("other.head", &[Role::DivisionHead], Some(other_div.id.0)).await;
        let leader = mk("fenguan", &[Role::Leader], None).await;
        let office = mk("gongkaiban", &[Role::Office], None).await;
        let admin = mk("boss", &[Role::Admin], None).await;
        let notice = app
            .service
            .create_column(&office, ems, None, "通知公告", "notice", None)
            .await
            .unwrap();

        // Validation names every bad field.
        let mut bad = form(notice.id.0, "");
        bad.generated_on = "2026-13-01".into();
        bad.topic = "不存在".into();
        bad.attribute = "withheld".into();
        let Err(ServiceError::Invalid(v)) = app.service.create_item(&drafter, ems, &bad).await
        else {
            panic!()
        };
        let fields: Vec<_> = v.iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            ["body", "generated_on", "topic", "attribute_reason"],
            "{label}"
        );

        // A draft with a mobile number and an ID number in the body.
        let item = app
            .service
            .create_item(
                &drafter,
                ems,
                &form(
                    notice.id.0,
                    "联系人：张三，电话13812345678。\n\n身份证号11010519491231002X。",
                ),
            )
            .await
            .unwrap();
        assert_eq!(item.review.status, Status::Draft);
        assert_eq!(
            item.publish_due, "2026-03-26",
            "{label}: 20 working days after 2026-02-27 (Saturday 02-28 is a 调休上班日)"
        );
        assert!(item.content.body.starts_with("<p>"));
        let findings = app.service.scan_item(&item).await.unwrap();
        assert_eq!(findings.len(), 2, "{label}: {findings:?}");
        assert!(
            !findings.iter().any(|f| f.excerpt.contains("13812345678")),
            "excerpts show the masked form"
        );

        // Nobody publishes an unreviewed item.
        assert!(matches!(
            app.service.publish_item(&office, item.id, None).await,
            Err(ServiceError::Refused(_))
        ));
        let item = app.service.submit_item(&drafter, item.id).await.unwrap();
        assert_eq!(item.review.status, Status::InReview);
        // Only the head of the drafting division signs step 1; the leader cannot skip it.
        assert!(
            app.service
                .decide_item(&other_head, item.id, true, "同意", "")
                .await
                .is_err()
        );
        assert!(
            app.service
                .decide_item(&leader, item.id, true, "同意", "")
                .await
                .is_err()
        );
        assert!(
            app.service
                .review_queue(&head, ems)
                .await
                .unwrap()
                .iter()
                .any(|i| i.id == item.id)
        );
        assert!(
            app.service
                .review_queue(&other_head, ems)
                .await
                .unwrap()
                .is_empty()
        );
        // The drafter cannot edit while it is being reviewed.
        assert!(matches!(
            app.service
                .update_item(&drafter, item.id, &form(notice.id.0, "改"))
                .await,
            Err(ServiceError::Refused(_))
        ));
        app.service
            .decide_item(&head, item.id, true, "同意", "")
            .await
            .unwrap();
        // The leader cannot approve with unresolved personal data without a written reason…
        let e = app
            .service
            .decide_item(&leader, item.id, true, "同意", "")
            .await
            .unwrap_err();
        assert!(
            matches!(e, ServiceError::Invalid(ref v) if v[0].field == "override_reason"),
            "{e:?}"
        );
        // …so they return it; the drafter masks with one click and resubmits.
        assert!(
            app.service
                .decide_item(&leader, item.id, false, "", "")
                .await
                .is_err(),
            "a return needs an opinion"
        );
        let item = app
            .service
            .decide_item(&leader, item.id, false, "请屏蔽个人信息", "")
            .await
            .unwrap();
        assert_eq!(item.review.status, Status::Draft);
        let item = app.service.mask_item(&drafter, item.id).await.unwrap();
        assert!(
            item.content.body.contains("138****5678")
                && item.content.body.contains("11*************02X"),
            "{}",
            item.content.body
        );
        assert!(app.service.scan_item(&item).await.unwrap().is_empty());
        app.service.submit_item(&drafter, item.id).await.unwrap();
        app.service
            .decide_item(&head, item.id, true, "同意", "")
            .await
            .unwrap();
        let item = app
            .service
            .decide_item(&leader, item.id, true, "同意发布", "")
            .await
            .unwrap();
        assert_eq!(item.review.status, Status::Approved);

        // Publication needs the agency's credit code for the 索引号.
        let e = app
            .service
            .publish_item(&office, item.id, None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("统一社会信用代码"), "{e}");
        assert!(matches!(
            app.service.set_credit_code(&admin, ems, "bad").await,
            Err(ServiceError::Invalid(_))
        ));
        app.service
            .set_credit_code(&admin, ems, "11320600MB1234567X")
            .await
            .unwrap();
        let item = app
            .service
            .publish_item(&office, item.id, None)
            .await
            .unwrap();
        assert_eq!(item.review.status, Status::Published);
        assert_eq!(
            item.index_no.as_deref(),
            Some("11320600MB1234567X/2026-00001"),
            "{label}"
        );
        let public = app.service.public_item(item.id).await.unwrap().unwrap();
        assert_eq!(public.title, "关于2026年安全生产检查的通知");
        assert!(!public.body.contains("13812345678"));

        // A change keeps the public rendition until it is reviewed and published again.
        let mut changed = form(notice.id.0, "更新后的正文。");
        changed.title = "关于2026年安全生产检查的通知（修订）".into();
        let item = app
            .service
            .update_item(&drafter, item.id, &changed)
            .await
            .unwrap();
        assert_eq!(item.review.status, Status::Published);
        assert_eq!(
            app.service
                .public_item(item.id)
                .await
                .unwrap()
                .unwrap()
                .title,
            "关于2026年安全生产检查的通知"
        );
        app.service.submit_item(&drafter, item.id).await.unwrap();
        // While the change is reviewed, the published version stays public (and in the lists).
        assert_eq!(
            app.service
                .public_item(item.id)
                .await
                .unwrap()
                .unwrap()
                .title,
            "关于2026年安全生产检查的通知"
        );
        assert_eq!(app.service.public_items(notice.id, 1).await.unwrap().1, 1);
        app.service
            .decide_item(&head, item.id, true, "同意", "")
            .await
            .unwrap();
        app.service
            .decide_item(&leader, item.id, true, "同意", "")
            .await
            .unwrap();
        // A column that holds items cannot be deleted.
        assert!(matches!(
            app.service.delete_column(&office, notice.id).await,
            Err(ServiceError::Refused(_))
        ));
        // Scheduled publication.
        let at = app.clock.now_ms() + 3_600_000;
        app.service
            .publish_item(&office, item.id, Some(at))
            .await
            .unwrap();
        assert_eq!(app.service.publish_scheduled().await.unwrap(), 0);
        app.clock.advance(chrono::Duration::hours(2));
        assert_eq!(app.service.publish_scheduled().await.unwrap(), 1);
        let public = app.service.public_item(item.id).await.unwrap().unwrap();
        assert_eq!(public.title, "关于2026年安全生产检查的通知（修订）");
        assert_eq!(
            public.index_no, "11320600MB1234567X/2026-00001",
            "the 索引号 never changes"
        );
        assert_eq!(public.history.len(), 1);

        // Withdrawal: the leader, with a reason; then it is gone from the portal.
        assert!(
            app.service
                .withdraw_item(&head, item.id, "错")
                .await
                .is_err()
        );
        assert!(
            app.service
                .withdraw_item(&leader, item.id, " ")
                .await
                .is_err()
        );
        app.service
            .withdraw_item(&leader, item.id, "数据有误，待更正后重新发布")
            .await
            .unwrap();
        assert!(app.service.public_item(item.id).await.unwrap().is_none());

        let events: Vec<_> = app
            .service
            .item_events(&drafter, item.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(events.first().map(String::as_str), Some("submit"));
        assert!(
            events.contains(&"mask".to_owned())
                && events.contains(&"publish".to_owned())
                && events.contains(&"withdraw".to_owned())
        );
        assert_eq!(
            app.service
                .store()
                .verify_audit_chain(None)
                .await
                .unwrap()
                .first_break,
            None
        );
        // Serials are per prefix and year, never reused.
        let second = app
            .service
            .create_item(&drafter, ems, &form(notice.id.0, "第二条"))
            .await
            .unwrap();
        app.service.submit_item(&drafter, second.id).await.unwrap();
        app.service
            .decide_item(&head, second.id, true, "同意", "")
            .await
            .unwrap();
        app.service
            .decide_item(&leader, second.id, true, "同意", "")
            .await
            .unwrap();
        let second = app
            .service
            .publish_item(&drafter, second.id, None)
            .await
            .unwrap();
        assert_eq!(
            second.index_no.as_deref(),
            Some("11320600MB1234567X/2026-00002")
        );
    }
}

#[tokio::test]
async fn interpretations_link_to_their_policy() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let office = app
        .user(
            "gongkaiban",
            ems,
            &[
                Role::Office,
                Role::Drafter,
                Role::DivisionHead,
                Role::Leader,
            ],
        )
        .await;
    let me = Actor::User(office);
    let col = app
        .service
        .create_column(&me, ems, None, "政策解读", "interpretation", None)
        .await
        .unwrap();
    let e = app
        .service
        .create_item(&me, ems, &form(col.id.0, "解读"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Invalid(ref v) if v.iter().any(|f| f.field == "interprets_id"))
    );
    let mut f = form(col.id.0, "解读");
    f.interprets_id = "999".into();
    let e = app.service.create_item(&me, ems, &f).await.unwrap_err();
    assert!(e.to_string().contains("有误") || matches!(e, ServiceError::Invalid(_)));
}
