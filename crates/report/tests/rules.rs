//! For every rule of spec §4: a report that passes it and one that fails it.

mod common;

use chrono::NaiveDate;
use common::{consistent, d, ptr, rules};
use gongkai_report::schema::TableId::{ActiveDisclosure, Applications, ReviewLitigation};
use gongkai_report::validate::{
    self, CaseRecord, ComparisonText, Jurisdiction, LocalDeadline, Options, Profile,
};
use gongkai_report::{AgencyKind, Finding, NotRunReason, Report, SectionId, Severity};
use rust_decimal::Decimal;

fn checked(mut r: Report, opts: &Options<'_>) -> Report {
    validate::check(&mut r, opts);
    r
}

fn default_check(r: Report) -> Report {
    checked(r, &Options::default())
}

fn only<'a>(r: &'a Report, rule: &str) -> Vec<&'a Finding> {
    r.findings
        .iter()
        .filter(|f| f.rule.as_str() == rule)
        .collect()
}

fn set(r: &mut Report, p: &str, v: Option<Decimal>) {
    assert!(r.tables.set_by_pointer(p, v), "{p}");
}

fn add(r: &mut Report, p: &str, delta: i64) {
    let v = r.tables.by_pointer(p).unwrap().unwrap() + Decimal::from(delta);
    set(r, p, Some(v));
}

#[test]
fn consistent_reports_have_no_errors_or_warnings() {
    for year in [2019, 2020, 2021, 2024] {
        let r = default_check(consistent(year));
        let serious: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(serious.is_empty(), "{year}: {serious:#?}");
    }
}

#[test]
fn h1_column_balance() {
    let mut r = consistent(2024);
    add(
        &mut r,
        &ptr(Applications, "carried_over", "natural_person"),
        2,
    );
    add(&mut r, &ptr(Applications, "carried_over", "total"), 2);
    let r = default_check(r);
    let h1 = only(&r, "H1");
    assert_eq!(h1.len(), 2, "natural_person and total columns");
    assert_eq!(
        h1[0].cells[3],
        ptr(Applications, "carried_over", "natural_person")
    );
    assert_eq!(h1[0].rhs.unwrap() - h1[0].lhs.unwrap(), Decimal::from(2));
    assert!(
        h1[0]
            .message_zh
            .contains("第一项加第二项之和，等于第三项加第四项之和")
    );
    assert!(only(&r, "H3").is_empty());
}

#[test]
fn h2_outcome_total_with_suspect() {
    let mut r = consistent(2021);
    add(
        &mut r,
        &ptr(Applications, "granted", "legal_service_org"),
        1,
    );
    add(&mut r, &ptr(Applications, "granted", "total"), 1);
    let r = default_check(r);
    let h2 = only(&r, "H2");
    assert_eq!(h2.len(), 2);
    assert_eq!(
        h2[0].cells[0],
        ptr(Applications, "total", "legal_service_org")
    );
    assert!(only(&r, "H3").is_empty());
    // No single cell explains it: changing granted/legal_service_org alone breaks H3.
    assert!(h2.iter().all(|f| f.suspects.is_empty()));
}

#[test]
fn h3_row_total_names_suspect() {
    let mut r = consistent(2024);
    add(
        &mut r,
        &ptr(Applications, "unable_not_held", "commercial_enterprise"),
        3,
    );
    let r = default_check(r);
    let h3 = only(&r, "H3");
    assert_eq!(h3.len(), 1);
    assert_eq!(
        h3[0].cells[0],
        ptr(Applications, "unable_not_held", "total")
    );
    let h2 = only(&r, "H2");
    assert_eq!(h2.len(), 1);
    let suspect = &h3[0].suspects[0];
    assert_eq!(
        suspect.cell,
        ptr(Applications, "unable_not_held", "commercial_enterprise")
    );
    assert_eq!(h2[0].suspects, h3[0].suspects);
}

