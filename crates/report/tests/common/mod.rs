//! Builders of consistent reports for the tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use gongkai_report::model::MoneyUnit;
use gongkai_report::schema::{APPLICANT_TOTAL, TableId, outcome_rows};
use gongkai_report::{AgencyKind, Format, Report, SectionId};
use rust_decimal::Decimal;

#[allow(clippy::unnecessary_wraps)] // cells are Option<Decimal>
pub fn d(v: i64) -> Option<Decimal> {
    Some(Decimal::from(v))
}

/// Fills table 3 from outcome counts `outcome(row, col)`, carried-in `carried_in(col)` and
/// carried-over `carried_over(col)`; totals and `received` are derived so H1–H3 hold.
pub fn fill_applications(
    r: &mut Report,
    outcome: impl Fn(usize, usize) -> i64,
    carried_in: impl Fn(usize) -> i64,
    carried_over: impl Fn(usize) -> i64,
) {
    let g = &mut r.tables.applications;
    let def = g.def();
    let row = |id: &str| def.row_index(id).unwrap();
    let (received, cin, total, cover) = (
        row("received"),
        row("carried_in"),
        row("total"),
        row("carried_over"),
    );
    for c in 0..APPLICANT_TOTAL {
        let mut sum = 0;
        for r in outcome_rows(def.format) {
            let v = outcome(r, c);
            g.set_at(r, c, d(v));
            sum += v;
        }
        g.set_at(total, c, d(sum));
        let (ci, co) = (carried_in(c).min(sum + carried_over(c)), carried_over(c));
        g.set_at(cin, c, d(ci));
        g.set_at(cover, c, d(co));
        g.set_at(received, c, d(sum + co - ci));
    }
    for r in 0..def.rows.len() {
        let s: Decimal = (0..APPLICANT_TOTAL).map(|c| g.at(r, c).unwrap()).sum();
        g.set_at(r, APPLICANT_TOTAL, Some(s));
    }
}

/// Fills table 4 block by block from the four result columns; totals derived.
pub fn fill_review(r: &mut Report, v: impl Fn(usize, usize) -> i64) {
    let g = &mut r.tables.review_litigation;
    for b in 0..3 {
        let mut s = 0;
        for c in 0..4 {
            g.set_at(b, c, d(v(b, c)));
            s += v(b, c);
        }
        g.set_at(b, 4, d(s));
    }
}

/// A consistent report of `year` in the format that year requires, with non-zero values, the
/// six headings, a narrative covering the five areas, and the 信息处理费 statement.
pub fn consistent(year: i32) -> Report {
    let format = Format::for_year(year).unwrap();
    let mut r = Report::new(format, year, d(0));
    r.agency.name = Some("示例市应急管理局".into());
    r.agency.kind = Some(AgencyKind::Department);
    r.published_on = NaiveDate::from_ymd_opt(year + 1, 1, 20);
    fill_applications(
        &mut r,
        |row, col| ((row * 3 + col) % 4) as i64,
        |c| (c % 2) as i64,
        |c| (c % 3) as i64,
    );
    fill_review(&mut r, |b, c| ((b + c) % 3) as i64);
    let t2 = &mut r.tables.active_disclosure;
    for (ri, ci, _) in t2.clone().iter() {
        t2.set_at(ri, ci, d((ri * 5 + ci * 2 + 1) as i64));
    }
    if format == Format::V2019 {
        r.tables.procurement_amount_unit = Some(MoneyUnit::WanYuan);
        t2.set("procurement", "amount", Some(Decimal::new(20319, 1)));
    } else {
        t2.set("fees", "amount_wan_yuan", Some(Decimal::new(38, 3)));
    }
    r.sections.get_mut(SectionId::Overview).text = "本机关坚持以公开为常态，全面推进主动公开；依法办理政府信息公开申请；加强政府信息管理，做好规范性文件审查；完善政府网站平台建设；强化监督保障，开展培训与考核。".into();
    r.sections.get_mut(SectionId::Problems).text =
        "存在的问题：公开深度不够。改进情况：加强解读。".into();
    r.sections.get_mut(SectionId::OtherMatters).text =
        "（一）信息处理费收取情况\n本年度未收取信息处理费。".into();
    r
}

pub fn rules(r: &Report) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule.as_str()).collect()
}

pub fn ptr(t: TableId, row: &str, col: &str) -> String {
    gongkai_report::schema::pointer(t, row, col)
}
