//! H8 and S13: table 3 against the platform's case records (spec §4.2 H8, §4.3 S13).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::{Ctx, col_zh, num};
use crate::findings::{Finding, NotRunReason, Severity};
use crate::model::Grid;
use crate::schema::{APPLICANT_COLS, APPLICANT_TOTAL, Format, TableId, outcome_rows, table_def};

/// One application as the case register knows it (applications.md §9–§10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: String,
    /// Applicant column id in `C6` (`natural_person` … `other_org`).
    pub applicant: String,
    /// Date of receipt under Art. 31.
    pub received_on: NaiveDate,
    /// Date the case was closed, if it is.
    pub closed_on: Option<NaiveDate>,
    /// The table-3 outcome row ids (2021 ids) recorded on the case; exactly one when closed.
    pub dispositions: Vec<String>,
    /// A written third-party consultation (Art. 32) is on file.
    pub third_party_consulted: bool,
    /// The applicant was asked to explain the reasons (Art. 35).
    pub explanation_requested: bool,
}

/// Problems found while tallying: cases without exactly one known disposition or applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyProblem {
    pub case_id: String,
}

/// Table 3 of `year` in `format` counted from case records (spec §4.2 H8).
pub fn tally(cases: &[CaseRecord], year: i32, format: Format) -> (Grid, Vec<TallyProblem>) {
    let mut grid = Grid::filled(format, TableId::Applications, Some(Decimal::ZERO));
    let def = table_def(format, TableId::Applications);
    let mut problems = Vec::new();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid year");
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid year");
    let add = |grid: &mut Grid, row: usize, col: usize| {
        let v = grid.at(row, col).unwrap_or_default() + Decimal::ONE;
        grid.set_at(row, col, Some(v));
        let t = grid.at(row, APPLICANT_TOTAL).unwrap_or_default() + Decimal::ONE;
        grid.set_at(row, APPLICANT_TOTAL, Some(t));
    };
    let row = |id: &str| def.row_index(id).expect("row");
    for case in cases {
        let Some(col) = APPLICANT_COLS[..APPLICANT_TOTAL]
            .iter()
            .position(|c| c.id == case.applicant)
        else {
            problems.push(TallyProblem {
                case_id: case.id.clone(),
            });
            continue;
        };
        if case.received_on.year() == year {
            add(&mut grid, row("received"), col);
        }
        if case.received_on < start && case.closed_on.is_none_or(|c| c >= start) {
            add(&mut grid, row("carried_in"), col);
        }
        if case.received_on <= end && case.closed_on.is_none_or(|c| c > end) {
            add(&mut grid, row("carried_over"), col);
        }
        if case.closed_on.is_none_or(|c| c.year() != year) {
            continue;
        }
        let outcome = match case.dispositions.as_slice() {
            [d] => {
                let id = match (format, d.as_str()) {
                    (
                        Format::V2019,
                        "other_overdue_correction" | "other_overdue_fee" | "other_other",
                    ) => "other",
                    (_, d) => d,
                };
                def.row_index(id)
                    .filter(|r| outcome_rows(format).contains(r))
            }
            _ => None,
        };
        match outcome {
            Some(r) => {
                add(&mut grid, r, col);
                add(&mut grid, row("total"), col);
            }
            None => problems.push(TallyProblem {
                case_id: case.id.clone(),
            }),
        }
    }
    (grid, problems)
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let Some(cases) = ctx.opts.cases else {
        ctx.not_run("H8", NotRunReason::NoCaseRecords);
        ctx.not_run("S13", NotRunReason::NoCaseRecords);
        return;
    };
    let r = ctx.report;
    let (expected, problems) = tally(cases, r.year, r.format);
    let actual = &r.tables.applications;
    let def = actual.def();
    for (ri, ci, want) in expected.iter() {
        let got = actual.at(ri, ci);
        if got != want {
            let (row, col) = (&def.rows[ri], &def.rows[ri].cols[ci]);
            let shown = got.map_or_else(|| "空".to_owned(), num);
            let want = want.unwrap_or_default();
            let mut f = Finding::new(
                "H8",
                Severity::Error,
                format!(
                    "申请情况表“{}”行“{}”列为{shown}，按办件记录统计应为{}。",
                    row.label,
                    col_zh(TableId::Applications, col),
                    num(want)
                ),
                format!(
                    "Row {}, column {} is {shown}; the case records give {}.",
                    row.id,
                    col.id,
                    num(want)
                ),
            )
            .cells(vec![actual.pointer(ri, ci)]);
            if let Some(g) = got {
                f = f.sides(g, want);
            }
            ctx.push(f);
        }
    }
    for p in problems {
        ctx.push(Finding::new(
            "H8",
            Severity::Error,
            format!("办件{}没有或有多个办理结果。", p.case_id),
            format!(
                "Case {} has no, or more than one, report outcome.",
                p.case_id
            ),
        ));
    }
    // S13: workflow plausibility.
    for (row_id, step_zh, step_en, has_step) in [
        (
            "denied_third_party_rights",
            "征求第三方意见",
            "third-party consultation",
            (|c: &super::CaseRecord| c.third_party_consulted) as fn(&super::CaseRecord) -> bool,
        ),
        (
            "not_processed_excessive",
            "要求申请人说明理由",
            "request to explain",
            |c: &super::CaseRecord| c.explanation_requested,
        ),
    ] {
        let ri = def.row_index(row_id).expect("row");
        let Some(n) = actual
            .at(ri, APPLICANT_TOTAL)
            .filter(|n| *n > Decimal::ZERO)
        else {
            continue;
        };
        let any_step = cases.iter().any(|c| {
            c.closed_on.is_some_and(|d| d.year() == r.year)
                && c.dispositions.iter().any(|d| d == row_id)
                && has_step(c)
        });
        if !any_step {
            let label = def.rows[ri].label;
            ctx.push(
                Finding::new(
                    "S13",
                    Severity::Info,
                    format!(
                        "申请情况表“{label}”有{}件，但办件记录中没有相应的{step_zh}记录。",
                        num(n)
                    ),
                    format!(
                        "{label} has {} applications, but the case records show no {step_en}.",
                        num(n)
                    ),
                )
                .cells(vec![actual.pointer(ri, APPLICANT_TOTAL)]),
            );
        }
    }
}
