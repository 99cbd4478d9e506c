//! The worked examples of applications.md §13 and the guards of §12.3.

use super::*;
use crate::application::Disposition as D;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn in_person(on: &str) -> Case {
    Case::registered(Channel::InPerson, d(on), d(on))
}

fn granted() -> Decision {
    Decision {
        disposition: D::Granted,
        basis: D::Granted.usual_basis().into(),
        reasons: String::new(),
        provided: "随本答复书提供《2025年度预算公开表》".into(),
        withheld: vec![],
        letter_no: None,
        issued_on: None,
        on_spot: false,
        letters: None,
        preliminary_review: None,
    }
}

#[allow(clippy::needless_pass_by_value)]
fn ok(case: &mut Case, cmd: Command, today: &str) -> Vec<String> {
    case.apply(&cmd, d(today), &cal(), &Rules::default())
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

#[allow(clippy::needless_pass_by_value)]
fn refused(case: &mut Case, cmd: Command, today: &str) -> String {
    let before = case.clone();
    let e = case
        .apply(&cmd, d(today), &cal(), &Rules::default())
        .expect_err("should be refused");
    assert_eq!(*case, before, "a refused command changes nothing");
    e.0
}

fn due(case: &Case) -> Option<NaiveDate> {
    case.deadline(&cal(), &Rules::default()).due
}

/// §13.2 Example 1.
#[test]
fn example_1_spring_festival_2026() {
    let c = in_person("2026-02-13");
    let dl = c.deadline(&cal(), &Rules::default());
    assert_eq!(dl.correction_notice_due, Some(d("2026-03-02")));
    assert_eq!(dl.due, Some(d("2026-03-19")));
    assert!(!dl.provisional);
    let mut c2 = c.clone();
    ok(&mut c2, Command::Assign, "2026-02-14");
    ok(
        &mut c2,
        Command::ApproveExtension {
            on: d("2026-03-10"),
            wd: 20,
            reason: "需调取档案".into(),
        },
        "2026-03-10",
    );
    assert_eq!(due(&c2), Some(d("2026-04-17")));
    let counted = Rules {
        count_trigger_day: true,
        ..Rules::default()
    };
    let dl = c.deadline(&cal(), &counted);
    assert_eq!(dl.correction_notice_due, Some(d("2026-02-28")));
    assert_eq!(dl.due, Some(d("2026-03-18")));
    // Variant: submitted online on a holiday, confirmed on 02-24.
    let mut online = Case::submitted(Channel::Online, d("2026-02-15"));
    assert_eq!(due(&online), None);
    ok(
        &mut online,
        Command::ConfirmReceipt {
            on: d("2026-02-24"),
            method: "电话确认".into(),
        },
        "2026-02-24",
    );
    let dl = online.deadline(&cal(), &Rules::default());
    assert_eq!(dl.correction_notice_due, Some(d("2026-03-04")));
    assert_eq!(dl.due, Some(d("2026-03-23")));
}

/// §13.3 Example 2.
#[test]
fn example_2_national_day_2025() {
    let c = in_person("2025-09-26");
    let dl = c.deadline(&cal(), &Rules::default());
    assert_eq!(dl.correction_notice_due, Some(d("2025-10-13")));
    assert_eq!(dl.due, Some(d("2025-10-30")));
}

/// §13.4 Example 3: 补正 restarts the clock; lapse closes the day after.
#[test]
fn example_3_correction_restarts_the_clock() {
    let mut c = in_person("2025-04-21");
    assert_eq!(due(&c), Some(d("2025-05-21")));
    assert_eq!(
        c.deadline(&cal(), &Rules::default()).correction_notice_due,
        Some(d("2025-04-29"))
    );
    let req = Command::RequestCorrection {
        on: d("2025-04-25"),
        received_on: Some(d("2025-04-25")),
        items: "请写明所需文件的标题或文号".into(),
        guidance: "可在本机关门户网站“政策文件”栏目查找标题".into(),
        period_wd: Some(10),
    };
    let w = ok(&mut c, req.clone(), "2025-04-25");
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(c.state, State::AwaitingCorrection);
    assert_eq!(c.correction.as_ref().unwrap().due, d("2025-05-13"));
    assert_eq!(due(&c), None);
    let mut lapsed = c.clone();
    ok(
        &mut c,
        Command::ReceiveCorrection {
            on: d("2025-05-09"),
        },
        "2025-05-09",
    );
    assert_eq!(due(&c), Some(d("2025-06-09")));
    ok(
        &mut c,
        Command::ApproveExtension {
            on: d("2025-06-03"),
            wd: 20,
            reason: "涉及多个处室".into(),
        },
        "2025-06-03",
    );
    assert_eq!(due(&c), Some(d("2025-07-07")));
    // Only one 补正 notice per application.
    let msg = refused(&mut c, req, "2025-06-04");
    assert!(msg.contains("当前状态") || msg.contains("一次性"), "{msg}");
    // Lapse: refused until the period has passed, then closes on 05-14.
    let msg = refused(&mut lapsed, Command::CorrectionLapsed, "2025-05-13");
    assert!(msg.contains("2025年5月13日"), "{msg}");
    ok(&mut lapsed, Command::CorrectionLapsed, "2025-05-15");
    assert_eq!(lapsed.state, State::Closed);
    assert_eq!(lapsed.disposition, Some(D::OtherOverdueCorrection));
    assert_eq!(lapsed.closed_on, Some(d("2025-05-14")));
}

#[test]
fn a_second_correction_notice_is_refused() {
    let mut c = in_person("2025-04-21");
    ok(
        &mut c,
        Command::RequestCorrection {
            on: d("2025-04-22"),
            received_on: None,
            items: "补充身份证明".into(),
            guidance: String::new(),
            period_wd: None,
        },
        "2025-04-22",
    );
    ok(
        &mut c,
        Command::ReceiveCorrection {
            on: d("2025-04-24"),
        },
        "2025-04-24",
    );
    let msg = refused(
        &mut c,
        Command::RequestCorrection {
            on: d("2025-04-25"),
            received_on: None,
            items: "再补充".into(),
            guidance: String::new(),
            period_wd: None,
        },
        "2025-04-25",
    );
    assert!(msg.contains("一次性告知"), "{msg}");
}

#[test]
fn a_late_correction_notice_is_flagged() {
    let mut c = in_person("2025-04-21");
    let w = ok(
        &mut c,
        Command::RequestCorrection {
            on: d("2025-04-30"),
            received_on: None,
            items: "补充身份证明".into(),
            guidance: String::new(),
            period_wd: None,
        },
        "2025-04-30",
    );
    assert!(w[0].contains("逾期"), "{w:?}");
    assert!(c.correction.unwrap().late);
}

/// §13.5 Example 4: third-party consultation.
#[test]
fn example_4_third_party_consultation() {
    let mut c = in_person("2024-09-10");
    ok(&mut c, Command::Assign, "2024-09-11");
    assert_eq!(due(&c), Some(d("2024-10-14")));
    let mut silent = c.clone();
    for case in [&mut c, &mut silent] {
        ok(
            case,
            Command::StartConsultation {
                kind: ConsultationKind::ThirdParty,
                party: "某某科技有限公司".into(),
                on: d("2024-09-20"),
            },
            "2024-09-20",
        );
        ok(
            case,
            Command::ConsultationReceived {
                index: 0,
                on: d("2024-09-23"),
            },
            "2024-09-23",
        );
        assert_eq!(case.consultations[0].party_due, Some(d("2024-10-17")));
        let dl = case.deadline(&cal(), &Rules::default());
        assert_eq!(dl.due, None);
        assert_eq!(dl.remaining_wd, Some(13));
        assert!(dl.stopped.is_some());
    }
    ok(
        &mut c,
        Command::ConsultationAnswered {
            index: 0,
            on: d("2024-10-11"),
            opinion: "不同意公开，涉及商业秘密".into(),
            objected: true,
        },
        "2024-10-11",
    );
    assert_eq!(c.state, State::InProgress);
    assert_eq!(due(&c), Some(d("2024-10-29")));
    let msg = refused(
        &mut silent,
        Command::ConsultationLapsed { index: 0 },
        "2024-10-17",
    );
    assert!(msg.contains("届满前"), "{msg}");
    ok(
        &mut silent,
        Command::ConsultationLapsed { index: 0 },
        "2024-10-18",
    );
    assert_eq!(due(&silent), Some(d("2024-11-05")));
}

/// §13.6 Example 5: extension on time, and refused after the deadline.
#[test]
fn example_5_extension() {
    let mut c = in_person("2026-04-13");
    assert_eq!(due(&c), Some(d("2026-05-13")));
    let mut late = c.clone();
    ok(
        &mut c,
        Command::ApproveExtension {
            on: d("2026-05-11"),
            wd: 20,
            reason: "需要调取历史档案".into(),
        },
        "2026-05-11",
    );
    assert_eq!(due(&c), Some(d("2026-06-10")));
    let msg = refused(
        &mut c,
        Command::ApproveExtension {
            on: d("2026-05-12"),
            wd: 1,
            reason: "再延".into(),
        },
        "2026-05-12",
    );
    assert!(msg.contains("已延长过"), "{msg}");
    let msg = refused(
        &mut late,
        Command::ApproveExtension {
            on: d("2026-05-14"),
            wd: 20,
            reason: "需要调取历史档案".into(),
        },
        "2026-05-14",
    );
    assert!(msg.contains("届满后不能再延长"), "{msg}");
    let msg = refused(
        &mut late,
        Command::ApproveExtension {
            on: d("2026-05-11"),
            wd: 21,
            reason: "需要调取历史档案".into(),
        },
        "2026-05-11",
    );
    assert!(msg.contains("不得超过 20"), "{msg}");
}

/// §13.7 Example 6 (the deadline; the counting is in `tally`).
#[test]
fn example_6_year_end() {
    assert_eq!(due(&in_person("2025-12-22")), Some(d("2026-01-20")));
}

/// §13.8 Example 7: provisional deadline in a year without a notice.
#[test]
fn example_7_provisional() {
    let dl = in_person("2026-12-14").deadline(&cal(), &Rules::default());
    assert_eq!(dl.due, Some(d("2027-01-12")));
    assert!(dl.provisional);
}

/// §13.9 Example 8: fee payment deadline and the pause.
#[test]
fn example_8_fee() {
    let mut c = in_person("2025-06-16");
    ok(&mut c, Command::Assign, "2025-06-16");
    let before = due(&c).unwrap();
    ok(
        &mut c,
        Command::IssueFeeNotice {
            on: d("2025-06-30"),
            received_on: Some(d("2025-06-30")),
            method: FeeMethod::PerPage,
            units: 120,
            amount_yuan: crate::application::per_page_fee(120),
        },
        "2025-06-30",
    );
    assert_eq!(c.fee.as_ref().unwrap().payment_due, d("2025-07-28"));
    assert_eq!(c.fee.as_ref().unwrap().amount_yuan, 1_100);
    let dl = c.deadline(&cal(), &Rules::default());
    assert_eq!(dl.payment_due, Some(d("2025-07-28")));
    assert!(dl.due.is_none());
    let mut lapse = c.clone();
    ok(
        &mut c,
        Command::FeePaid {
            on: d("2025-07-10"),
            receipt_no: "川财票 0001".into(),
        },
        "2025-07-10",
    );
    assert_eq!(
        due(&c),
        cal().add_working_days(before, 8, false),
        "the clock moves 8 working days"
    );
    ok(&mut lapse, Command::FeeLapsed, "2025-07-29");
    assert_eq!(lapse.disposition, Some(D::OtherOverdueFee));
    assert_eq!(lapse.closed_on, Some(d("2025-07-29")));
    let mut zero = in_person("2025-06-16");
    ok(&mut zero, Command::Assign, "2025-06-16");
    let msg = refused(
        &mut zero,
        Command::IssueFeeNotice {
            on: d("2025-06-30"),
            received_on: None,
            method: FeeMethod::PerPage,
            units: 30,
            amount_yuan: 0,
        },
        "2025-06-30",
    );
    assert!(msg.contains("0 元"), "{msg}");
}

#[test]
fn a_decision_needs_its_basis_reasons_and_withheld_parts() {
    let mut c = in_person("2026-03-02");
    ok(&mut c, Command::Assign, "2026-03-02");
    let mut no_basis = granted();
    no_basis.basis.clear();
    assert!(
        refused(
            &mut c,
            Command::SubmitDraft { decision: no_basis },
            "2026-03-03"
        )
        .contains("法律依据")
    );
    let partial = Decision {
        disposition: D::PartiallyGranted,
        reasons: "部分内容涉及个人隐私".into(),
        ..granted()
    };
    assert!(
        refused(
            &mut c,
            Command::SubmitDraft { decision: partial },
            "2026-03-03"
        )
        .contains("不予公开的内容")
    );
    let denied = Decision {
        disposition: D::DeniedProcessInformation,
        provided: String::new(),
        ..granted()
    };
    assert!(
        refused(
            &mut c,
            Command::SubmitDraft { decision: denied },
            "2026-03-03"
        )
        .contains("说明理由")
    );
    let excessive = Decision {
        disposition: D::NotProcessedExcessive,
        reasons: "一个月内申请 80 件".into(),
        ..granted()
    };
    assert!(
        refused(
            &mut c,
            Command::SubmitDraft {
                decision: excessive
            },
            "2026-03-03"
        )
        .contains("第三十五条")
    );
    let lapse = Decision {
        disposition: D::OtherOverdueFee,
        ..granted()
    };
    assert!(
        refused(
            &mut c,
            Command::SubmitDraft { decision: lapse },
            "2026-03-03"
        )
        .contains("期限届满")
    );
}

#[test]
fn the_whole_way_to_closed_and_archived() {
    let mut c = in_person("2026-03-02");
    ok(&mut c, Command::Assign, "2026-03-02");
    ok(
        &mut c,
        Command::SubmitDraft {
            decision: granted(),
        },
        "2026-03-05",
    );
    assert_eq!(c.state, State::UnderReview);
    assert!(
        refused(
            &mut c,
            Command::ReturnDraft {
                opinion: " ".into()
            },
            "2026-03-05"
        )
        .contains("修改意见")
    );
    ok(
        &mut c,
        Command::ReturnDraft {
            opinion: "补充获取方式".into(),
        },
        "2026-03-05",
    );
    ok(
        &mut c,
        Command::SubmitDraft {
            decision: granted(),
        },
        "2026-03-06",
    );
    ok(
        &mut c,
        Command::ApproveDecision {
            on: d("2026-03-06"),
            letter_no: "应急公开〔2026〕1号".into(),
        },
        "2026-03-06",
    );
    assert_eq!(c.state, State::Decided);
    let msg = refused(
        &mut c,
        Command::Deliver {
            kind: DeliveryKind::Posted,
            on: d("2026-03-05"),
            proof: String::new(),
        },
        "2026-03-09",
    );
    assert!(msg.contains("签发之日"), "{msg}");
    ok(
        &mut c,
        Command::Deliver {
            kind: DeliveryKind::Posted,
            on: d("2026-03-09"),
            proof: "EMS 1234".into(),
        },
        "2026-03-09",
    );
    assert_eq!(c.state, State::Closed);
    assert_eq!(
        c.closed_on,
        Some(d("2026-03-06")),
        "closed on the letter's date"
    );
    assert!(c.delivery.as_ref().unwrap().timely);
    assert_eq!(c.deadline(&cal(), &Rules::default()), Deadline::default());
    ok(&mut c, Command::Archive, "2026-03-10");
    assert_eq!(c.state, State::Archived);
    assert!(
        refused(
            &mut c,
            Command::Withdraw {
                on: d("2026-03-10"),
                reason: "x".into()
            },
            "2026-03-10"
        )
        .contains("已归档")
    );
}

#[test]
fn on_the_spot_only_on_the_day_of_receipt() {
    let mut c = in_person("2026-03-02");
    assert!(
        refused(
            &mut c,
            Command::AnswerOnSpot {
                decision: granted()
            },
            "2026-03-03"
        )
        .contains("当场答复")
    );
    ok(
        &mut c,
        Command::AnswerOnSpot {
            decision: granted(),
        },
        "2026-03-02",
    );
    assert_eq!(c.closed_on, Some(d("2026-03-02")));
    assert_eq!(c.disposition, Some(D::Granted));
}

#[test]
fn future_dates_and_dates_before_receipt_are_refused() {
    let mut c = in_person("2026-03-02");
    ok(&mut c, Command::Assign, "2026-03-02");
    let start = |on| Command::StartConsultation {
        kind: ConsultationKind::Agency,
        party: "市自然资源局".into(),
        on: d(on),
    };
    assert!(refused(&mut c, start("2026-03-10"), "2026-03-05").contains("不能晚于今天"));
    assert!(refused(&mut c, start("2026-03-01"), "2026-03-05").contains("不能早于"));
}

proptest::proptest! {
    /// A deadline never falls on a non-working day, and more working days never move it earlier.
    #[test]
    fn deadlines_are_working_days_and_monotone(
        offset in 0i64..2_900,
        ext in 0u32..=20,
        pause_at in 0u64..30,
        pause_len in 0u64..40,
    ) {
        let cal = cal();
        let start = d("2019-01-01") + chrono::Duration::days(offset);
        let mut c = Case::registered(Channel::InPerson, start, start);
        c.state = State::InProgress;
        let base = c.deadline(&cal, &Rules::default()).due.unwrap();
        proptest::prop_assert!(cal.is_working_day(base));
        c.extensions.push(Extension { on: start, wd: ext, reason: "x".into(), round: 0, due_after: None, provisional: false });
        let extended = c.deadline(&cal, &Rules::default()).due.unwrap();
        proptest::prop_assert!(extended >= base);
        proptest::prop_assert!(cal.is_working_day(extended));
        let from = start + chrono::Days::new(pause_at);
        c.consultations.push(Consultation {
            kind: ConsultationKind::ThirdParty,
            party: "x".into(),
            dispatched_on: from,
            party_received_on: None,
            party_due: None,
            ended_on: Some(from + chrono::Days::new(pause_len)),
            opinion: String::new(),
            objected: false,
            lapsed: false,
            round: 0,
        });
        let paused = c.deadline(&cal, &Rules::default()).due.unwrap();
        proptest::prop_assert!(paused >= extended);
        proptest::prop_assert!(cal.is_working_day(paused));
    }
}
