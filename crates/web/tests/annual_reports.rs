//! The annual report pages through the real router: the compiled report with drill-down links,
//! figures and narrative forms (with their errors kept on screen), submission, downloads, the
//! supervision page and its permissions.

use axum::http::StatusCode;
use gongkai_domain::Role;
use gongkai_test_support::{TestApp, TestDb};

#[tokio::test]
async fn the_office_compiles_and_submits_the_report_and_the_supervisor_oversees() {
    for db in TestDb::all("web_annual_reports").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        app.service.ensure_standard_columns().await.unwrap();
        app.publisher().await;
        app.user("jiandu", app.agencies.city, &[Role::Supervisor])
            .await;
        app.user("jbr", app.agencies.ems, &[Role::Drafter]).await;
        let mut office = app.login("all").await;

        let page = office.get("/admin/annual-reports?year=2025").await;
        page.expect(StatusCode::OK);
        assert!(
            page.body
                .contains("示例市应急管理局2025年政府信息公开工作年度报告"),
            "{label}"
        );
        assert!(page.body.contains("2021 年格式"), "{label}");
        // Every value cell links to its sources; the drill-down page names the cell.
        assert!(page.body.contains("cell?agency="), "{label}");
        let cell = office
            .get(&format!(
                "/admin/annual-reports/cell?agency={}&year=2025&pointer=/tables/applications/received/total",
                app.agencies.ems.0
            ))
            .await;
        cell.expect(StatusCode::OK);
        assert!(
            cell.text().contains("本年新收政府信息公开申请数量"),
            "{label}"
        );
        // Empty figures are errors: submission is refused with the count.
        assert!(page.body.contains("4 处错误"), "{label}");
        let ems = app.agencies.ems.0.to_string();
        let r = office
            .post(
                "/admin/annual-reports/submit",
                &[("agency", &ems), ("year", "2025")],
            )
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("改正后才能送审"), "{label}");

        // A bad figure keeps everything typed on screen with the reason.
        let cells = [
            "/tables/active_disclosure/licensing/decisions",
            "/tables/active_disclosure/penalties/decisions",
            "/tables/active_disclosure/enforcement/decisions",
            "/tables/active_disclosure/fees/amount_wan_yuan",
        ];
        let mut form: Vec<(&str, &str)> = vec![("agency", &ems), ("year", "2025")];
        for (c, v) in cells.iter().zip(["12", "-1", "0", "0.5"]) {
            form.extend([
                ("cell", *c),
                ("value", v),
                ("unit", ""),
                ("source", "业务系统"),
            ]);
        }
        let r = office.post("/admin/annual-reports/figures", &form).await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("应为 0 或正整数"), "{label}");
        assert!(
            r.body.contains("value=\"12\""),
            "{label}: entered values kept"
        );
        let mut form: Vec<(&str, &str)> = vec![("agency", &ems), ("year", "2025")];
        for (c, v) in cells.iter().zip(["12", "1", "0", "0.5"]) {
            form.extend([
                ("cell", *c),
                ("value", v),
                ("unit", ""),
                ("source", "业务系统"),
            ]);
        }
        let r = office.post("/admin/annual-reports/figures", &form).await;
        assert!(
            r.location().is_some_and(|l| l.contains("done=figures")),
            "{label}: {}",
            r.text()
        );
        let page = office.get("/admin/annual-reports?year=2025").await;
        assert!(page.body.contains("无错误"), "{label}: {}", page.text());

        // The narrative: an empty section is refused and the text kept.
        let r = office
            .post(
                "/admin/annual-reports/narrative",
                &[
                    ("agency", &ems),
                    ("year", "2025"),
                    ("overview", "2025年，本局全年新收政府信息公开申请0件。"),
                    ("problems", ""),
                    (
                        "other_matters",
                        "（一）信息处理费收取情况\n本年度未收取信息处理费。",
                    ),
                ],
            )
            .await;
        r.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("不能为空"), "{label}");
        assert!(
            r.body.contains("本局全年新收政府信息公开申请0件"),
            "{label}"
        );

        let r = office
            .post(
                "/admin/annual-reports/narrative",
                &[
                    ("agency", &ems),
                    ("year", "2025"),
                    ("overview", "2025年，本局全年新收政府信息公开申请0件。"),
                    ("problems", "无。"),
                    (
                        "other_matters",
                        "（一）信息处理费收取情况\n本年度未收取信息处理费。",
                    ),
                ],
            )
            .await;
        assert!(
            r.location().is_some_and(|l| l.contains("done=narrative")),
            "{label}: {}",
            r.text()
        );

        // Downloads of the current data for checking.
        for ext in ["docx", "xlsx", "json", "html"] {
            let d = office
                .get(&format!("/admin/annual-reports/current/{ext}?year=2025"))
                .await;
            d.expect(StatusCode::OK);
        }

        // Submission sends it into review; the page then says so.
        let r = office
            .post(
                "/admin/annual-reports/submit",
                &[("agency", &ems), ("year", "2025")],
            )
            .await;
        assert!(
            r.location().is_some_and(|l| l.contains("done=submitted")),
            "{label}: {}",
            r.text()
        );
        let page = office.get("/admin/annual-reports?year=2025").await;
        assert!(page.text().contains("审核中"), "{label}");

        // A drafter sees no report pages; the supervisor sees the subtree and the 汇总 state.
        let mut drafter = app.login("jbr").await;
        drafter
            .get("/admin/annual-reports?year=2025")
            .await
            .expect(StatusCode::FORBIDDEN);
        let mut sup = app.login("jiandu").await;
        let s = sup.get("/admin/annual-reports/supervision?year=2025").await;
        s.expect(StatusCode::OK);
        let t = s.text();
        assert!(t.contains("示例市交通运输局"), "{label}");
        assert!(t.contains("逾期未发布"), "{label}: {t}");
        office
            .get("/admin/annual-reports/supervision?year=2025")
            .await
            .expect(StatusCode::FORBIDDEN);
        // Nothing published yet: no public download, an empty open-data list.
        let mut public = app.client();
        public
            .get("/annual-reports/1/docx")
            .await
            .expect(StatusCode::NOT_FOUND);
        let list = public.get("/api/v1/reports").await;
        list.expect(StatusCode::OK);
        assert_eq!(list.body, "{\"data\":[]}", "{label}");

        // The reviewers approve, the office publishes: the report is on the portal with its
        // downloads, and in the open-data API.
        let svc = &app.service;
        let (head, leader) = app.reviewers().await;
        let office_actor = app.publisher_actor().await;
        let item = svc
            .annual_reports(&office_actor, app.agencies.ems)
            .await
            .unwrap()[0]
            .item_id
            .unwrap();
        svc.decide_item(&head, item, true, "同意", "")
            .await
            .unwrap();
        svc.decide_item(&leader, item, true, "同意", "")
            .await
            .unwrap();
        svc.publish_item(&office_actor, item, None).await.unwrap();
        let page = public.get(&format!("/items/{item}")).await;
        page.expect(StatusCode::OK);
        assert!(page.text().contains("下载本报告"), "{label}");
        assert!(
            page.body.contains("收到和处理政府信息公开申请情况"),
            "{label}"
        );
        let list = public.get("/api/v1/reports?year=2025").await;
        list.expect(StatusCode::OK);
        assert_eq!(
            list.headers
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap()),
            Some("*")
        );
        let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
        let id = v["data"][0]["id"].as_i64().unwrap();
        assert_eq!(v["data"][0]["status"], "published", "{label}");
        let doc = public.get(&format!("/api/v1/reports/{id}")).await;
        doc.expect(StatusCode::OK);
        let doc: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        assert_eq!(doc["schema"], "gongkai.annual-report/1", "{label}");
        assert_eq!(
            doc["tables"]["active_disclosure"]["licensing"]["decisions"],
            12
        );
        let cells = public.get(&format!("/api/v1/reports/{id}/cells")).await;
        let cells: serde_json::Value = serde_json::from_str(&cells.body).unwrap();
        assert_eq!(
            cells["cells"].as_array().unwrap().len(),
            10 + 175 + 15,
            "{label}"
        );
        let csv = public.get("/api/v1/reports.csv?year=2025").await;
        csv.expect(StatusCode::OK);
        assert!(
            csv.body
                .contains(",示例市应急管理局,2025,1,2021,active_disclosure,licensing,decisions,"),
            "{label}"
        );
        for ext in ["html", "docx", "xlsx", "json"] {
            public
                .get(&format!("/annual-reports/{id}/{ext}"))
                .await
                .expect(StatusCode::OK);
        }
        // Items, and every path of the OpenAPI document answers as documented.
        let items = public.get("/api/v1/items?per_page=5").await;
        let items: serde_json::Value = serde_json::from_str(&items.body).unwrap();
        assert!(items["total"].as_i64().unwrap() >= 1, "{label}");
        let bad = public.get("/api/v1/items?page=x").await;
        bad.expect(StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("参数 page 应为整数"), "{label}");
        let spec = public.get("/api/openapi.json").await;
        let spec: serde_json::Value = serde_json::from_str(&spec.body).unwrap();
        assert_eq!(spec["openapi"], "3.1.0");
        for path in spec["paths"].as_object().unwrap().keys() {
            let url = path.replace(
                "{id}",
                &if path.contains("items") { item } else { id }.to_string(),
            );
            let r = public.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{label}: {url}");
        }
        public
            .get("/api/v1/reports/999999")
            .await
            .expect(StatusCode::NOT_FOUND);
        // Every API error is JSON naming what is wrong.
        for (url, status, text) in [
            (
                "/api/v1/reports/abc",
                StatusCode::NOT_FOUND,
                "编号“abc”无效",
            ),
            ("/api/v1/items/abc", StatusCode::NOT_FOUND, "编号“abc”无效"),
            (
                "/api/v1/nothing-here",
                StatusCode::NOT_FOUND,
                "openapi.json",
            ),
            (
                "/api/v1/items?page=0",
                StatusCode::BAD_REQUEST,
                "page 应在 1 到 1000000 之间",
            ),
            (
                "/api/v1/reports?year=x",
                StatusCode::BAD_REQUEST,
                "参数 year 应为整数",
            ),
        ] {
            let r = public.get(url).await;
            assert_eq!(r.status, status, "{label}: {url}");
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert!(
                v["error"].as_str().unwrap().contains(text),
                "{label}: {url} {}",
                r.body
            );
        }
        // The standalone page styles itself under its own policy (no script).
        let page = public.get(&format!("/annual-reports/{id}/html")).await;
        let csp = page
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("style-src 'unsafe-inline'") && !csp.contains("script"),
            "{csp}"
        );
        // Elsewhere the site policy stays.
        let home = public.get("/").await;
        let csp = home
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }
}

