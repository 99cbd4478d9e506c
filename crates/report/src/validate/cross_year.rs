//! Rules comparing with other reports: S1–S6 against the previous year (spec §4.3) and S10
//! against the constituents of a compiled report (§8.2).

use rust_decimal::Decimal;

use super::{Ctx, col_zh, num, row_zh};
use crate::findings::{Finding, NotRunReason, Previous, Severity};
use crate::model::{Grid, Report};
use crate::schema::{APPLICANT_COLS, Format, TableId};

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    let prev = ctx.opts.previous.filter(|p| p.year == r.year - 1);
    // S1: from report year 2020, across the format boundary too.
    if r.year >= 2020 {
        match prev {
            None => ctx.not_run("S1", NotRunReason::NoPreviousReport),
            Some(p) => s1(ctx, p),
        }
    }
    match r.format {
        Format::V2021 => {
            let boundary = r.year <= 2021 || prev.is_some_and(|p| p.format != Format::V2021);
            if boundary {
                ctx.not_run("S2", NotRunReason::FormatBoundary);
                ctx.not_run("S3", NotRunReason::FormatBoundary);
            } else if let Some(p) = prev {
                s2_s3(ctx, p);
            } else {
                ctx.not_run("S2", NotRunReason::NoPreviousReport);
                ctx.not_run("S3", NotRunReason::NoPreviousReport);
            }
        }
        Format::V2019 if r.year == 2020 => match prev {
            Some(p) if p.format == Format::V2019 => s4_s5(ctx, p),
            Some(_) => {
                ctx.not_run("S4", NotRunReason::FormatBoundary);
                ctx.not_run("S5", NotRunReason::FormatBoundary);
            }
            None => {
                ctx.not_run("S4", NotRunReason::NoPreviousReport);
                ctx.not_run("S5", NotRunReason::NoPreviousReport);
            }
        },
        Format::V2019 => {}
    }
    if r.compilation.is_some() {
        match ctx.opts.constituents {
            Some(c) if !c.is_empty() => s10(ctx, c),
            _ => ctx.not_run("S10", NotRunReason::NoConstituents),
        }
    }
}

fn previous(p: &Report, grid: &Grid, cells: &[(usize, usize)]) -> Previous {
    Previous {
        year: p.year,
        cells: cells.iter().map(|(r, c)| grid.pointer(*r, *c)).collect(),
        values: cells.iter().map(|(r, c)| grid.at(*r, *c)).collect(),
    }
}

fn s1(ctx: &mut Ctx<'_, '_>, p: &Report) {
    let now = &ctx.report.tables.applications;
    let before = &p.tables.applications;
    let ci = now.def().row_index("carried_in").expect("row");
    let co = before.def().row_index("carried_over").expect("row");
    for (c, col) in APPLICANT_COLS.iter().enumerate() {
        let (Some(n), Some(b)) = (now.at(ci, c), before.at(co, c)) else {
            continue;
        };
        if n != b {
            let mut f = Finding::new(
                "S1",
                Severity::Warning,
                format!(
                    "申请情况表“{}”列：本年“二、上年结转政府信息公开申请数量”为{}，与上一年度报告“四、结转下年度继续办理”{}不一致。",
                    col_zh(TableId::Applications, col),
                    num(n),
                    num(b)
                ),
                format!(
                    "Column {}: carried in this year ({}) differs from last year's carried over ({}).",
                    super::col_en(TableId::Applications, col),
                    num(n),
                    num(b)
                ),
            )
            .cells(vec![now.pointer(ci, c)])
            .sides(n, b);
            f.previous = Some(previous(p, before, &[(co, c)]));
            ctx.push(f);
        }
    }
}

fn s2_s3(ctx: &mut Ctx<'_, '_>, p: &Report) {
    let now = &ctx.report.tables.active_disclosure;
    let before = &p.tables.active_disclosure;
    let def = now.def();
    for id in ["regulations", "normative_documents"] {
        let ri = def.row_index(id).expect("row");
        let row = &def.rows[ri];
        let col = |c: &str| row.col_index(c).expect("col");
        let (issued, repealed, in_force) = (col("issued"), col("repealed"), col("in_force"));
        let (Some(i), Some(rp), Some(f)) = (
            now.at(ri, issued),
            now.at(ri, repealed),
            now.at(ri, in_force),
        ) else {
            continue;
        };
        let Some(prev) = before.at(ri, in_force) else {
            continue;
        };
        let expected = prev + i - rp;
        if f != expected {
            let mut finding = Finding::new(
                "S2",
                Severity::Warning,
                format!(
                    "主动公开情况表“{}”：上年现行有效{}件，加本年制发{}件、减本年废止{}件，应为{}件，本年填报现行有效{}件。",
                    row.label, num(prev), num(i), num(rp), num(expected), num(f)
                ),
                format!(
                    "{}: last year in force {} + issued {} − repealed {} = {}, but this year's report says {}.",
                    row.label, num(prev), num(i), num(rp), num(expected), num(f)
                ),
            )
            .cells(vec![
                now.pointer(ri, in_force),
                now.pointer(ri, issued),
                now.pointer(ri, repealed),
            ])
            .sides(f, expected);
            finding.previous = Some(previous(p, before, &[(ri, in_force)]));
            ctx.push(finding);
        }
        if rp > prev + i {
            let mut finding = Finding::new(
                "S3",
                Severity::Warning,
                format!(
                    "主动公开情况表“{}”：本年废止{}件，多于上年现行有效{}件与本年制发{}件之和。",
                    row.label,
                    num(rp),
                    num(prev),
                    num(i)
                ),
                format!(
                    "{}: repealed {} exceeds last year's in force {} plus issued {}.",
                    row.label,
                    num(rp),
                    num(prev),
                    num(i)
                ),
            )
            .cells(vec![now.pointer(ri, repealed)])
            .sides(rp, prev + i);
            finding.previous = Some(previous(p, before, &[(ri, in_force)]));
            ctx.push(finding);
        }
    }
}

