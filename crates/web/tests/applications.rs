//! Disclosure applications through the real router: the public form and status page, every
//! back-office event form, letters, reports, settings, the register and the calendar page, with
//! their permissions.

use axum::http::StatusCode;
use gongkai_domain::Role;
use gongkai_test_support::{Client, TestApp, TestDb};

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body.find(start).map_or(0, |i| i + start.len());
    let j = body[i..].find(end).map_or(body.len(), |j| i + j);
    &body[i..j]
}

async fn submit_online(c: &mut Client, agency: &str) -> (String, String) {
    c.get("/apply").await.expect(StatusCode::OK);
    let r = c
        .post(
            "/apply",
            &[
                ("agency_id", agency),
                ("kind", "natural_person"),
                ("name", "李四"),
                ("id_type", "resident_id"),
                ("id_number", "11010519491231002X"),
                ("phone", "13900001111"),
                ("postal_address", "示例市示例路 1 号"),
                ("info_title", "2025年度防汛抢险物资采购合同"),
                ("medium", "paper"),
                ("delivery", "post"),
                ("website", ""),
            ],
        )
        .await;
    r.expect(StatusCode::OK);
    let case_no = between(&r.body, "<dd id=\"case-no\">", "<").to_owned();
    let code = between(&r.body, "<dd id=\"query-code\">", "<").to_owned();
    assert_eq!(code.len(), 8, "{}", r.body);
    (case_no, code)
}

async fn act(
    c: &mut Client,
    id: i64,
    event: &str,
    form: &[(&str, &str)],
) -> gongkai_test_support::Page {
    let page = c.get(&format!("/admin/applications/{id}")).await;
    assert!(
        page.body.contains("name=\"csrf\""),
        "{event}: the case page did not render: {} {}",
        page.status,
        page.text()
    );
    c.post(&format!("/admin/applications/{id}/act/{event}"), form)
        .await
}