#[test]
fn h4_block_total() {
    let mut r = consistent(2024);
    add(
        &mut r,
        &ptr(ReviewLitigation, "litigation_direct", "total"),
        1,
    );
    let r = default_check(r);
    let h4 = only(&r, "H4");
    assert_eq!(h4.len(), 1);
    assert!(h4[0].message_zh.contains("行政诉讼—未经复议直接起诉"));
    assert_eq!(
        h4[0].suspects[0].cell,
        ptr(ReviewLitigation, "litigation_direct", "total")
    );
}

#[test]
fn h5_counts() {
    let mut r = consistent(2024);
    let p = ptr(ActiveDisclosure, "licensing", "decisions");
    set(&mut r, &p, None);
    r.cell_raw.insert(p.clone(), "/".into());
    let q = ptr(ReviewLitigation, "reconsideration", "pending");
    set(&mut r, &q, d(-1));
    let r = default_check(r);
    let h5 = only(&r, "H5");
    assert_eq!(h5.len(), 2);
    assert_eq!(h5[0].cells, vec![p]);
    assert_eq!(h5[0].raw.as_deref(), Some("/"));
    assert!(h5[0].message_zh.contains("没有发生的应填0"));
    assert!(h5[1].message_zh.contains("不能为负数"));
    // A null cell already reported by the parser (F8) is not reported again, and H1–H4 do not
    // cascade from it.
    let mut r = consistent(2024);
    let p = ptr(Applications, "granted", "natural_person");
    set(&mut r, &p, None);
    r.findings
        .push(Finding::new("F8", Severity::Error, "无法读取", "unreadable").cells(vec![p]));
    let r = default_check(r);
    assert_eq!(rules(&r), vec!["F8"]);
}

#[test]
fn h6_money() {
    let mut r = consistent(2024);
    set(
        &mut r,
        &ptr(ActiveDisclosure, "fees", "amount_wan_yuan"),
        Some(Decimal::new(-5, 1)),
    );
    let r = default_check(r);
    assert_eq!(only(&r, "H6").len(), 1);
    let mut r = consistent(2020);
    set(
        &mut r,
        &ptr(ActiveDisclosure, "procurement", "amount"),
        None,
    );
    assert_eq!(only(&default_check(r), "H6").len(), 1);
    assert!(only(&default_check(consistent(2020)), "H6").is_empty());
}

#[test]
fn h7_item_changes() {
    let mut r = consistent(2020);
    set(&mut r, &ptr(ActiveDisclosure, "penalties", "change"), None);
    set(
        &mut r,
        &ptr(ActiveDisclosure, "fees", "previous_items"),
        d(2),
    );
    set(&mut r, &ptr(ActiveDisclosure, "fees", "change"), d(-3));
    let r = default_check(r);
    let h7 = only(&r, "H7");
    assert_eq!(h7.len(), 2);
    assert!(h7[0].message_zh.contains("减少用负数"));
    assert!(h7[1].message_zh.contains("小于0"));
    // A decrease that leaves items ≥ 0 is fine.
    let mut r = consistent(2020);
    set(
        &mut r,
        &ptr(ActiveDisclosure, "fees", "previous_items"),
        d(5),
    );
    set(&mut r, &ptr(ActiveDisclosure, "fees", "change"), d(-3));
    assert!(only(&default_check(r), "H7").is_empty());
}

fn case(
    id: &str,
    applicant: &str,
    received: (i32, u32, u32),
    closed: Option<(i32, u32, u32)>,
    outcome: &str,
) -> CaseRecord {
    let date = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    CaseRecord {
        id: id.into(),
        applicant: applicant.into(),
        received_on: date(received),
        closed_on: closed.map(date),
        dispositions: if outcome.is_empty() {
            vec![]
        } else {
            vec![outcome.into()]
        },
        third_party_consulted: false,
        explanation_requested: false,
    }
}

