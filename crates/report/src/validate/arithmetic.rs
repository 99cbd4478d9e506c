//! H1–H4 (spec §4.2) and the suspect-cell analysis (§4.2.9).
//!
//! Every rule instance is a linear equation `Σ lhs = Σ rhs` over cells; the same representation
//! evaluates the rules and searches for single cells whose correction clears every failure.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Ctx, col_en, col_zh, num, row_zh};
use crate::findings::{Finding, Severity, Suspect};
use crate::model::Tables;
use crate::schema::{APPLICANT_COLS, APPLICANT_TOTAL, TableId, outcome_rows};

/// A cell address: table, row index, column index.
pub(crate) type Addr = (TableId, usize, usize);

/// One instance of one arithmetic rule.
pub(crate) struct Instance {
    pub rule: &'static str,
    /// The cell the rule is about (first in `cells`).
    pub lhs: Vec<Addr>,
    pub rhs: Vec<Addr>,
    /// Row or column index the instance is about, for messages.
    pub subject: usize,
}

impl Instance {
    fn contains(&self, a: Addr) -> bool {
        self.lhs.contains(&a) || self.rhs.contains(&a)
    }

    /// `(lhs, rhs)`, or `None` when a cell is null (the rule is then not evaluated).
    fn sides(&self, value: &dyn Fn(Addr) -> Option<Decimal>) -> Option<(Decimal, Decimal)> {
        let mut l = Decimal::ZERO;
        for a in &self.lhs {
            l += value(*a)?;
        }
        let mut r = Decimal::ZERO;
        for a in &self.rhs {
            r += value(*a)?;
        }
        Some((l, r))
    }
}

/// All instances of H1–H4 for the report's format, in the order of spec §3.5.
pub(crate) fn instances(tables: &Tables) -> Vec<Instance> {
    let t3 = tables.applications.def();
    let row = |id: &str| t3.row_index(id).expect("table-3 row");
    let (received, carried_in, total, carried_over) = (
        row("received"),
        row("carried_in"),
        row("total"),
        row("carried_over"),
    );
    let a = |r: usize, c: usize| (TableId::Applications, r, c);
    let mut v = Vec::new();
    for c in 0..APPLICANT_COLS.len() {
        v.push(Instance {
            rule: "H1",
            lhs: vec![a(received, c), a(carried_in, c)],
            rhs: vec![a(total, c), a(carried_over, c)],
            subject: c,
        });
    }
    for c in 0..APPLICANT_COLS.len() {
        v.push(Instance {
            rule: "H2",
            lhs: vec![a(total, c)],
            rhs: outcome_rows(t3.format).map(|r| a(r, c)).collect(),
            subject: c,
        });
    }
    for r in 0..t3.rows.len() {
        v.push(Instance {
            rule: "H3",
            lhs: vec![a(r, APPLICANT_TOTAL)],
            rhs: (0..APPLICANT_TOTAL).map(|c| a(r, c)).collect(),
            subject: r,
        });
    }
    for b in 0..3 {
        let t = |c| (TableId::ReviewLitigation, b, c);
        v.push(Instance {
            rule: "H4",
            lhs: vec![t(4)],
            rhs: (0..4).map(t).collect(),
            subject: b,
        });
    }
    v
}

/// Whether every H1–H4 instance that involves one of `cells` and has no null cell holds.
pub(crate) fn holds_for(tables: &Tables, cells: &[Addr]) -> bool {
    let value = value_of(tables);
    instances(tables)
        .iter()
        .filter(|inst| cells.iter().any(|c| inst.contains(*c)))
        .all(|inst| inst.sides(&value).is_none_or(|(l, r)| l == r))
}

fn value_of(tables: &Tables) -> impl Fn(Addr) -> Option<Decimal> + '_ {
    |(t, r, c)| tables.grid(t).at(r, c)
}

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let tables = &ctx.report.tables;
    let all = instances(tables);
    let value = value_of(tables);
    let failed: Vec<(usize, Decimal, Decimal)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, inst)| {
            let (l, r) = inst.sides(&value)?;
            (l != r).then_some((i, l, r))
        })
        .collect();
    if failed.is_empty() {
        return;
    }
    let suspects = suspects(tables, &all, &failed);
    for (i, l, r) in failed {
        let inst = &all[i];
        let mut f = finding(tables, inst, l, r);
        f.suspects = suspects
            .iter()
            .filter(|(a, _)| inst.contains(*a))
            .map(|(a, s)| Suspect {
                cell: tables.grid(a.0).pointer(a.1, a.2),
                suggested: Some(*s),
            })
            .collect();
        ctx.push(f);
    }
}

