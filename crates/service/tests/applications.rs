//! Disclosure applications through the service, on every backend: intake, the status page,
//! the whole handling path with its permissions, letters, table 3, reminders, carry-over and the
//! recomputation of deadlines when the calendar changes.

use chrono::Duration;
use gongkai_domain::application::{
    Command, ConsultationKind, Decision, DeliveryKind, Disposition, FeeMethod, Withheld,
};
use gongkai_domain::{AgencyId, Role};
use gongkai_service::{Actor, ApplicationForm, ServiceError};
use gongkai_test_support::{TestApp, TestDb};

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn form(agency: AgencyId) -> ApplicationForm {
    ApplicationForm {
        agency_id: agency.to_string(),
        kind: "natural_person".into(),
        name: "张三".into(),
        id_type: "resident_id".into(),
        id_number: "11010519491231002X".into(),
        phone: "13800001234".into(),
        email: "zhangsan@example.com".into(),
        info_title: "2025年度应急物资储备库建设项目批复".into(),
        medium: "electronic".into(),
        delivery: "email".into(),
        ..ApplicationForm::default()
    }
}

fn granted() -> Decision {
    Decision {
        disposition: Disposition::PartiallyGranted,
        basis: Disposition::PartiallyGranted.usual_basis().into(),
        reasons: "批复附件中的供应商报价属于商业秘密".into(),
        provided: "随本答复书提供批复文件（已删除报价）".into(),
        withheld: vec![Withheld {
            what: "供应商报价".into(),
            reason: "商业秘密，第三方不同意公开".into(),
            basis: "条例第十五条".into(),
        }],
        letter_no: None,
        issued_on: None,
        on_spot: false,
        letters: None,
        preliminary_review: None,
    }
}