#[test]
fn h8_and_s13_against_case_records() {
    let cases = vec![
        case(
            "A1",
            "natural_person",
            (2023, 12, 20),
            Some((2024, 1, 10)),
            "granted",
        ),
        case(
            "A2",
            "natural_person",
            (2024, 3, 1),
            Some((2024, 3, 20)),
            "denied_third_party_rights",
        ),
        case(
            "A3",
            "commercial_enterprise",
            (2024, 5, 1),
            Some((2024, 5, 8)),
            "other_overdue_fee",
        ),
        case("A4", "other_org", (2024, 12, 28), None, ""),
    ];
    let mut r = consistent(2024);
    let (grid, problems) = validate::tally(&cases, 2024, r.format);
    assert!(problems.is_empty());
    r.tables.applications = grid;
    r.sections.get_mut(SectionId::OtherMatters).text =
        "本年度收取信息处理费0元，发出收费通知1件。".into();
    let opts = Options {
        cases: Some(&cases),
        ..Options::default()
    };
    let ok = checked(r.clone(), &opts);
    assert!(only(&ok, "H8").is_empty(), "{:#?}", ok.findings);
    assert!(!ok.checks_not_run.iter().any(|n| n.rule.as_str() == "H8"));
    // The tally itself: one carried in, three received, one carried over.
    let t = &ok.tables.applications;
    assert_eq!(t.get("carried_in", "total").unwrap(), d(1));
    assert_eq!(t.get("received", "total").unwrap(), d(3));
    assert_eq!(t.get("carried_over", "other_org").unwrap(), d(1));
    // S13: a third-party refusal without a recorded consultation.
    let s13 = only(&ok, "S13");
    assert_eq!(s13.len(), 1);
    assert!(s13[0].message_zh.contains("征求第三方意见"));
    let mut consulted = cases.clone();
    consulted[1].third_party_consulted = true;
    let opts2 = Options {
        cases: Some(&consulted),
        ..Options::default()
    };
    assert!(only(&checked(r.clone(), &opts2), "S13").is_empty());
    // A table that differs from the records, and a closed case without an outcome.
    let mut bad = r.clone();
    add(&mut bad, &ptr(Applications, "granted", "natural_person"), 1);
    let mut cases2 = cases.clone();
    cases2.push(case(
        "A5",
        "natural_person",
        (2024, 6, 1),
        Some((2024, 6, 9)),
        "",
    ));
    let opts3 = Options {
        cases: Some(&cases2),
        ..Options::default()
    };
    let bad = checked(bad, &opts3);
    let h8 = only(&bad, "H8");
    assert!(
        h8.iter()
            .any(|f| f.cells == vec![ptr(Applications, "granted", "natural_person")])
    );
    assert!(h8.iter().any(|f| f.message_zh.contains("办件A5")));
    // Without records the rule is listed as not run.
    let none = default_check(r);
    assert!(
        none.checks_not_run
            .iter()
            .any(|n| n.rule.as_str() == "H8" && n.reason == NotRunReason::NoCaseRecords)
    );
}

#[test]
fn s1_carry_over_across_years_and_formats() {
    let prev = default_check(consistent(2020));
    let mut r = consistent(2021);
    let co = prev
        .tables
        .applications
        .get("carried_over", "natural_person")
        .unwrap();
    set(
        &mut r,
        &ptr(Applications, "carried_in", "natural_person"),
        co,
    );
    let opts = Options {
        previous: Some(&prev),
        ..Options::default()
    };
    let ok = checked(r.clone(), &opts);
    // S1 runs across the 2020→2021 boundary; the other columns differ in this fixture.
    let s1 = only(&ok, "S1");
    assert!(
        s1.iter()
            .all(|f| f.cells[0] != ptr(Applications, "carried_in", "natural_person"))
    );
    assert!(ok.checks_not_run.iter().all(|n| n.rule.as_str() != "S1"));
    // Make every column agree: no S1.
    let mut r2 = r.clone();
    for col in [
        "natural_person",
        "commercial_enterprise",
        "research_institution",
        "public_welfare_org",
        "legal_service_org",
        "other_org",
        "total",
    ] {
        let v = prev.tables.applications.get("carried_over", col).unwrap();
        set(&mut r2, &ptr(Applications, "carried_in", col), v);
    }
    assert!(only(&checked(r2, &opts), "S1").is_empty());
    assert!(!s1.is_empty());
    assert_eq!(s1[0].previous.as_ref().unwrap().year, 2020);
}