fn s4_s5(ctx: &mut Ctx<'_, '_>, p: &Report) {
    let now = &ctx.report.tables.active_disclosure;
    let before = &p.tables.active_disclosure;
    let def = now.def();
    for id in ["regulations", "normative_documents"] {
        let ri = def.row_index(id).expect("row");
        let row = &def.rows[ri];
        let (pu, tp) = (
            row.col_index("published").expect("col"),
            row.col_index("total_published").expect("col"),
        );
        let (Some(published), Some(total), Some(prev)) =
            (now.at(ri, pu), now.at(ri, tp), before.at(ri, tp))
        else {
            continue;
        };
        let expected = prev + published;
        if total != expected {
            let mut f = Finding::new(
                "S4",
                Severity::Warning,
                format!(
                    "主动公开情况表“{}”：上年对外公开总数量{}加本年新公开数量{}为{}，本年对外公开总数量为{}。",
                    row.label, num(prev), num(published), num(expected), num(total)
                ),
                format!(
                    "{}: last year's total published {} + published this year {} = {}, but the report says {}.",
                    row.label, num(prev), num(published), num(expected), num(total)
                ),
            )
            .cells(vec![now.pointer(ri, tp)])
            .sides(total, expected);
            f.previous = Some(previous(p, before, &[(ri, tp)]));
            ctx.push(f);
        }
    }
    for id in [
        "licensing",
        "other_services",
        "penalties",
        "enforcement",
        "fees",
    ] {
        let ri = def.row_index(id).expect("row");
        let row = &def.rows[ri];
        let (pi, ch) = (
            row.col_index("previous_items").expect("col"),
            row.col_index("change").expect("col"),
        );
        let (Some(now_prev), Some(b_prev), Some(b_change)) =
            (now.at(ri, pi), before.at(ri, pi), before.at(ri, ch))
        else {
            continue;
        };
        let expected = b_prev + b_change;
        if now_prev != expected {
            let mut f = Finding::new(
                "S5",
                Severity::Warning,
                format!(
                    "主动公开情况表“{}”：上一年度报告的项目数量{}加增减{}为{}，本年报告的上一年项目数量为{}。",
                    row.label, num(b_prev), num(b_change), num(expected), num(now_prev)
                ),
                format!(
                    "{}: last report's items {} + change {} = {}, but this report's previous-year items is {}.",
                    row.label, num(b_prev), num(b_change), num(expected), num(now_prev)
                ),
            )
            .cells(vec![now.pointer(ri, pi)])
            .sides(now_prev, expected);
            f.previous = Some(previous(p, before, &[(ri, pi), (ri, ch)]));
            ctx.push(f);
        }
    }
}

/// S10: each cell of a compiled report equals the sum over its included constituents, except
/// cells listed in `overrides` (spec §8.2).
fn s10(ctx: &mut Ctx<'_, '_>, constituents: &[Report]) {
    let r = ctx.report;
    let overrides: Vec<&str> = r
        .compilation
        .as_ref()
        .map(|c| c.overrides.iter().map(|o| o.cell.as_str()).collect())
        .unwrap_or_default();
    let same: Vec<&Report> = constituents
        .iter()
        .filter(|c| c.format == r.format && c.year == r.year)
        .collect();
    for t in TableId::ALL {
        let grid = r.tables.grid(t);
        for (ri, ci, value) in grid.iter() {
            let ptr = grid.pointer(ri, ci);
            if overrides.contains(&ptr.as_str()) {
                continue;
            }
            let Some(value) = value else { continue };
            let sum: Option<Decimal> = same
                .iter()
                .map(|c| c.tables.grid(t).at(ri, ci))
                .try_fold(Decimal::ZERO, |acc, v| v.map(|v| acc + v));
            let Some(sum) = sum else { continue };
            if sum != value {
                let def = grid.def();
                let (row, col) = (&def.rows[ri], &def.rows[ri].cols[ci]);
                ctx.push(
                    Finding::new(
                        "S10",
                        Severity::Warning,
                        format!(
                            "汇总报告{}“{}”行“{}”列为{}，各单位报告合计为{}。",
                            t.name_zh(),
                            row_zh(t, row),
                            col_zh(t, col),
                            num(value),
                            num(sum)
                        ),
                        format!(
                            "Compiled report {} {}/{} is {}; the constituent reports sum to {}.",
                            t.name_en(),
                            row.id,
                            col.id,
                            num(value),
                            num(sum)
                        ),
                    )
                    .cells(vec![ptr])
                    .sides(value, sum),
                );
            }
        }
    }
}