#[tokio::test]
async fn an_online_application_from_submission_to_archive() {
    for db in TestDb::all("applications_flow").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let office = Actor::User(app.user("gkb", ems, &[Role::Office]).await);
        let head = Actor::User(app.user("gkb.head", ems, &[Role::OfficeHead]).await);
        let drafter_user = app.user("jbr", ems, &[Role::Drafter]).await;
        let drafter = Actor::User(drafter_user.clone());
        let other_drafter = Actor::User(app.user("jbr2", ems, &[Role::Drafter]).await);
        let city_supervisor = Actor::User(
            app.user("jiandu", app.agencies.city, &[Role::Supervisor])
                .await,
        );
        let svc = &app.service;

        // Public intake: strict validation names each field.
        let mut bad = form(ems);
        bad.id_number = "110105194912310029".into();
        bad.email.clear();
        let Err(ServiceError::Invalid(errs)) = svc.submit_application(&bad, "10.0.0.1").await
        else {
            panic!("{label}: invalid form accepted");
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["id_number", "email"], "{label}");
        let done = svc
            .submit_application(&form(ems), "10.0.0.1")
            .await
            .unwrap();
        assert_eq!(done.case_no, format!("2026-{:03}-0001", ems.0), "{label}");
        assert_eq!(done.query_code.len(), 8);
        let id = done.id;

        // The status page: number + code, no personal data; a wrong code says what to check.
        let st = svc
            .application_status(&done.case_no, &done.query_code.to_lowercase(), "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(st.state, "submitted", "{label}");
        let json = serde_json::to_string(&st).unwrap();
        assert!(
            !json.contains("张三") && !json.contains("1101051949"),
            "{label}: {json}"
        );
        let e = svc
            .application_status(&done.case_no, "WRONG123", "10.0.0.9")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("查询码"), "{label}");

        // Only the office confirms; a drafter may not even see an unassigned case.
        assert!(matches!(
            svc.act_on_application(
                &drafter,
                id,
                Command::ConfirmReceipt {
                    on: d("2026-03-02"),
                    method: "电话".into()
                }
            )
            .await,
            Err(ServiceError::Refused(_))
        ));
        assert!(svc.application(&drafter, id).await.is_err(), "{label}");
        svc.act_on_application(
            &office,
            id,
            Command::ConfirmReceipt {
                on: d("2026-03-02"),
                method: "电话确认".into(),
            },
        )
        .await
        .unwrap();
        let v = svc.application(&office, id).await.unwrap();
        assert_eq!(v.deadline.due, Some(d("2026-03-30")), "{label}");
        assert_eq!(v.deadline.correction_notice_due, Some(d("2026-03-11")));
        assert!(v.personal_visible);
        // The supervisor above reads it, masked.
        let sv = svc.application(&city_supervisor, id).await.unwrap();
        assert!(!sv.personal_visible);
        assert_eq!(sv.applicant.name, "张*");
        assert!(!sv.applicant.id_number.contains("19491231"), "{label}");
        assert!(sv.actions.is_empty());

        svc.assign_application(&office, id, Some(drafter_user.id), None)
            .await
            .unwrap();
        assert_eq!(
            svc.application(&drafter, id).await.unwrap().state,
            "in_progress"
        );
        // Another drafter cannot handle it.
        assert!(
            svc.act_on_application(
                &other_drafter,
                id,
                Command::RequestExplanation {
                    on: d("2026-03-02")
                }
            )
            .await
            .is_err()
        );

        // 补正 on day 3, once only; the corrected application restarts the clock.
        app.clock.advance(Duration::days(2));
        svc.act_on_application(
            &drafter,
            id,
            Command::RequestCorrection {
                on: d("2026-03-04"),
                received_on: None,
                items: "请写明批复的文号".into(),
                guidance: String::new(),
                period_wd: None,
            },
        )
        .await
        .unwrap();
        let st = svc
            .application_status(&done.case_no, &done.query_code, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(st.correction_items.as_deref(), Some("请写明批复的文号"));
        assert_eq!(st.deadline.correction_due, Some(d("2026-03-18")));
        app.clock.advance(Duration::days(3));
        svc.act_on_application(
            &drafter,
            id,
            Command::ReceiveCorrection {
                on: d("2026-03-07"),
            },
        )
        .await
        .unwrap();
        let v = svc.application(&drafter, id).await.unwrap();
        assert_eq!(
            v.deadline.due,
            Some(d("2026-04-03")),
            "{label}: restarted from 03-07"
        );

        // Third-party consultation pauses the clock.
        svc.act_on_application(
            &drafter,
            id,
            Command::StartConsultation {
                kind: ConsultationKind::ThirdParty,
                party: "某某物资公司".into(),
                on: d("2026-03-07"),
            },
        )
        .await
        .unwrap();
        svc.act_on_application(
            &drafter,
            id,
            Command::ConsultationReceived {
                index: 0,
                on: d("2026-03-07"),
            },
        )
        .await
        .unwrap();
        assert_eq!(
            svc.application(&drafter, id)
                .await
                .unwrap()
                .deadline
                .remaining_wd,
            Some(20)
        );
        app.clock.advance(Duration::days(5));
        svc.act_on_application(
            &drafter,
            id,
            Command::ConsultationAnswered {
                index: 0,
                on: d("2026-03-12"),
                opinion: "报价不同意公开".into(),
                objected: true,
            },
        )
        .await
        .unwrap();
        let v = svc.application(&drafter, id).await.unwrap();
        assert_eq!(v.state, "in_progress");
        assert_eq!(
            v.deadline.due,
            Some(d("2026-04-10")),
            "{label}: 4 working days paused"
        );

        // Extension: only the office head; one only.
        assert!(matches!(
            svc.act_on_application(
                &drafter,
                id,
                Command::ApproveExtension {
                    on: d("2026-03-12"),
                    wd: 10,
                    reason: "x".into()
                }
            )
            .await,
            Err(ServiceError::Forbidden { .. })
        ));
        svc.act_on_application(
            &head,
            id,
            Command::ApproveExtension {
                on: d("2026-03-12"),
                wd: 10,
                reason: "涉及多个处室".into(),
            },
        )
        .await
        .unwrap();
        let e = svc
            .act_on_application(
                &head,
                id,
                Command::ApproveExtension {
                    on: d("2026-03-12"),
                    wd: 5,
                    reason: "再延".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("已延长过"), "{label}: {e}");
        assert_eq!(
            svc.application(&drafter, id).await.unwrap().deadline.due,
            Some(d("2026-04-24"))
        );

        // Draft, four eyes, approval with a letter number, delivery.
        let mut no_basis = granted();
        no_basis.basis.clear();
        assert!(
            svc.act_on_application(&drafter, id, Command::SubmitDraft { decision: no_basis })
                .await
                .unwrap_err()
                .to_string()
                .contains("法律依据")
        );
        svc.act_on_application(
            &drafter,
            id,
            Command::SubmitDraft {
                decision: granted(),
            },
        )
        .await
        .unwrap();
        svc.act_on_application(
            &head,
            id,
            Command::ReturnDraft {
                opinion: "补充获取方式".into(),
            },
        )
        .await
        .unwrap();
        svc.act_on_application(
            &head,
            id,
            Command::SubmitDraft {
                decision: granted(),
            },
        )
        .await
        .unwrap();
        let e = svc
            .act_on_application(
                &head,
                id,
                Command::ApproveDecision {
                    on: d("2026-03-12"),
                    letter_no: String::new(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("他人审核"), "{label}: {e}");
        svc.act_on_application(
            &head,
            id,
            Command::ReturnDraft {
                opinion: "由经办人提交".into(),
            },
        )
        .await
        .unwrap();
        svc.act_on_application(
            &drafter,
            id,
            Command::SubmitDraft {
                decision: granted(),
            },
        )
        .await
        .unwrap();
        svc.act_on_application(
            &head,
            id,
            Command::ApproveDecision {
                on: d("2026-03-12"),
                letter_no: String::new(),
            },
        )
        .await
        .unwrap();
        let letter = svc.application_letter(&drafter, id, "reply").await.unwrap();
        assert_eq!(
            letter.letter_no, "示例市应急管理局依申请公开〔2026〕1号",
            "{label}"
        );
        assert!(
            letter.remedies.contains("应当先申请行政复议")
                && letter.remedies.contains("示例市人民政府")
        );
        assert_eq!(letter.addressee, "张三");
        let docx = gongkai_service::letter_docx(&letter).unwrap();
        assert!(docx.starts_with(b"PK"));
        assert!(
            svc.application_letter(&city_supervisor, id, "reply")
                .await
                .is_err(),
            "{label}: letters carry personal data"
        );
        svc.act_on_application(
            &drafter,
            id,
            Command::Deliver {
                kind: DeliveryKind::Electronic,
                on: d("2026-03-12"),
                proof: "邮件".into(),
            },
        )
        .await
        .unwrap();
        let v = svc.application(&drafter, id).await.unwrap();
        assert_eq!(v.state, "closed");
        assert_eq!(v.case.closed_on, Some(d("2026-03-12")));
        svc.act_on_application(&drafter, id, Command::Archive)
            .await
            .unwrap();
        let st = svc
            .application_status(&done.case_no, &done.query_code, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(st.state, "archived");
        assert!(st.outcome.unwrap().contains("部分公开"));

        // Every event was recorded on the case and audited.
        let events = svc.store().application_events(id).await.unwrap();
        let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds.first(), Some(&"submit"));
        assert!(
            kinds.contains(&"approve_extension")
                && kinds.contains(&"deliver")
                && kinds.contains(&"archive")
        );
        let audit = svc.store().count("audit_events").await.unwrap();
        assert!(audit > 15, "{label}");

        // Table 3 counts it once, under 部分公开, in the natural-person column.
        let t3 = svc
            .application_table3(&office, ems, 2026, false)
            .await
            .unwrap();
        assert_eq!(t3.row("received").unwrap().cells[0], 1);
        assert_eq!(t3.row("partially_granted").unwrap().cells[0], 1);
        assert_eq!(t3.row("total").unwrap().cells[6], 1);
        assert_eq!(t3.row("carried_over").unwrap().cells[6], 0);
    }
}

#[tokio::test]
async fn counter_registration_fees_reminders_carry_over_and_calendar_changes() {
    for db in TestDb::all("applications_counter").await {
        let label = db.label;
        let app = TestApp::on(db).await;
        let ems = app.agencies.ems;
        let office = Actor::User(
            app.user("gkb", ems, &[Role::Office, Role::OfficeHead])
                .await,
        );
        let svc = &app.service;

        // A counter application, registered with its date of receipt.
        let mut f = form(ems);
        f.channel = "in_person".into();
        f.received_on = "2026-03-02".into();
        let (id, case_no, _) = svc.register_application(&office, ems, &f).await.unwrap();
        assert!(case_no.starts_with("2026-"));
        let v = svc.application(&office, id).await.unwrap();
        assert_eq!(v.state, "registered");
        assert_eq!(v.deadline.due, Some(d("2026-03-30")), "{label}");
        // A letter needs confirmation: it waits in `submitted`.
        let mut post = form(ems);
        post.channel = "post_ordinary".into();
        post.received_on.clear();
        let (pid, _, _) = svc.register_application(&office, ems, &post).await.unwrap();
        assert_eq!(
            svc.application(&office, pid).await.unwrap().state,
            "submitted"
        );
        // A future date is refused with the field named.
        let mut future = form(ems);
        future.channel = "in_person".into();
        future.received_on = "2026-04-01".into();
        let Err(ServiceError::Invalid(e)) = svc.register_application(&office, ems, &future).await
        else {
            panic!()
        };
        assert_eq!(e[0].field, "received_on");

        // Fee per page: 120 pages → 1,100 元; the clock pauses until payment.
        svc.assign_application(&office, id, None, None)
            .await
            .unwrap();
        svc.act_on_application(
            &office,
            id,
            Command::IssueFeeNotice {
                on: d("2026-03-02"),
                received_on: None,
                method: FeeMethod::PerPage,
                units: 120,
                amount_yuan: 0,
            },
        )
        .await
        .unwrap();
        let v = svc.application(&office, id).await.unwrap();
        assert_eq!(v.case.fee.as_ref().unwrap().amount_yuan, 1_100, "{label}");
        assert_eq!(v.deadline.payment_due, Some(d("2026-03-30")));
        svc.store().application(id).await.unwrap().unwrap();

        // Reminders: the payment lapses; the job reminds once.
        app.clock.advance(Duration::days(29));
        let n = svc.run_application_jobs().await.unwrap();
        assert!(n >= 1, "{label}");
        assert_eq!(
            svc.run_application_jobs().await.unwrap(),
            0,
            "{label}: each reminder fires once"
        );
        let dash = svc.application_dashboard(&office, ems).await.unwrap();
        assert_eq!(dash.lapsed.len(), 1, "{label}");
        assert!(dash.reminders.iter().any(|r| r.kind == "fee_lapsed"));
        svc.act_on_application(&office, id, Command::FeeLapsed)
            .await
            .unwrap();
        let v = svc.application(&office, id).await.unwrap();
        assert_eq!(v.case.disposition, Some(Disposition::OtherOverdueFee));
        assert_eq!(v.case.closed_on, Some(d("2026-03-31")));

        // A case open at year end is carried over: recorded once, counted in both years.
        svc.act_on_application(
            &office,
            pid,
            Command::ConfirmReceipt {
                on: d("2026-03-31"),
                method: "电话".into(),
            },
        )
        .await
        .unwrap();
        let before = svc.application(&office, pid).await.unwrap().deadline.due;
        // A new calendar revision moves open deadlines and records it on the case.
        let tsv = "date\tkind\tname\n2026-04-04\tholiday\t清明节\n2026-04-05\tholiday\t清明节\n2026-04-06\tholiday\t清明节\n2026-04-28\tholiday\t测试调整\n";
        let r = svc
            .import_calendar(&Actor::System, tsv, "测试通知", "测试")
            .await
            .unwrap();
        assert_eq!(r.recomputed, 1, "{label}");
        let v = svc.application(&office, pid).await.unwrap();
        assert_ne!(v.deadline.due, before);
        assert!(
            v.events
                .iter()
                .any(|e| e.kind == "calendar_changed" && e.due_before != e.due_after)
        );
        app.clock
            .set(gongkai_test_support::test_start() + Duration::days(320));
        svc.run_application_jobs().await.unwrap();
        let v = svc.application(&office, pid).await.unwrap();
        assert!(v.events.iter().any(|e| e.kind == "carried_over"), "{label}");
        let t26 = svc
            .application_table3(&office, ems, 2026, false)
            .await
            .unwrap();
        let t27 = svc
            .application_table3(&office, ems, 2027, false)
            .await
            .unwrap();
        assert_eq!(t26.row("carried_over").unwrap().cells[6], 1);
        assert_eq!(
            t27.row("carried_in").unwrap().cells,
            t26.row("carried_over").unwrap().cells
        );
        assert_eq!(t26.row("other_overdue_fee").unwrap().cells[0], 1);
    }
}

#[tokio::test]
async fn the_public_form_is_rate_limited_per_address() {
    let app = TestApp::new().await;
    let f = form(app.agencies.ems);
    for _ in 0..gongkai_service::INTAKE_PER_HOUR {
        app.service
            .submit_application(&f, "192.0.2.1")
            .await
            .unwrap();
    }
    let e = app
        .service
        .submit_application(&f, "192.0.2.1")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("一小时内最多"), "{e}");
    app.service
        .submit_application(&f, "192.0.2.2")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_register_feeds_table_4_and_warns_of_preliminary_review() {
    let app = TestApp::new().await;
    let ems = app.agencies.ems;
    let office = Actor::User(app.user("gkb", ems, &[Role::Office]).await);
    let svc = &app.service;
    let base = gongkai_service::ProceedingForm {
        kind: "administrative_review".into(),
        body: "示例市人民政府".into(),
        filed_on: "2026-02-01".into(),
        result: "upheld".into(),
        result_on: "2026-02-20".into(),
        ..Default::default()
    };
    svc.save_proceeding(&office, ems, None, &base)
        .await
        .unwrap();
    let lit = gongkai_service::ProceedingForm {
        kind: "litigation".into(),
        path: "direct".into(),
        body: "示例区人民法院".into(),
        result: "pending".into(),
        result_on: String::new(),
        ..base.clone()
    };
    svc.save_proceeding(&office, ems, None, &lit).await.unwrap();
    let no_path = gongkai_service::ProceedingForm {
        path: String::new(),
        ..lit.clone()
    };
    let Err(ServiceError::Invalid(e)) = svc.save_proceeding(&office, ems, None, &no_path).await
    else {
        panic!()
    };
    assert_eq!(e[0].field, "path");
    let t4 = svc.proceedings_table4(&office, ems, 2026).await.unwrap();
    assert_eq!(t4.cells, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
}

/// A real SMTP server (Python's standard-library `smtpd`, which decodes each message it
/// receives and prints it): a new reminder reaches the agency's reminder mailbox.
#[tokio::test]
async fn reminders_are_e_mailed_when_smtp_is_configured() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import smtpd"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 with the smtpd module is not available");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = format!(
        "import smtpd, asyncore, email, sys\n\
         from email import policy\n\
         class S(smtpd.SMTPServer):\n\
         \x20   def process_message(self, peer, mailfrom, rcpttos, data, **kw):\n\
         \x20       m = email.message_from_bytes(data, policy=policy.default)\n\
         \x20       print('TO', rcpttos, 'SUBJECT', m['subject'], 'BODY', m.get_content().replace(chr(10), ' '), flush=True)\n\
         S(('127.0.0.1', {port}), None)\n\
         print('READY', flush=True)\n\
         asyncore.loop()\n"
    );
    let mut server = KillOnDrop(
        std::process::Command::new("python3")
            .args(["-W", "ignore", "-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = server.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    assert_eq!(
        rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap(),
        "READY"
    );

    let db = TestDb::sqlite().await;
    let app = TestApp::on(db).await;
    let ems = app.agencies.ems;
    let office = Actor::User(app.user("gkb", ems, &[Role::Office]).await);
    let svc = gongkai_service::Service::new(
        app.db.store.clone(),
        app.clock.clone(),
        gongkai_service::ServiceConfig {
            smtp: Some(gongkai_service::SmtpConfig {
                url: format!("smtp://127.0.0.1:{port}"),
                from: "gongkai@example.gov.cn".into(),
            }),
            ..gongkai_service::ServiceConfig::default()
        },
    );
    let mut settings = svc.application_settings(ems).await.unwrap();
    settings.reminder_email = "not an address".into();
    assert!(
        svc.save_application_settings(&office, ems, &settings)
            .await
            .is_err()
    );
    settings.reminder_email = "gongkaiban@example.gov.cn".into();
    svc.save_application_settings(&office, ems, &settings)
        .await
        .unwrap();
    let mut f = form(ems);
    f.channel = "in_person".into();
    f.received_on = "2026-03-02".into();
    let (_, case_no, _) = svc.register_application(&office, ems, &f).await.unwrap();
    app.clock.advance(Duration::days(24));
    assert!(svc.run_application_jobs().await.unwrap() >= 1);
    let line = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
    drop(server);
    assert!(line.contains("gongkaiban@example.gov.cn"), "{line}");
    assert!(
        line.contains("依申请公开提醒") && line.contains(&case_no),
        "{line}"
    );
    assert!(
        !line.contains("张三"),
        "no personal data in reminders: {line}"
    );
}

/// A child process that is killed and reaped however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Table 3 as the cases compute it has exactly the rows (ids, labels verbatim, group labels) and
/// applicant columns of the annual-report model, in both formats — the application module types
/// its labels once more and must not drift from the report's label table.
#[test]
fn table_3_rows_and_columns_match_the_report_label_table() {
    use gongkai_domain::application::{ApplicantType, table3};
    use gongkai_report::schema::{APPLICANT_COLS, Format, TableId, table_def};
    for (format, f2019) in [(Format::V2019, true), (Format::V2021, false)] {
        let ours = table3(&[], 2026, f2019);
        let theirs = table_def(format, TableId::Applications);
        assert_eq!(ours.rows.len(), theirs.rows.len(), "{format:?}");
        for (a, b) in ours.rows.iter().zip(theirs.rows) {
            assert_eq!(
                (a.id, a.label, a.group),
                (b.id, b.label, b.group),
                "{format:?}"
            );
        }
    }
    let cols: Vec<_> = ApplicantType::ALL
        .iter()
        .map(|t| (t.report_column(), t.label()))
        .collect();
    let theirs: Vec<_> = APPLICANT_COLS[..6]
        .iter()
        .map(|c| (c.id, c.label))
        .collect();
    assert_eq!(cols, theirs);
}