#[test]
fn s2_s3_stock_continuity_2021() {
    let prev = default_check(consistent(2022));
    let mut r = consistent(2023);
    let p_in_force = prev
        .tables
        .active_disclosure
        .get("regulations", "in_force")
        .unwrap()
        .unwrap();
    set(
        &mut r,
        &ptr(ActiveDisclosure, "regulations", "issued"),
        d(2),
    );
    set(
        &mut r,
        &ptr(ActiveDisclosure, "regulations", "repealed"),
        d(1),
    );
    set(
        &mut r,
        &ptr(ActiveDisclosure, "regulations", "in_force"),
        Some(p_in_force + Decimal::ONE),
    );
    let nd_prev = prev
        .tables
        .active_disclosure
        .get("normative_documents", "in_force")
        .unwrap()
        .unwrap();
    set(
        &mut r,
        &ptr(ActiveDisclosure, "normative_documents", "issued"),
        d(0),
    );
    set(
        &mut r,
        &ptr(ActiveDisclosure, "normative_documents", "repealed"),
        Some(nd_prev + Decimal::ONE),
    );
    set(
        &mut r,
        &ptr(ActiveDisclosure, "normative_documents", "in_force"),
        d(0),
    );
    let opts = Options {
        previous: Some(&prev),
        ..Options::default()
    };
    let out = checked(r, &opts);
    let s2 = only(&out, "S2");
    assert_eq!(
        s2.len(),
        1,
        "regulations balance; normative documents do not: {s2:#?}"
    );
    assert_eq!(
        s2[0].cells[0],
        ptr(ActiveDisclosure, "normative_documents", "in_force")
    );
    let s3 = only(&out, "S3");
    assert_eq!(s3.len(), 1);
    assert_eq!(
        s3[0].cells[0],
        ptr(ActiveDisclosure, "normative_documents", "repealed")
    );
}

#[test]
fn s4_s5_and_s6_boundary() {
    let prev = default_check(consistent(2019));
    let mut r = consistent(2020);
    let tp = prev
        .tables
        .active_disclosure
        .get("regulations", "total_published")
        .unwrap()
        .unwrap();
    let pu = r
        .tables
        .active_disclosure
        .get("regulations", "published")
        .unwrap()
        .unwrap();
    set(
        &mut r,
        &ptr(ActiveDisclosure, "regulations", "total_published"),
        Some(tp + pu),
    );
    let opts = Options {
        previous: Some(&prev),
        ..Options::default()
    };
    let out = checked(r.clone(), &opts);
    let s4 = only(&out, "S4");
    assert!(
        s4.iter()
            .all(|f| f.cells[0] != ptr(ActiveDisclosure, "regulations", "total_published"))
    );
    assert!(
        s4.iter()
            .any(|f| f.cells[0] == ptr(ActiveDisclosure, "normative_documents", "total_published"))
    );
    let s5 = only(&out, "S5");
    assert!(!s5.is_empty());
    // Set licensing so S5 holds for it.
    let pi = prev
        .tables
        .active_disclosure
        .get("licensing", "previous_items")
        .unwrap()
        .unwrap();
    let ch = prev
        .tables
        .active_disclosure
        .get("licensing", "change")
        .unwrap()
        .unwrap();
    set(
        &mut r,
        &ptr(ActiveDisclosure, "licensing", "previous_items"),
        Some(pi + ch),
    );
    let out = checked(r, &opts);
    assert!(
        only(&out, "S5")
            .iter()
            .all(|f| f.cells[0] != ptr(ActiveDisclosure, "licensing", "previous_items"))
    );
    // S6: a 2021 report against a 2020 report never compares table 2.
    let r21 = consistent(2021);
    let prev20 = consistent(2020);
    let out = checked(
        r21,
        &Options {
            previous: Some(&prev20),
            ..Options::default()
        },
    );
    for rule in ["S2", "S3"] {
        assert!(
            out.checks_not_run
                .iter()
                .any(|n| n.rule.as_str() == rule && n.reason == NotRunReason::FormatBoundary)
        );
        assert!(only(&out, rule).is_empty());
    }
}