/// Multipart fields (`name`, value) and an optional file field.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----gongkaiReportBoundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_supervisor_imports_a_subordinate_report_from_a_file_or_pasted_page_text() {
    let app = TestApp::new().await;
    app.user("jiandu", app.agencies.city, &[Role::Supervisor])
        .await;
    let mut sup = app.login("jiandu").await;
    sup.get("/admin/annual-reports/supervision?year=2025").await;
    let csrf = sup.csrf.clone().unwrap();
    let cookie = sup.cookie.clone().unwrap();
    let mut r = gongkai_report::Report::template(gongkai_report::Format::V2021, 2025);
    r.title = Some("示例市交通运输局2025年政府信息公开工作年度报告".into());
    let flat = gongkai_report::render::render(
        &r,
        gongkai_report::render::Target::Flat,
        gongkai_report::render::RenderOptions::default(),
    )
    .unwrap();
    let transport = app.agencies.transport.0.to_string();
    let city = app.agencies.city.0.to_string();
    let send = |fields: Vec<(&'static str, String)>, file: Option<(&'static str, Vec<u8>)>| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ct, body) = multipart(&f, file.as_ref().map(|(n, b)| (*n, b.as_slice())));
        axum::http::Request::builder()
            .method("POST")
            .uri(format!("/admin/annual-reports/import?csrf={csrf}"))
            .header("host", "localhost")
            .header("cookie", format!("gk_session={cookie}"))
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let base = vec![
        ("agency", transport.clone()),
        ("back_year", "2025".to_owned()),
        ("year", "2025".to_owned()),
        ("supervisor", city.clone()),
        ("published_on", "2026-01-20".to_owned()),
    ];
    // Pasted page text.
    let mut fields = base.clone();
    fields.push(("text", String::from_utf8(flat.clone()).unwrap()));
    let req = send(fields, None);
    let page = sup.send(req).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert!(page.location().unwrap().contains("done=imported"));
    let s = sup.get("/admin/annual-reports/supervision?year=2025").await;
    assert!(s.text().contains("已按时发布"), "{}", s.text());
    // A file that is no report: the reason, not a crash.
    let req = send(base.clone(), Some(("x.txt", b"hello".to_vec())));
    let page = sup.send(req).await;
    page.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("导入失败"), "{}", page.text());
    // A bad date is named.
    let mut fields = base.clone();
    fields[4].1 = "2026/13/01".into();
    let req = send(fields, Some(("r.txt", flat)));
    let page = sup.send(req).await;
    page.expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("网站发布日期"), "{}", page.text());
}
