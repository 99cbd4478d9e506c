//! The annual report compiled from the platform's data, on every backend: a constructed year
//! gives exactly the hand-computed tables; render → parse gives the tables back; submission
//! goes through the review chain; publication locks the year; a restatement is a new version
//! with a reason, and both versions are kept.

use chrono::NaiveDate;
use gongkai_domain::application::{Case, Channel, FeeMethod, FeeNotice};
use gongkai_domain::{AgencyId, Role};
use gongkai_report::{Format, Report, Severity, TableId};
use gongkai_service::store::ApplicationRow;
use gongkai_service::{Actor, Narrative, ProceedingForm, ReportStatus, ServiceError};
use gongkai_test_support::{TestApp, TestDb};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// An application as the store holds it, straight to the table: its type, receipt, closing and
/// outcome (the handling itself is tested in `applications.rs`).
async fn case(
    app: &TestApp,
    agency: AgencyId,
    n: usize,
    applicant_type: &str,
    receipt: Option<&str>,
    closed: Option<(&str, &str)>,
    fee_paid: Option<(&str, u64)>,
) {
    let mut c = match receipt {
        Some(r) => Case::registered(Channel::Online, d(r), d(r)),
        None => Case::submitted(Channel::PostOrdinary, d("2025-12-30")),
    };
    if let Some((on, amount)) = fee_paid {
        c.fee = Some(FeeNotice {
            method: FeeMethod::PerPage,
            units: 300,
            amount_yuan: amount,
            notice_on: d(on),
            received_on: d(on),
            payment_due: d(on),
            paid_on: Some(d(on)),
            receipt_no: "NO.1".into(),
            round: 0,
        });
    }
    let row = ApplicationRow {
        id: 0,
        agency_id: agency,
        case_no: format!("2025-{n:04}"),
        query_hash: String::new(),
        channel: "online".into(),
        state: if closed.is_some() {
            "closed"
        } else {
            "in_progress"
        }
        .into(),
        applicant_type: applicant_type.into(),
        applicant_key: String::new(),
        applicant_json: "{}".into(),
        request_json: "{}".into(),
        case_json: serde_json::to_string(&c).unwrap(),
        summary: "某项目批复".into(),
        receipt_date: receipt.map(str::to_owned),
        due_date: None,
        closed_on: closed.map(|c| c.0.to_owned()),
        disposition: closed.map(|c| c.1.to_owned()),
        handler_id: None,
        division_id: None,
        calendar_version: 0,
        submitted_at: 0,
        created_at: 0,
        updated_at: 0,
        version: 0,
    };
    let mut tx = app.service.store().begin().await.unwrap();
    let id = tx.insert_application(&row).await.unwrap();
    if fee_paid.is_some() {
        tx.insert_application_event(&gongkai_service::store::ApplicationEvent {
            id: 0,
            application_id: id,
            kind: "issue_fee_notice".into(),
            actor: "公开办".into(),
            role: "office".into(),
            at: 0,
            detail_json: "{}".into(),
            due_before: None,
            due_after: None,
            calendar_version: 0,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn set(r: &mut Report, pointer: &str, v: i64) {
    assert!(
        r.tables.set_by_pointer(pointer, Some(Decimal::from(v))),
        "{pointer}"
    );
}

#[tokio::test]
async fn a_constructed_year_is_compiled_checked_published_locked_and_restated() {
    for db in TestDb::all("annual_report_flow").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let office = app.publisher().await;
        let (head, leader) = app.reviewers().await;
        let drafter_only = Actor::User(app.user("jbr", ems, &[Role::Drafter]).await);
        let supervisor = Actor::User(
            app.user("jiandu", app.agencies.city, &[Role::Supervisor])
                .await,
        );
        let svc = &app.service;

        // Applications of 2025 (and around it).
        case(
            &app,
            ems,
            1,
            "natural_person",
            Some("2024-12-20"),
            Some(("2025-01-10", "granted")),
            None,
        )
        .await;
        case(
            &app,
            ems,
            2,
            "commercial_enterprise",
            Some("2025-03-01"),
            Some(("2025-03-20", "partially_granted")),
            Some(("2025-03-10", 100)),
        )
        .await;
        case(
            &app,
            ems,
            3,
            "natural_person",
            Some("2025-05-01"),
            Some(("2025-05-10", "denied_third_party_rights")),
            None,
        )
        .await;
        case(
            &app,
            ems,
            4,
            "legal_service_org",
            Some("2025-12-28"),
            None,
            None,
        )
        .await;
        case(
            &app,
            ems,
            5,
            "research_institution",
            Some("2025-06-01"),
            Some(("2026-01-05", "granted")),
            None,
        )
        .await;
        case(&app, ems, 6, "natural_person", None, None, None).await;
        case(
            &app,
            ems,
            7,
            "other_org",
            Some("2025-02-02"),
            Some(("2025-02-20", "other_overdue_fee")),
            None,
        )
        .await;
        case(
            &app,
            ems,
            8,
            "natural_person",
            Some("2023-05-01"),
            Some(("2023-05-20", "granted")),
            None,
        )
        .await;

        // The register: a review decided in the year, a direct suit still pending.
        for (kind, path, filed, result, on) in [
            (
                "administrative_review",
                "",
                "2025-04-01",
                "upheld",
                "2025-06-01",
            ),
            ("litigation", "direct", "2025-11-01", "pending", ""),
        ] {
            svc.save_proceeding(
                &office,
                ems,
                None,
                &ProceedingForm {
                    kind: kind.into(),
                    path: path.into(),
                    body: "示例市人民政府".into(),
                    filed_on: filed.into(),
                    notified_on: filed.into(),
                    result: result.into(),
                    result_on: on.into(),
                    plaintiff: "张三".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{label}: register: {e:?}"));
        }

        // 行政规范性文件 in the catalogue: issued in 2025, issued in 2024, repealed in 2025.
        let policy = svc
            .store()
            .columns(ems)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.law_item == Some(gongkai_domain::LawItem::A20_01))
            .expect("the Art. 20 (一) column");
        for (title, generated, validity, repealed) in [
            ("关于加强安全生产的通知", "2025-05-01", "valid", ""),
            ("应急物资管理办法", "2024-02-01", "valid", ""),
            (
                "旧的应急预案管理规定",
                "2023-01-01",
                "repealed",
                "2025-07-01",
            ),
        ] {
            let mut f = TestApp::item_form(policy.id.0, title, "正文");
            f.generated_on = generated.into();
            f.doc_class = "normative".into();
            f.validity = validity.into();
            f.repealed_on = repealed.into();
            app.publish(&office, &f).await;
        }
        // A 规范性文件 without its validity is refused with the field named.
        let mut f = TestApp::item_form(policy.id.0, "缺有效性", "正文");
        f.doc_class = "normative".into();
        let Err(ServiceError::Invalid(errs)) = svc.create_item(&office, ems, &f).await else {
            panic!("{label}: class without validity accepted");
        };
        assert_eq!(errs[0].field, "validity", "{label}");

        // Figures from other systems: a value needs its source; nonsense is named.
        let cell = |row: &str, col: &str| format!("/tables/active_disclosure/{row}/{col}");
        let bad = [
            (
                cell("licensing", "decisions"),
                "12.5".into(),
                String::new(),
                "审批系统".into(),
            ),
            (
                cell("penalties", "decisions"),
                "3".into(),
                String::new(),
                String::new(),
            ),
        ];
        let Err(ServiceError::Invalid(errs)) =
            svc.save_report_figures(&office, ems, 2025, &bad).await
        else {
            panic!("{label}: bad figures accepted");
        };
        assert_eq!(errs.len(), 2, "{label}: {errs:?}");
        assert!(errs[0].message.contains("正整数"), "{label}");
        assert!(errs[1].message.contains("来源"), "{label}");
        let figures = [
            (
                cell("licensing", "decisions"),
                "１２０".into(),
                String::new(),
                "市政务服务平台统计".into(),
            ),
            (
                cell("penalties", "decisions"),
                "3".into(),
                String::new(),
                "执法系统".into(),
            ),
            (
                cell("enforcement", "decisions"),
                "0".into(),
                String::new(),
                "执法系统".into(),
            ),
            (
                cell("fees", "amount_wan_yuan"),
                "0.038".into(),
                String::new(),
                "财务科".into(),
            ),
        ];
        assert_eq!(
            svc.save_report_figures(&office, ems, 2025, &figures)
                .await
                .unwrap(),
            4
        );
        // Only the office prepares; a drafter may not, a supervisor reads.
        assert!(matches!(
            svc.save_report_figures(&drafter_only, ems, 2025, &figures)
                .await,
            Err(ServiceError::Forbidden { .. })
        ));

        // The compiled tables equal the hand-computed ones, cell by cell.
        let c = svc
            .compile_annual_report(&supervisor, ems, 2025)
            .await
            .unwrap();
        let r = &c.report;
        assert_eq!(r.format, Format::V2021);
        let mut want = Report::new(Format::V2021, 2025, Some(Decimal::ZERO));
        let a = |row: &str, col: &str| format!("/tables/applications/{row}/{col}");
        for (row, col, v) in [
            ("received", "natural_person", 1),
            ("received", "commercial_enterprise", 1),
            ("received", "research_institution", 1),
            ("received", "legal_service_org", 1),
            ("received", "other_org", 1),
            ("received", "total", 5),
            ("carried_in", "natural_person", 1),
            ("carried_in", "total", 1),
            ("granted", "natural_person", 1),
            ("granted", "total", 1),
            ("partially_granted", "commercial_enterprise", 1),
            ("partially_granted", "total", 1),
            ("denied_third_party_rights", "natural_person", 1),
            ("denied_third_party_rights", "total", 1),
            ("other_overdue_fee", "other_org", 1),
            ("other_overdue_fee", "total", 1),
            ("total", "natural_person", 2),
            ("total", "commercial_enterprise", 1),
            ("total", "other_org", 1),
            ("total", "total", 4),
            ("carried_over", "research_institution", 1),
            ("carried_over", "legal_service_org", 1),
            ("carried_over", "total", 2),
        ] {
            set(&mut want, &a(row, col), v);
        }
        for (row, col, v) in [
            ("reconsideration", "upheld", 1),
            ("reconsideration", "total", 1),
            ("litigation_direct", "pending", 1),
            ("litigation_direct", "total", 1),
        ] {
            set(
                &mut want,
                &format!("/tables/review_litigation/{row}/{col}"),
                v,
            );
        }
        for (row, col, v) in [
            ("normative_documents", "issued", 1),
            ("normative_documents", "repealed", 1),
            ("normative_documents", "in_force", 2),
            ("licensing", "decisions", 120),
            ("penalties", "decisions", 3),
        ] {
            set(&mut want, &cell(row, col), v);
        }
        want.tables
            .set_by_pointer(&cell("fees", "amount_wan_yuan"), Some(Decimal::new(38, 3)));
        for t in TableId::ALL {
            assert_eq!(r.tables.grid(t), want.tables.grid(t), "{label}: {t:?}");
        }
        // H8 ran against the case records and passed; S13 notes the refusal without a
        // recorded third-party consultation; the fee is in the draft of section 六.
        assert!(
            !r.checks_not_run.iter().any(|n| n.rule.as_str() == "H8"),
            "{label}"
        );
        assert_eq!(c.hard_errors(), 0, "{label}: {:?}", r.findings);
        assert!(
            r.findings.iter().any(|f| f.rule.as_str() == "S13"),
            "{label}"
        );
        assert_eq!((c.fees_yuan, c.fee_cases), (100, 1), "{label}");
        assert!(c.narrative.other_matters.contains("共计100元"), "{label}");
        assert!(
            c.narrative.overview.contains("新收政府信息公开申请5件"),
            "{label}"
        );

        // Drill-down: the cell lists exactly its cases, items, proceedings or the figure.
        let s = svc
            .annual_report_cell(&office, ems, 2025, &a("total", "natural_person"))
            .await
            .unwrap();
        let nos: Vec<String> = s
            .lines
            .iter()
            .map(|l| {
                serde_json::to_value(l).unwrap()["case_no"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(nos, ["2025-0001", "2025-0003"], "{label}");
        let s = svc
            .annual_report_cell(&office, ems, 2025, &cell("normative_documents", "in_force"))
            .await
            .unwrap();
        assert_eq!(s.lines.len(), 2, "{label}");
        let s = svc
            .annual_report_cell(&office, ems, 2025, &cell("licensing", "decisions"))
            .await
            .unwrap();
        assert!(
            serde_json::to_string(&s.lines)
                .unwrap()
                .contains("市政务服务平台统计")
        );

        // A narrative figure that contradicts the tables is caught (S7).
        let mut n = c.narrative.clone();
        n.overview = n
            .overview
            .replace("新收政府信息公开申请5件", "新收政府信息公开申请7件");
        svc.save_annual_report_narrative(&office, ems, 2025, &n)
            .await
            .unwrap();
        let c = svc.compile_annual_report(&office, ems, 2025).await.unwrap();
        assert!(
            c.report.findings.iter().any(|f| f.rule.as_str() == "S7"),
            "{label}"
        );
        n.overview = n.overview.replace("申请7件", "申请5件");
        svc.save_annual_report_narrative(&office, ems, 2025, &n)
            .await
            .unwrap();
        // The drafted section 五 is an outline: it cannot be submitted as it is.
        let Err(ServiceError::Refused(m)) = svc.submit_annual_report(&office, ems, 2025).await
        else {
            panic!("{label}: the outline was submitted");
        };
        assert!(m.contains("五、存在的主要问题及改进情况"), "{label}: {m}");
        n.problems = "一是解读形式单一。\n\n下一步将丰富解读形式。".into();
        svc.save_annual_report_narrative(&office, ems, 2025, &n)
            .await
            .unwrap();
        // A year that has not ended cannot be submitted.
        let Err(ServiceError::Refused(m)) = svc.submit_annual_report(&office, ems, 2026).await
        else {
            panic!("{label}: an unfinished year was submitted");
        };
        assert!(m.contains("尚未结束"), "{label}: {m}");
        // An empty section is refused with its name.
        let empty = Narrative {
            problems: " ".into(),
            ..n.clone()
        };
        assert!(matches!(
            svc.save_annual_report_narrative(&office, ems, 2025, &empty)
                .await,
            Err(ServiceError::Invalid(_))
        ));

        // Submission freezes the report and sends it through the chain; then the year locks.
        let item = svc.submit_annual_report(&office, ems, 2025).await.unwrap();
        let v = svc.annual_reports(&office, ems).await.unwrap();
        assert_eq!(v[0].status, ReportStatus::InReview, "{label}");
        assert!(matches!(
            svc.save_report_figures(&office, ems, 2025, &figures).await,
            Err(ServiceError::Refused(_))
        ));
        // The item carrying the report cannot be edited around the report page.
        let form = gongkai_service::ItemForm::of(&svc.item(&office, item).await.unwrap().content);
        assert!(matches!(
            svc.update_item(&office, item, &form).await,
            Err(ServiceError::Refused(_))
        ));
        svc.decide_item(&head, item, true, "同意", "")
            .await
            .unwrap();
        svc.decide_item(&leader, item, true, "同意", "")
            .await
            .unwrap();
        svc.publish_item(&office, item, None).await.unwrap();
        let c = svc.compile_annual_report(&office, ems, 2025).await.unwrap();
        assert!(c.locked(), "{label}");
        assert_eq!(c.published.as_ref().unwrap().version, 1);
        let Err(ServiceError::Refused(m)) = svc
            .save_annual_report_narrative(&office, ems, 2025, &n)
            .await
        else {
            panic!("{label}: a published year accepted changes");
        };
        assert!(m.contains("更正"), "{label}: {m}");
        let published_id = c.published.as_ref().unwrap().id;
        let (_, published) = svc
            .public_annual_report(published_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(published.published_on, Some(d("2026-03-02")));
        assert!(!published.has_errors());
        let page = svc.public_item(item).await.unwrap().unwrap();
        assert!(
            page.body.contains("收到和处理政府信息公开申请情况"),
            "{label}"
        );

        // Render → parse gives the same tables back (HTML, text, Word).
        for target in ["html", "txt", "docx"] {
            let (bytes, _) = svc
                .render_annual_report(&published, if target == "txt" { "html" } else { target })
                .unwrap();
            let bytes = if target == "txt" {
                gongkai_report::render::render(
                    &published,
                    gongkai_report::render::Target::Flat,
                    gongkai_report::render::RenderOptions::default(),
                )
                .unwrap()
            } else {
                bytes
            };
            let back =
                gongkai_report::parse::parse(&bytes, &gongkai_report::parse::Metadata::default())
                    .unwrap();
            for t in TableId::ALL {
                assert_eq!(
                    back.tables.grid(t),
                    published.tables.grid(t),
                    "{label}: {target} {t:?}"
                );
            }
            // … and the same title, agency, preamble and narrative (paragraph by paragraph: the
            // printed forms keep paragraphs, not blank lines).
            assert_eq!(back.title, published.title, "{label}: {target}");
            assert_eq!(back.agency.name, published.agency.name, "{label}: {target}");
            assert_eq!(back.format, published.format);
            assert_eq!(back.year, published.year);
            let paras = |t: &str| -> Vec<String> {
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            for id in gongkai_report::SectionId::ALL {
                assert_eq!(
                    paras(&back.sections.get(id).text),
                    paras(&published.sections.get(id).text),
                    "{label}: {target} {id:?}"
                );
            }
            assert_eq!(
                paras(back.sections.preamble.as_deref().unwrap_or_default()),
                paras(published.sections.preamble.as_deref().unwrap_or_default()),
                "{label}: {target} preamble"
            );
        }

        // PDF typeset in-process with the CJK fonts found (CI installs fonts-noto-cjk), or a
        // message saying what to install.
        match svc.pdf_fonts() {
            Ok(_) => {
                let (pdf, mime) = svc.render_annual_report(&published, "pdf").unwrap();
                assert!(
                    pdf.starts_with(b"%PDF") && mime == "application/pdf",
                    "{label}"
                );
                // The typeset PDF reads back to the same tables.
                let back =
                    gongkai_report::parse::parse(&pdf, &gongkai_report::parse::Metadata::default())
                        .unwrap();
                for t in TableId::ALL {
                    assert_eq!(
                        back.tables.grid(t),
                        published.tables.grid(t),
                        "{label}: pdf {t:?}"
                    );
                }
            }
            Err(e) => {
                assert!(std::env::var_os("GONGKAI_TEST_OFFICE").is_none(), "{e}");
                let Err(ServiceError::Refused(m)) = svc.render_annual_report(&published, "pdf")
                else {
                    panic!("{label}: PDF without fonts");
                };
                assert!(m.contains("fonts-noto-cjk"), "{label}: {m}");
            }
        }

        // A later change to a case of the locked year shows against the published version…
        case(
            &app,
            ems,
            9,
            "natural_person",
            Some("2025-08-01"),
            Some(("2025-08-10", "granted")),
            None,
        )
        .await;
        let c = svc.compile_annual_report(&office, ems, 2025).await.unwrap();
        assert!(
            c.changes_since_published
                .iter()
                .any(|ch| ch.pointer == a("granted", "natural_person")
                    && ch.before == "1"
                    && ch.after == "2"),
            "{label}: {:?}",
            c.changes_since_published
        );
        // … and needs a restatement with a reason, which goes through review again.
        assert!(matches!(
            svc.start_restatement(&office, ems, 2025, "").await,
            Err(ServiceError::Invalid(_))
        ));
        svc.start_restatement(&office, ems, 2025, "漏登一件予以公开的申请，已补登")
            .await
            .unwrap();
        let mut n2 = n.clone();
        n2.overview = n2
            .overview
            .replace("申请5件", "申请6件")
            .replace("办结4件", "办结5件");
        svc.save_annual_report_narrative(&office, ems, 2025, &n2)
            .await
            .unwrap();
        let again = svc.submit_annual_report(&office, ems, 2025).await.unwrap();
        assert_eq!(
            again, item,
            "{label}: the restatement travels as the same item"
        );
        svc.decide_item(&head, item, true, "同意", "")
            .await
            .unwrap();
        svc.decide_item(&leader, item, true, "同意", "")
            .await
            .unwrap();
        svc.publish_item(&office, item, None).await.unwrap();
        let versions = svc.annual_reports(&office, ems).await.unwrap();
        let st: Vec<(i64, ReportStatus)> = versions.iter().map(|v| (v.version, v.status)).collect();
        assert_eq!(
            st,
            [(2, ReportStatus::Published), (1, ReportStatus::Superseded)],
            "{label}"
        );
        assert_eq!(versions[0].reason, "漏登一件予以公开的申请，已补登");
        // Both versions stay public, and they differ exactly in the restated cells.
        let (_, v2) = svc
            .public_annual_report(versions[0].id)
            .await
            .unwrap()
            .unwrap();
        let (_, v1) = svc
            .public_annual_report(versions[1].id)
            .await
            .unwrap()
            .unwrap();
        let diff: Vec<String> = gongkai_service::table_changes(&v1, &v2)
            .into_iter()
            .map(|c| c.pointer)
            .collect();
        assert_eq!(
            diff,
            [
                a("received", "natural_person"),
                a("received", "total"),
                a("granted", "natural_person"),
                a("granted", "total"),
                a("total", "natural_person"),
                a("total", "total"),
            ],
            "{label}"
        );
        assert!(
            svc.compile_annual_report(&office, ems, 2025)
                .await
                .unwrap()
                .changes_since_published
                .is_empty()
        );
        assert_eq!(svc.annual_reports_of_item(item).await.unwrap().len(), 2);
        // The superseded version says so in every rendition; the restatement lists its cells.
        assert!(
            v1.sections
                .preamble
                .as_deref()
                .unwrap()
                .contains("更正替代"),
            "{label}"
        );
        let rs = svc.restatements_of_item(item).await.unwrap();
        assert_eq!(
            (rs.len(), rs[0].version, rs[0].changes.len()),
            (1, 2, 6),
            "{label}"
        );
        assert!(
            v2.sections
                .preamble
                .as_deref()
                .unwrap()
                .starts_with("更正说明")
        );
        assert!(
            svc.public_item(item)
                .await
                .unwrap()
                .unwrap()
                .body
                .contains("更正原因")
        );

        // Supervision: filed here and imported from the published page, with the differences.
        let (html, _) = svc.render_annual_report(&v1, "html").unwrap();
        svc.import_annual_report(
            &office,
            ems,
            Some(2025),
            Some(d("2026-03-02")),
            "网页.html",
            &html,
        )
        .await
        .unwrap();
        let s = svc
            .supervision(&supervisor, app.agencies.city, 2025, &[])
            .await
            .unwrap();
        let row = s.agencies.iter().find(|a| a.agency_id == ems.0).unwrap();
        assert_eq!((row.source, row.state), ("compiled", "late"), "{label}");
        assert_eq!(row.differences.len(), 6, "{label}: {:?}", row.differences);

        // The report item is changed only from the report page.
        assert!(matches!(
            svc.submit_item(&office, item).await,
            Err(ServiceError::Refused(_))
        ));
        assert!(matches!(
            svc.mask_item(&office, item).await,
            Err(ServiceError::Refused(_))
        ));
        assert!(matches!(
            svc.add_attachment(&office, item, "a.txt", b"x").await,
            Err(ServiceError::Refused(_))
        ));
        // Withdrawn: no version stays public, supervision counts the imported copy only, and
        // the year can be reissued through a restatement.
        svc.withdraw_item(&leader, item, "数据需要核实")
            .await
            .unwrap();
        for v in svc.annual_reports(&office, ems).await.unwrap() {
            if v.origin == "compiled" {
                assert!(
                    svc.public_annual_report(v.id).await.unwrap().is_none(),
                    "{label}"
                );
            }
        }
        assert!(
            svc.public_annual_reports(Some(2025), None)
                .await
                .unwrap()
                .is_empty()
        );
        let s = svc
            .supervision(&supervisor, app.agencies.city, 2025, &[])
            .await
            .unwrap();
        let row = s.agencies.iter().find(|a| a.agency_id == ems.0).unwrap();
        assert_eq!(row.source, "imported", "{label}");
        svc.start_restatement(&office, ems, 2025, "核实后重新发布")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_previous_year_is_the_baseline_and_hard_errors_block_submission() {
    for db in TestDb::all("annual_report_baseline").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let office = app.publisher().await;
        let svc = &app.service;
        // Without figures the four table-2 cells are empty: hard errors, no submission.
        let c = svc.compile_annual_report(&office, ems, 2025).await.unwrap();
        assert_eq!(c.hard_errors(), 4, "{label}: {:?}", c.report.findings);
        assert!(c.baseline.is_none());
        let Err(ServiceError::Refused(m)) = svc.submit_annual_report(&office, ems, 2025).await
        else {
            panic!("{label}: submitted with errors");
        };
        assert!(m.contains("4处错误"), "{label}: {m}");
        // Years before 2019 have no format here.
        assert!(matches!(
            svc.compile_annual_report(&office, ems, 2018).await,
            Err(ServiceError::Refused(_))
        ));

        // Last year's published report, imported with the parser, becomes the baseline: its
        // carry-over must equal this year's carried-in (S1).
        let mut last = Report::template(Format::V2021, 2024);
        last.agency.name = Some("示例市应急管理局".into());
        last.title = Some("示例市应急管理局2024年政府信息公开工作年度报告".into());
        last.tables.set_by_pointer(
            "/tables/applications/received/total",
            Some(Decimal::from(3)),
        );
        last.tables.set_by_pointer(
            "/tables/applications/received/natural_person",
            Some(Decimal::from(3)),
        );
        last.tables.set_by_pointer(
            "/tables/applications/carried_over/total",
            Some(Decimal::from(3)),
        );
        last.tables.set_by_pointer(
            "/tables/applications/carried_over/natural_person",
            Some(Decimal::from(3)),
        );
        let html = gongkai_report::render::render(
            &last,
            gongkai_report::render::Target::Html,
            gongkai_report::render::RenderOptions::default(),
        )
        .unwrap();
        let (_, parsed) = svc
            .import_annual_report(&office, ems, None, None, "2024年报.html", &html)
            .await
            .unwrap();
        assert_eq!(parsed.year, 2024);
        // Garbage is refused with a message, not a panic.
        assert!(matches!(
            svc.import_annual_report(&office, ems, None, None, "x.txt", b"hello")
                .await,
            Err(ServiceError::Invalid(_))
        ));
        let c = svc.compile_annual_report(&office, ems, 2025).await.unwrap();
        assert!(
            c.baseline
                .as_deref()
                .is_some_and(|b| b.contains("2024年度报告")),
            "{label}"
        );
        let s1: Vec<_> = c
            .report
            .findings
            .iter()
            .filter(|f| f.rule.as_str() == "S1")
            .collect();
        assert!(
            !s1.is_empty(),
            "{label}: carry-over 3 vs carried-in 0 must be reported"
        );
        assert!(s1.iter().all(|f| f.severity != Severity::Info));
    }
}

/// A published report of `year` as an HTML page, with `received` new natural-person applications.
fn published_html(format: Format, year: i32, agency: &str, received: i64) -> Vec<u8> {
    let mut r = Report::template(format, year);
    r.agency.name = Some(agency.into());
    r.title = Some(format!("{agency}{year}年政府信息公开工作年度报告"));
    for row in ["received", "total"] {
        for col in ["natural_person", "total"] {
            r.tables.set_by_pointer(
                &format!("/tables/applications/{row}/{col}"),
                Some(Decimal::from(received)),
            );
        }
    }
    r.tables.set_by_pointer(
        "/tables/applications/granted/natural_person",
        Some(Decimal::from(received)),
    );
    r.tables.set_by_pointer(
        "/tables/applications/granted/total",
        Some(Decimal::from(received)),
    );
    gongkai_report::render::render(
        &r,
        gongkai_report::render::Target::Html,
        gongkai_report::render::RenderOptions::default(),
    )
    .unwrap()
}

#[tokio::test]
async fn supervision_shows_on_time_late_and_missing_agencies_and_compiles_the_jurisdiction() {
    for db in TestDb::all("annual_report_supervision").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let (city, ems, transport) = (app.agencies.city, app.agencies.ems, app.agencies.transport);
        let sup = Actor::User(app.user("jiandu", city, &[Role::Supervisor]).await);
        let ems_office = Actor::User(app.user("gkb", ems, &[Role::Office]).await);
        let svc = &app.service;
        // The city's own report on time (government: by 31 March), the bureau's late
        // (department: by 31 January), the transport bureau's missing.
        svc.import_annual_report(
            &sup,
            city,
            Some(2025),
            Some(d("2026-02-01")),
            "city.html",
            &published_html(Format::V2021, 2025, "示例市人民政府", 4),
        )
        .await
        .unwrap();
        svc.import_annual_report(
            &sup,
            ems,
            Some(2025),
            Some(d("2026-02-10")),
            "ems.html",
            &published_html(Format::V2021, 2025, "示例市应急管理局", 3),
        )
        .await
        .unwrap();
        // Only supervisors import for other agencies; an office imports its own only.
        assert!(matches!(
            svc.import_annual_report(&ems_office, transport, Some(2025), None, "t.html", b"x")
                .await,
            Err(ServiceError::Forbidden { .. })
        ));
        let s = svc.supervision(&sup, city, 2025, &[]).await.unwrap();
        let states: Vec<(&str, &str)> = s
            .agencies
            .iter()
            .map(|a| (a.name.as_str(), a.state))
            .collect();
        assert_eq!(
            states,
            [
                ("示例市人民政府", "on_time"),
                ("示例市应急管理局", "late"),
                ("示例市交通运输局", "missing"),
            ],
            "{label}"
        );
        let sum = s.summary.as_ref().expect("summary");
        assert_eq!(
            sum.tables.by_pointer("/tables/applications/received/total"),
            Some(Some(Decimal::from(7))),
            "{label}"
        );
        assert!(sum.title.as_deref().unwrap().contains("汇总"));
        // Leaving the bureau out (double counting) changes the sum.
        let s = svc.supervision(&sup, city, 2025, &[ems]).await.unwrap();
        assert_eq!(
            s.summary
                .unwrap()
                .tables
                .by_pointer("/tables/applications/received/total"),
            Some(Some(Decimal::from(4)))
        );
        // A report in the other format is never summed with these.
        svc.import_annual_report(
            &sup,
            transport,
            Some(2025),
            Some(d("2026-01-15")),
            "t.html",
            &published_html(Format::V2019, 2025, "示例市交通运输局", 1),
        )
        .await
        .unwrap();
        let s = svc.supervision(&sup, city, 2025, &[]).await.unwrap();
        let err = s.summary.unwrap_err();
        assert!(err.contains("同一格式"), "{label}: {err}");
        // The jurisdiction's cells, one line per cell and report.
        let csv = svc.supervision_csv(&sup, city, 2025).await.unwrap();
        assert!(csv.starts_with("agency,year,format,source,table,row,column,label,value\n"));
        assert!(csv.contains("示例市应急管理局,2025,2021,imported,applications,received,total,"));
        // The bureau's office does not supervise.
        assert!(matches!(
            svc.supervision(&ems_office, city, 2025, &[]).await,
            Err(ServiceError::Forbidden { .. })
        ));
    }
}