#[test]
fn s7_numbers_in_text() {
    let mut r = consistent(2024);
    let received = r
        .tables
        .applications
        .get("received", "total")
        .unwrap()
        .unwrap();
    let overview = &mut r.sections.get_mut(SectionId::Overview).text;
    *overview = format!("{overview}全年共收到政府信息公开申请{received}件。");
    assert!(only(&default_check(r.clone()), "S7").is_empty());
    r.sections
        .get_mut(SectionId::Overview)
        .text
        .push_str("本年度行政复议 九十九 件。");
    let out = default_check(r);
    let s7 = only(&out, "S7");
    assert_eq!(s7.len(), 1, "{s7:#?}");
    assert_eq!(
        s7[0].cells[0],
        ptr(ReviewLitigation, "reconsideration", "total")
    );
    assert_eq!(s7[0].lhs, Some(Decimal::from(99)));
    // Phrases like 主动公开信息709条 match no pattern.
    let mut r = consistent(2024);
    r.sections
        .get_mut(SectionId::Overview)
        .text
        .push_str("主动公开信息709条，政策解读10条。");
    assert!(only(&default_check(r), "S7").is_empty());
}

#[test]
fn s8_s9_fee_statements() {
    let mut r = consistent(2024);
    assert!(only(&default_check(r.clone()), "S9").is_empty());
    r.sections.get_mut(SectionId::OtherMatters).text = "无".into();
    let out = default_check(r.clone());
    assert_eq!(only(&out, "S9")[0].severity, Severity::Warning);
    let fee = r
        .tables
        .applications
        .get("other_overdue_fee", "total")
        .unwrap()
        .unwrap();
    assert!(fee > Decimal::ZERO, "fixture has unpaid-fee cases");
    assert_eq!(only(&out, "S8").len(), 1);
    let strict = Options {
        jurisdiction: Jurisdiction {
            s9_error: true,
            ..Jurisdiction::default()
        },
        ..Options::default()
    };
    assert_eq!(
        only(&checked(r.clone(), &strict), "S9")[0].severity,
        Severity::Error
    );
    r.sections.get_mut(SectionId::OtherMatters).text = "已向申请人发出收费通知。".into();
    let out = default_check(r);
    assert!(only(&out, "S8").is_empty());
    assert_eq!(only(&out, "S9").len(), 1);
    // Not for 2020 reports.
    let mut r = consistent(2020);
    r.sections.get_mut(SectionId::OtherMatters).text = "无".into();
    assert!(only(&default_check(r), "S9").is_empty());
}