/// Spec §4.2.9: single cells whose change alone makes every H1–H4 instance pass.
fn suspects(
    tables: &Tables,
    all: &[Instance],
    failed: &[(usize, Decimal, Decimal)],
) -> Vec<(Addr, Decimal)> {
    let mut candidates: Vec<Addr> = Vec::new();
    for (i, _, _) in failed {
        for a in all[*i].lhs.iter().chain(&all[*i].rhs) {
            if !candidates.contains(a) {
                candidates.push(*a);
            }
        }
    }
    let base = value_of(tables);
    let mut out = Vec::new();
    for x in candidates {
        let Some(current) = base(x) else { continue };
        let Some((first, l, r)) = failed.iter().find(|(i, _, _)| all[*i].contains(x)) else {
            continue;
        };
        let inst = &all[*first];
        // Σlhs − Σrhs = l − r; x on the left moves it by +d, on the right by −d.
        let d = if inst.lhs.contains(&x) { r - l } else { l - r };
        let new = current + d;
        if new < Decimal::ZERO {
            continue;
        }
        let mut over: HashMap<Addr, Decimal> = HashMap::new();
        over.insert(x, new);
        let value = |a: Addr| over.get(&a).copied().or_else(|| base(a));
        let clears = all
            .iter()
            .all(|inst| inst.sides(&value).is_none_or(|(l, r)| l == r));
        if clears {
            out.push((x, new));
        }
    }
    out
}

fn finding(tables: &Tables, inst: &Instance, l: Decimal, r: Decimal) -> Finding {
    let ptr = |a: &Addr| tables.grid(a.0).pointer(a.1, a.2);
    let t3 = tables.applications.def();
    let (lhs, rhs) = (num(l), num(r));
    let f = match inst.rule {
        "H1" => {
            let col = &APPLICANT_COLS[inst.subject];
            Finding::new(
                "H1",
                Severity::Error,
                format!(
                    "申请情况表“{}”列：第一项与第二项之和为{lhs}，第三项与第四项之和为{rhs}，不符合“第一项加第二项之和，等于第三项加第四项之和”。",
                    col_zh(TableId::Applications, col)
                ),
                format!(
                    "Applications table, column {}: received + carried in = {lhs}, but total closed + carried over = {rhs}; the balance printed in the table does not hold.",
                    col_en(TableId::Applications, col)
                ),
            )
            .cells(inst.lhs.iter().chain(&inst.rhs).map(ptr).collect())
        }
        "H2" => {
            let col = &APPLICANT_COLS[inst.subject];
            let mut cells = vec![ptr(&inst.lhs[0])];
            cells.extend(
                inst.rhs
                    .iter()
                    .filter(|a| tables.grid(a.0).at(a.1, a.2).is_some_and(|v| !v.is_zero()))
                    .map(ptr),
            );
            Finding::new(
                "H2",
                Severity::Error,
                format!(
                    "申请情况表“{}”列：“（七）总计”为{lhs}，但各项办理结果之和为{rhs}。",
                    col_zh(TableId::Applications, col)
                ),
                format!(
                    "Applications table, column {}: （七）总计 is {lhs}, but the outcome rows add up to {rhs}.",
                    col_en(TableId::Applications, col)
                ),
            )
            .cells(cells)
        }
        "H3" => {
            let row = &t3.rows[inst.subject];
            Finding::new(
                "H3",
                Severity::Error,
                format!(
                    "申请情况表“{}”行：“总计”为{lhs}，但自然人与各类法人或其他组织之和为{rhs}。",
                    row.label
                ),
                format!(
                    "Applications table, row {}: 总计 is {lhs}, but the six applicant columns add up to {rhs}.",
                    row.label
                ),
            )
            .cells(inst.lhs.iter().chain(&inst.rhs).map(ptr).collect())
        }
        _ => {
            let def = tables.review_litigation.def();
            let block = row_zh(TableId::ReviewLitigation, &def.rows[inst.subject]);
            Finding::new(
                "H4",
                Severity::Error,
                format!(
                    "复议诉讼情况表“{block}”：“总计”为{lhs}，但结果维持、结果纠正、其他结果、尚未审结之和为{rhs}。"
                ),
                format!(
                    "Review/litigation table, {block}: 总计 is {lhs}, but upheld + corrected + other + pending = {rhs}."
                ),
            )
            .cells(inst.lhs.iter().chain(&inst.rhs).map(ptr).collect())
        }
    };
    f.sides(l, r)
}