#[tokio::test]
async fn the_public_applies_and_the_office_answers_through_the_pages() {
    for db in TestDb::all("web_applications").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let agency = ems.to_string();
        app.user("gkb", ems, &[Role::Office]).await;
        app.user("gkb.head", ems, &[Role::OfficeHead]).await;
        let jbr = app.user("jbr", ems, &[Role::Drafter]).await;
        app.user("jbr2", ems, &[Role::Drafter]).await;

        // A bad public form comes back with each message beside its field and the values kept.
        let mut public = app.client();
        let form = public.get("/apply").await;
        form.expect(StatusCode::OK);
        assert!(form.body.contains("示例市应急管理局") && form.body.contains("name=\"website\""));
        let bad = public
            .post(
                "/apply",
                &[
                    ("agency_id", &agency),
                    ("kind", "natural_person"),
                    ("name", "李四"),
                    ("id_type", "resident_id"),
                    ("id_number", "123"),
                    ("delivery", "post"),
                ],
            )
            .await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("居民身份证号码应为 18 位"), "{label}");
        assert!(bad.body.contains("选择以邮寄方式获取时，请填写通信地址"));
        assert!(
            bad.body.contains("value=\"李四\""),
            "{label}: entered values are kept"
        );
        // The honeypot.
        public.get("/apply").await;
        let bot = public
            .post(
                "/apply",
                &[("agency_id", &agency), ("website", "http://spam")],
            )
            .await;
        bot.expect(StatusCode::BAD_REQUEST);
        // Without a CSRF token nothing is accepted.
        let mut anon = app.client();
        anon.post_raw("/apply", &[("agency_id", &agency)], &[])
            .await
            .expect(StatusCode::FORBIDDEN);

        let (case_no, code) = submit_online(&mut public, &agency).await;
        public.get("/apply/status").await;
        let st = public
            .post("/apply/status", &[("case_no", &case_no), ("code", &code)])
            .await;
        st.expect(StatusCode::OK);
        assert!(st.text().contains("已提交待确认"), "{label}");
        assert!(
            !st.body.contains("李四") && !st.body.contains("1101051949"),
            "{label}: no personal data"
        );
        let wrong = public
            .post(
                "/apply/status",
                &[("case_no", &case_no), ("code", "AAAAAAAA")],
            )
            .await;
        wrong.expect(StatusCode::BAD_REQUEST);
        assert!(wrong.text().contains("申请编号或查询码不正确"));

        // The office sees it on the dashboard and handles it.
        let mut office = app.login("gkb").await;
        let list = office.get("/admin/applications").await;
        list.expect(StatusCode::OK);
        assert!(
            list.body.contains(&case_no) && list.text().contains("待确认收到"),
            "{label}"
        );
        let id: i64 = app
            .service
            .store()
            .application_by_case_no(&case_no)
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = act(
            &mut office,
            id,
            "confirm_receipt",
            &[("on", "2026-03-02"), ("method", "电话确认")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{label}: {}", r.body);
        // A refused transition says why and keeps the page.
        let r = act(
            &mut office,
            id,
            "receive_correction",
            &[("on", "2026-03-02")],
        )
        .await;
        r.expect(StatusCode::CONFLICT);
        assert!(r.text().contains("不能“收到补正申请”"), "{label}");
        let r = act(&mut office, id, "confirm_receipt", &[("on", "2026/03/02")]).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("YYYY-MM-DD"));
        office.get(&format!("/admin/applications/{id}")).await;
        let r = office
            .post(
                &format!("/admin/applications/{id}/assign"),
                &[("handler_id", &jbr.id.0.to_string()), ("division_id", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The assigned drafter works it; another drafter is refused.
        let mut other = app.login("jbr2").await;
        other
            .get(&format!("/admin/applications/{id}"))
            .await
            .expect(StatusCode::FORBIDDEN);
        let mut jbr_c = app.login("jbr").await;
        let page = jbr_c.get(&format!("/admin/applications/{id}")).await;
        page.expect(StatusCode::OK);
        assert!(
            page.body.contains("李四"),
            "{label}: the handler sees the applicant"
        );
        let r = act(
            &mut jbr_c,
            id,
            "request_correction",
            &[
                ("items", "请写明合同编号"),
                ("on", "2026-03-02"),
                ("period_wd", "10"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(
            &mut jbr_c,
            id,
            "receive_correction",
            &[("on", "2026-03-02")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(
            &mut jbr_c,
            id,
            "start_consultation",
            &[
                ("kind", "agency"),
                ("party", "示例市财政局"),
                ("on", "2026-03-02"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = act(
            &mut jbr_c,
            id,
            "consultation_answered",
            &[
                ("index", "0"),
                ("on", "2026-03-02"),
                ("opinion", "同意公开"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(
            &mut jbr_c,
            id,
            "request_explanation",
            &[("on", "2026-03-02")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = act(
            &mut jbr_c,
            id,
            "explanation_received",
            &[("on", "2026-03-02"), ("accepted", "yes")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // A drafter cannot approve an extension.
        let r = act(
            &mut jbr_c,
            id,
            "approve_extension",
            &[("wd", "5"), ("reason", "x")],
        )
        .await;
        r.expect(StatusCode::FORBIDDEN);
        let r = act(
            &mut jbr_c,
            id,
            "submit_draft",
            &[
                ("disposition", "granted"),
                (
                    "basis",
                    "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
                ),
                ("provided", "随本答复书邮寄合同复印件"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let mut head = app.login("gkb.head").await;
        let r = act(
            &mut head,
            id,
            "approve_extension",
            &[("wd", "10"), ("reason", "需调取档案"), ("on", "2026-03-02")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = act(&mut head, id, "approve_decision", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let letter = jbr_c
            .get(&format!("/admin/applications/{id}/letters/reply"))
            .await;
        letter.expect(StatusCode::OK);
        let text = letter.text();
        assert!(
            text.contains("政府信息公开申请答复书")
                && text.contains("李四：")
                && text.contains("〔2026〕1号"),
            "{label}: {text}"
        );
        assert!(text.contains("六十日内向示例市人民政府申请行政复议"));
        let ext = jbr_c
            .get(&format!("/admin/applications/{id}/letters/extension"))
            .await;
        ext.expect(StatusCode::OK);
        assert!(ext.text().contains("延长 10 个工作日"));
        let docx = jbr_c
            .get(&format!("/admin/applications/{id}/letters/reply/docx"))
            .await;
        docx.expect(StatusCode::OK);
        assert!(
            docx.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("wordprocessingml")
        );
        let r = act(
            &mut jbr_c,
            id,
            "deliver",
            &[
                ("kind", "posted"),
                ("on", "2026-03-02"),
                ("proof", "EMS1000"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let st = public
            .post("/apply/status", &[("case_no", &case_no), ("code", &code)])
            .await;
        assert!(
            st.text().contains("已办结") && st.text().contains("予以公开"),
            "{label}"
        );

        // The supervisor above reads the bureau's cases (masked), a drafter not the overview.
        app.user("jiandu", app.agencies.city, &[Role::Supervisor])
            .await;
        let mut sup = app.login("jiandu").await;
        let list = sup
            .get(&format!("/admin/applications?agency={ems}&view=all"))
            .await;
        list.expect(StatusCode::OK);
        assert!(
            list.body.contains(&case_no) && list.text().contains("李*"),
            "{label}"
        );
        assert!(!list.text().contains("李四"));
        sup.get(&format!(
            "/admin/applications/report?agency={ems}&year=2026"
        ))
        .await
        .expect(StatusCode::OK);
        other
            .get("/admin/applications/report")
            .await
            .expect(StatusCode::FORBIDDEN);
        let page = sup.get(&format!("/admin/applications/{id}")).await;
        assert!(!page.body.contains("/letters/") && !page.body.contains("dossier"));
        sup.get(&format!("/admin/applications/{id}/dossier"))
            .await
            .expect(StatusCode::FORBIDDEN);
        // The case file as one ZIP for the office.
        let zip = office
            .get(&format!("/admin/applications/{id}/dossier"))
            .await;
        zip.expect(StatusCode::OK);
        assert_eq!(zip.headers.get("content-type").unwrap(), "application/zip");
        assert!(zip.body.starts_with("PK"));

        // Reports, settings, register, calendar.
        let rep = office.get("/admin/applications/report?year=2026").await;
        rep.expect(StatusCode::OK);
        assert!(rep.text().contains("（一）予以公开"));
        let s = office.get("/admin/applications/settings").await;
        s.expect(StatusCode::OK);
        let bad = office
            .post(
                "/admin/applications/settings",
                &[
                    ("reply_wd", "25"),
                    ("extension_max_wd", "20"),
                    ("extension_max_count", "1"),
                    ("correction_notice_wd", "7"),
                    ("correction_default_period_wd", "10"),
                    ("third_party_wd", "15"),
                    ("reminder_offsets_wd", "5,2"),
                ],
            )
            .await;
        bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("本地规定只能比法定期限更短"));
        office
            .get("/admin/proceedings")
            .await
            .expect(StatusCode::OK);
        let r = office
            .post(
                "/admin/proceedings",
                &[
                    ("kind", "administrative_review"),
                    ("body", "示例市人民政府"),
                    ("filed_on", "2026-03-02"),
                    ("application_case_no", &case_no),
                    ("result", "pending"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let reg = office.get("/admin/proceedings").await;
        assert!(reg.body.contains(&case_no) && reg.text().contains("尚未审结"));
        let cal = office.get("/admin/calendar?year=2026").await;
        cal.expect(StatusCode::OK);
        assert!(cal.text().contains("调休上班"));
        // Only the top-level administrator imports a calendar.
        let r = office
            .post(
                "/admin/calendar",
                &[
                    ("text", "date\tkind\tname\n2027-01-01\tholiday\t元旦\n"),
                    ("source", "通知"),
                ],
            )
            .await;
        assert_ne!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn counter_registration_shows_the_query_code_once() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    app.user("gkb", ems, &[Role::Office]).await;
    let mut c = app.login("gkb").await;
    let f = c.get("/admin/applications/new").await;
    f.expect(StatusCode::OK);
    let bad = c
        .post(
            "/admin/applications/new",
            &[
                ("channel", "in_person"),
                ("kind", "natural_person"),
                ("received_on", "2026-03-02"),
            ],
        )
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("请填写申请人姓名"));
    let token = f
        .body
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let fields = [
        ("channel", "in_person"),
        ("kind", "natural_person"),
        ("name", "王五"),
        ("received_on", "2026-03-02"),
        ("submitted_on", "2026-03-02"),
        ("description", "某路口改造的批复"),
        ("form_token", token.as_str()),
    ];
    let r = c.post("/admin/applications/new", &fields).await;
    // The code is shown once, on the answer page itself (never in an address).
    r.expect(StatusCode::OK);
    assert!(r.body.contains("id=\"query-code\"") && r.text().contains("申请已登记"));
    assert!(
        r.headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let case_no = r
        .body
        .split("id=\"case-no\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let id = app
        .service
        .store()
        .application_by_case_no(&case_no)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = c.get(&format!("/admin/applications/{id}")).await;
    page.expect(StatusCode::OK);
    assert!(page.text().contains("已登记"));
    assert!(page.text().contains("2026-03-30"), "due date shown");
    assert!(
        !page.body.contains("id=\"query-code\""),
        "the code is not shown again"
    );
    // A refresh of the answer page re-sends the form: it is not registered twice.
    c.get("/admin/applications/new").await;
    let again = c.post("/admin/applications/new", &fields).await;
    again.expect(StatusCode::BAD_REQUEST);
    assert!(again.text().contains("已经提交过"));
    assert_eq!(app.service.store().count("applications").await.unwrap(), 1);
}

/// The events the main path does not take, each through its form: on-the-spot answer, extension
/// of the correction period and its lapse, consultation receipt and lapse, the Art. 35 delay,
/// fee notice / payment / lapse, return of a draft, withdrawal, archive, the applicant-type
/// correction, and case files — with the refusals the law requires.
#[tokio::test]
async fn every_other_event_through_its_form() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    app.user("gkb", ems, &[Role::Office]).await;
    app.user("gkb.head", ems, &[Role::OfficeHead]).await;
    let mut office = app.login("gkb").await;
    let svc = &app.service;
    let register_on = |name: &'static str, on: &'static str| {
        let svc = svc.clone();
        async move {
            let f = gongkai_service::ApplicationForm {
                kind: "natural_person".into(),
                name: name.into(),
                channel: "in_person".into(),
                received_on: on.into(),
                submitted_on: on.into(),
                description: format!("{name}申请的信息"),
                ..Default::default()
            };
            let actor = gongkai_service::Actor::User(
                svc.store().user_by_username("gkb").await.unwrap().unwrap(),
            );
            svc.register_application(&actor, ems, &f).await.unwrap().0
        }
    };
    let register = |name: &'static str| register_on(name, "2026-03-02");
    let ok = |p: &gongkai_test_support::Page| {
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
    };

    // On the spot, on the day of receipt.
    let a = register("甲").await;
    ok(&act(
        &mut office,
        a,
        "answer_on_spot",
        &[
            ("disposition", "not_processed_publication"),
            (
                "basis",
                "《中华人民共和国政府信息公开条例》第三十九条第二款",
            ),
            ("reasons", "所需为公开出版物，可在市图书馆查阅"),
        ],
    )
    .await);
    let v = svc
        .application(&gongkai_service::Actor::System, a)
        .await
        .unwrap();
    assert_eq!(v.state, "closed");
    assert!(v.case.decision.unwrap().letter_no.is_some());
    // Archiving without any uploaded material works but says what the file lacks.
    let r = act(&mut office, a, "archive", &[]).await;
    r.expect(StatusCode::OK);
    assert!(r.text().contains("案卷中没有上传任何材料"));

    // 补正 → extension of its period → lapse only after it ran out.
    let b = register("乙").await;
    ok(&act(
        &mut office,
        b,
        "request_correction",
        &[
            ("items", "请写明文件名称"),
            ("on", "2026-03-02"),
            ("period_wd", "3"),
        ],
    )
    .await);
    let r = act(
        &mut office,
        b,
        "request_correction",
        &[("items", "再次补正"), ("on", "2026-03-02")],
    )
    .await;
    r.expect(StatusCode::CONFLICT);
    ok(&act(
        &mut office,
        b,
        "extend_correction_period",
        &[("extra_wd", "2"), ("reason", "申请人出差")],
    )
    .await);
    let r = act(&mut office, b, "correction_lapsed", &[]).await;
    r.expect(StatusCode::CONFLICT);
    assert!(r.text().contains("届满前不能"), "{}", r.text());
    app.clock.advance(chrono::Duration::days(10));
    // Sessions end after 30 idle minutes: sign in again.
    office = app.login("gkb").await;
    ok(&act(&mut office, b, "correction_lapsed", &[]).await);
    let reply = office
        .get(&format!("/admin/applications/{b}/letters/reply"))
        .await;
    reply.expect(StatusCode::OK);
    assert!(reply.text().contains("视为放弃申请"));
    let corr = office
        .get(&format!("/admin/applications/{b}/letters/correction"))
        .await;
    assert!(
        corr.text().contains("政府信息公开申请补正通知书")
            && corr.text().contains("请写明文件名称")
    );

    // Consultation: receipt, then lapse after 15 working days.
    let c = register("丙").await;
    office.get(&format!("/admin/applications/{c}")).await;
    ok(&office
        .post(
            &format!("/admin/applications/{c}/assign"),
            &[("handler_id", ""), ("division_id", "")],
        )
        .await);
    ok(&act(
        &mut office,
        c,
        "start_consultation",
        &[
            ("kind", "third_party"),
            ("party", "某公司"),
            ("on", "2026-03-12"),
        ],
    )
    .await);
    ok(&act(
        &mut office,
        c,
        "consultation_received",
        &[("index", "0"), ("on", "2026-03-12")],
    )
    .await);
    let r = act(&mut office, c, "consultation_lapsed", &[("index", "0")]).await;
    r.expect(StatusCode::CONFLICT);
    app.clock.advance(chrono::Duration::days(30));
    // Sessions end after 30 idle minutes: sign in again.
    office = app.login("gkb").await;
    let mut head = app.login("gkb.head").await;
    ok(&act(&mut office, c, "consultation_lapsed", &[("index", "0")]).await);
    // Art. 35: reasons accepted, a later date fixed by the head.
    ok(&act(&mut office, c, "request_explanation", &[]).await);
    ok(&act(
        &mut office,
        c,
        "explanation_received",
        &[("accepted", "yes")],
    )
    .await);
    let r = act(
        &mut head,
        c,
        "set_delay_period",
        &[("until", "2026-04-01"), ("reason", "x")],
    )
    .await;
    r.expect(StatusCode::CONFLICT);
    ok(&act(
        &mut head,
        c,
        "set_delay_period",
        &[("until", "2026-06-30"), ("reason", "涉及档案数量大")],
    )
    .await);
    assert!(
        office
            .get(&format!("/admin/applications/{c}"))
            .await
            .text()
            .contains("2026-06-30")
    );
    for (kind, words) in [
        ("delay", "延迟答复告知书"),
        ("explanation", "说明理由通知书"),
        ("consultation-0", "第三方意见征求书"),
    ] {
        let l = office
            .get(&format!("/admin/applications/{c}/letters/{kind}"))
            .await;
        l.expect(StatusCode::OK);
        assert!(l.text().contains(words), "{kind}: {}", l.text());
    }
    // A draft returned with an opinion; then the applicant withdraws.
    ok(&act(
        &mut office,
        c,
        "submit_draft",
        &[
            ("disposition", "unable_not_held"),
            (
                "basis",
                "《中华人民共和国政府信息公开条例》第三十六条第（四）项",
            ),
            ("reasons", "经检索未找到"),
        ],
    )
    .await);
    let r = act(&mut head, c, "return_draft", &[("opinion", "")]).await;
    r.expect(StatusCode::CONFLICT);
    ok(&act(
        &mut head,
        c,
        "return_draft",
        &[("opinion", "请写明检索范围")],
    )
    .await);
    ok(&act(&mut office, c, "withdraw", &[("reason", "申请人书面撤回")]).await);
    assert_eq!(
        svc.application(&gongkai_service::Actor::System, c)
            .await
            .unwrap()
            .case
            .disposition,
        Some(gongkai_domain::application::Disposition::OtherOther)
    );

    // Fees: the head issues the notice; payment resumes the clock; a second case lapses.
    // (fee notices go out within the reply period: these two arrive today, 2026-04-11)
    let d = register_on("丁", "2026-04-11").await;
    let e = register_on("戊", "2026-04-11").await;
    for id in [d, e] {
        office.get(&format!("/admin/applications/{id}")).await;
        ok(&office
            .post(
                &format!("/admin/applications/{id}/assign"),
                &[("handler_id", ""), ("division_id", "")],
            )
            .await);
        let r = act(
            &mut office,
            id,
            "issue_fee_notice",
            &[("method", "per_page"), ("units", "250")],
        )
        .await;
        r.expect(StatusCode::FORBIDDEN);
        ok(&act(
            &mut head,
            id,
            "issue_fee_notice",
            &[("method", "per_page"), ("units", "250")],
        )
        .await);
    }
    let fee = office
        .get(&format!("/admin/applications/{d}/letters/fee"))
        .await;
    assert!(fee.text().contains("人民币4700元"), "{}", fee.text());
    ok(&act(&mut office, d, "fee_paid", &[("receipt_no", "票据 001")]).await);
    app.clock.advance(chrono::Duration::days(40));
    // Sessions end after 30 idle minutes: sign in again.
    office = app.login("gkb").await;
    ok(&act(&mut office, e, "fee_lapsed", &[]).await);

    // Applicant type correction needs a reason; files are attached and downloaded.
    let r = office
        .post(
            &format!("/admin/applications/{d}/type"),
            &[("applicant_type", "legal_service_org"), ("reason", "")],
        )
        .await;
    r.expect(StatusCode::UNPROCESSABLE_ENTITY);
    ok(&office
        .post(
            &format!("/admin/applications/{d}/type"),
            &[
                ("applicant_type", "legal_service_org"),
                ("reason", "申请书以律师事务所名义提交"),
            ],
        )
        .await);
    let file = svc
        .attach_application_file(
            &gongkai_service::Actor::System,
            d,
            "回执.txt",
            "EMS 回执 1234".as_bytes(),
        )
        .await
        .unwrap();
    let got = office
        .get(&format!("/admin/application-files/{}", file.id))
        .await;
    got.expect(StatusCode::OK);
    assert!(got.body.contains("EMS 回执"));
    let t3 = svc
        .application_table3(&gongkai_service::Actor::System, ems, 2026, false)
        .await
        .unwrap();
    assert_eq!(
        t3.row("received").unwrap().cells[4],
        1,
        "the corrected type counts"
    );
    assert_eq!(t3.row("other_overdue_correction").unwrap().cells[6], 1);
    assert_eq!(t3.row("other_overdue_fee").unwrap().cells[6], 1);
    assert_eq!(t3.row("not_processed_publication").unwrap().cells[6], 1);
    assert_eq!(t3.row("other_other").unwrap().cells[6], 1);
}