#[test]
fn s10_compiled_sums() {
    use gongkai_report::compile::{CompileOptions, Named, compile};
    let a = consistent(2024);
    let b = consistent(2024);
    let named = [
        Named {
            name: "a.json",
            report: &a,
        },
        Named {
            name: "b.json",
            report: &b,
        },
    ];
    let compiled = compile(&named, &CompileOptions::default()).unwrap();
    assert!(only(&compiled, "S10").is_empty());
    let mut altered = compiled.clone();
    add(
        &mut altered,
        &ptr(ReviewLitigation, "reconsideration", "upheld"),
        1,
    );
    let reports = [a.clone(), b.clone()];
    let opts = Options {
        constituents: Some(&reports),
        ..Options::default()
    };
    let out = checked(altered.clone(), &opts);
    let s10 = only(&out, "S10");
    assert_eq!(s10.len(), 1);
    assert_eq!(
        s10[0].cells[0],
        ptr(ReviewLitigation, "reconsideration", "upheld")
    );
    // Without constituents: not run.
    let out = default_check(altered);
    assert!(
        out.checks_not_run
            .iter()
            .any(|n| n.rule.as_str() == "S10" && n.reason == NotRunReason::NoConstituents)
    );
}

#[test]
fn f1_format_and_year() {
    assert!(only(&default_check(consistent(2021)), "F1").is_empty());
    let mut r = consistent(2020);
    r.year = 2021;
    let f1 = only(&default_check(r), "F1")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(f1.len(), 1);
    assert!(f1[0].message_zh.contains("国办公开办函〔2021〕30号"));
    let mut r = consistent(2019);
    r.year = 2018;
    assert!(
        only(&default_check(r), "F1")[0]
            .message_zh
            .contains("2019年度及以后")
    );
}

#[test]
fn f2_f3_headings() {
    let mut r = consistent(2024);
    r.sections.get_mut(SectionId::ReviewLitigation).heading = None;
    r.sections.get_mut(SectionId::Problems).heading = Some("五、存在问题及改进情况".into());
    r.sections.get_mut(SectionId::Overview).heading = Some("一.总体情况".into());
    r.sections.extra.push(gongkai_report::model::ExtraSection {
        heading: "七、其他".into(),
        after: "other_matters".into(),
        text: String::new(),
    });
    let out = default_check(r.clone());
    assert_eq!(only(&out, "F2").len(), 1);
    let f3 = only(&out, "F3");
    assert_eq!(
        f3.len(),
        2,
        "wording of 五 and the extra 七; 一. is a copy artifact: {f3:#?}"
    );
    assert_eq!(
        f3[0].canonical.as_deref(),
        Some("五、存在的主要问题及改进情况")
    );
    let strict = checked(
        r,
        &Options {
            profile: Profile::Strict,
            ..Options::default()
        },
    );
    assert_eq!(
        only(&strict, "F3").len(),
        3,
        "strict reports the punctuation variant too"
    );
}

#[test]
fn f11_cited_format_document() {
    let mut r = consistent(2024);
    r.sections.preamble = Some("根据《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求编制本报告。".into());
    assert!(only(&default_check(r.clone()), "F11").is_empty());
    r.sections.preamble = Some("按照年度报告格式（国办发〔2021〕30号）编制。".into());
    let f11 = only(&default_check(r.clone()), "F11")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(f11.len(), 1);
    assert_eq!(
        f11[0].canonical.as_deref(),
        Some("国办公开办函〔2021〕30号")
    );
    r.sections.preamble = Some("按照年度报告格式（国办公开办函〔2019〕60号）编制。".into());
    assert_eq!(
        only(&default_check(r), "F11").len(),
        1,
        "2019 format cited by a 2024 report"
    );
}

#[test]
fn parser_findings_are_kept() {
    let mut r = consistent(2024);
    r.findings.push(Finding::new(
        "F14",
        Severity::Info,
        "缺少标签",
        "label missing",
    ));
    r.findings
        .push(Finding::new("H3", Severity::Error, "stale", "stale"));
    let out = default_check(r);
    assert_eq!(
        rules(&out),
        vec!["F14"],
        "stale validator findings are recomputed away"
    );
}

#[test]
fn p1_p2_deadlines() {
    let mut r = consistent(2024);
    r.published_on = NaiveDate::from_ymd_opt(2025, 1, 31);
    assert!(
        only(&default_check(r.clone()), "P1").is_empty(),
        "on the day is on time"
    );
    r.published_on = NaiveDate::from_ymd_opt(2025, 2, 1);
    assert!(
        only(&default_check(r.clone()), "P1")[0]
            .message_zh
            .contains("2025-01-31")
    );
    r.agency.kind = Some(AgencyKind::Government);
    assert!(
        only(&default_check(r.clone()), "P1").is_empty(),
        "governments have until 31 March"
    );
    r.agency.kind = Some(AgencyKind::Department);
    r.published_on = None;
    r.signed_on = NaiveDate::from_ymd_opt(2025, 2, 3);
    assert!(
        only(&default_check(r.clone()), "P1")[0]
            .message_zh
            .contains("落款日期")
    );
    r.signed_on = None;
    assert!(
        default_check(r.clone())
            .checks_not_run
            .iter()
            .any(|n| n.rule.as_str() == "P1" && n.reason == NotRunReason::PublicationDateUnknown)
    );
    r.agency.kind = None;
    assert!(
        default_check(r.clone())
            .checks_not_run
            .iter()
            .any(|n| n.rule.as_str() == "P1" && n.reason == NotRunReason::AgencyKindUnknown)
    );
    // P2: a township with a local date.
    r.agency.kind = Some(AgencyKind::Township);
    r.published_on = NaiveDate::from_ymd_opt(2025, 2, 20);
    let local = Options {
        jurisdiction: Jurisdiction {
            local_deadlines: vec![LocalDeadline {
                kind: AgencyKind::Township,
                month: 2,
                day: 15,
            }],
            ..Jurisdiction::default()
        },
        ..Options::default()
    };
    assert_eq!(only(&checked(r.clone(), &local), "P2").len(), 1);
    r.published_on = NaiveDate::from_ymd_opt(2025, 2, 10);
    assert!(only(&checked(r, &local), "P2").is_empty());
}

#[test]
fn n1_overview_areas() {
    let mut r = consistent(2024);
    assert!(only(&default_check(r.clone()), "N1").is_empty());
    r.sections.get_mut(SectionId::Overview).text = "本机关做好主动公开工作。".into();
    let n1 = only(&default_check(r.clone()), "N1")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(n1.len(), 1);
    assert!(n1[0].message_zh.contains("依申请公开"));
    assert!(!n1[0].message_zh.contains("、主动公开"));
    let mut g = consistent(2024);
    g.agency.kind = Some(AgencyKind::Government);
    let n1 = only(&default_check(g), "N1")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert!(n1.iter().any(|f| f.message_zh.contains("社会评议")));
}

#[test]
fn n2_duplicated_text_and_n3_length() {
    let r = consistent(2024);
    let same = [ComparisonText {
        name: "2023年度报告".into(),
        text: format!(
            "{}\n{}",
            r.sections.get(SectionId::Overview).text,
            r.sections.get(SectionId::Problems).text
        ),
    }];
    let out = checked(
        r.clone(),
        &Options {
            comparison_texts: &same,
            ..Options::default()
        },
    );
    assert!(only(&out, "N2")[0].message_zh.contains("100%"));
    let other = [ComparisonText {
        name: "其他报告".into(),
        text: "完全不同的一段文字，与本报告没有任何重复的内容。".into(),
    }];
    assert!(
        only(
            &checked(
                r.clone(),
                &Options {
                    comparison_texts: &other,
                    ..Options::default()
                }
            ),
            "N2"
        )
        .is_empty()
    );
    let limited = Options {
        jurisdiction: Jurisdiction {
            overview_limit: Some(10),
            ..Jurisdiction::default()
        },
        ..Options::default()
    };
    assert_eq!(only(&checked(r.clone(), &limited), "N3").len(), 1);
    assert!(
        only(&default_check(r), "N3").is_empty(),
        "N3 is off unless configured"
    );
}
