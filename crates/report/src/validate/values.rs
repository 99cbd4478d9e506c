//! H5–H7: the value domain of every cell (spec §4.2).

use rust_decimal::Decimal;

use super::{Ctx, col_zh, num, row_zh};
use crate::findings::{Finding, Severity};
use crate::schema::{CellType, Format, TableId};

pub(crate) fn check(ctx: &mut Ctx<'_, '_>) {
    let report = ctx.report;
    for t in TableId::ALL {
        let grid = report.tables.grid(t);
        let def = grid.def();
        for (ri, row) in def.rows.iter().enumerate() {
            for (ci, col) in row.cols.iter().enumerate() {
                let ptr = grid.pointer(ri, ci);
                let value = grid.at(ri, ci);
                let (tz, rz, cz) = (t.name_zh(), row_zh(t, row), col_zh(t, col));
                let (te, re, ce) = (t.name_en(), row.id, col.id);
                match col.ty {
                    CellType::Count => match value {
                        None => {
                            if !ctx.already_unreadable(&ptr) {
                                let raw = ctx.raw(&ptr);
                                // A blank in a compiled report has no printed text to quote.
                                let (pz, pe) = if raw.is_empty() {
                                    (String::new(), String::new())
                                } else {
                                    (format!("（原文为“{raw}”）"), format!(" (printed “{raw}”)"))
                                };
                                ctx.push(
                                    Finding::new(
                                        "H5",
                                        Severity::Error,
                                        format!("{tz}“{rz}”行“{cz}”列未填写数字{pz}，没有发生的应填0。"),
                                        format!("{te}, row {re}, column {ce}: no number{pe}; write 0 when nothing happened."),
                                    )
                                    .cells(vec![ptr])
                                    .raw(raw),
                                );
                            }
                        }
                        Some(v) if !v.fract().is_zero() => {
                            let raw = raw_or(ctx, &ptr, v);
                            ctx.push(
                                Finding::new(
                                    "H5",
                                    Severity::Error,
                                    format!("{tz}“{rz}”行“{cz}”列应为整数（原文为“{raw}”）。"),
                                    format!("{te}, row {re}, column {ce}: must be a whole number (printed “{raw}”)."),
                                )
                                .cells(vec![ptr])
                                .raw(raw),
                            );
                        }
                        Some(v) if v < Decimal::ZERO => ctx.push(
                            Finding::new(
                                "H5",
                                Severity::Error,
                                format!("{tz}“{rz}”行“{cz}”列不能为负数（{}）。", num(v)),
                                format!(
                                    "{te}, row {re}, column {ce}: must not be negative ({}).",
                                    num(v)
                                ),
                            )
                            .cells(vec![ptr]),
                        ),
                        Some(_) => {}
                    },
                    CellType::Money => {
                        let bad = match value {
                            None => !ctx.already_unreadable(&ptr),
                            Some(v) => v < Decimal::ZERO,
                        };
                        if bad {
                            let raw = value.map_or_else(|| ctx.raw(&ptr), |v| raw_or(ctx, &ptr, v));
                            let raw = if raw.is_empty() {
                                "空白".to_owned()
                            } else {
                                raw
                            };
                            ctx.push(
                                Finding::new(
                                    "H6",
                                    Severity::Error,
                                    format!("主动公开情况表“{rz}”行“{cz}”应填写不小于0的金额，现为“{raw}”。"),
                                    format!("Active-disclosure table, row {re}, {ce}: must be an amount ≥ 0; found “{raw}”."),
                                )
                                .cells(vec![ptr])
                                .raw(raw),
                            );
                        }
                    }
                    CellType::SignedCount => {
                        let bad = match value {
                            None => !ctx.already_unreadable(&ptr),
                            Some(v) => !v.fract().is_zero(),
                        };
                        if bad {
                            let raw = value.map_or_else(|| ctx.raw(&ptr), |v| raw_or(ctx, &ptr, v));
                            let raw = if raw.is_empty() {
                                "空白".to_owned()
                            } else {
                                raw
                            };
                            ctx.push(
                                Finding::new(
                                    "H7",
                                    Severity::Error,
                                    format!("主动公开情况表“{rz}”行“本年增/减”应填写整数（减少用负数），原文为“{raw}”。"),
                                    format!("Row {re}, 本年增/减 must be a whole number (negative for a decrease); printed “{raw}”."),
                                )
                                .cells(vec![ptr])
                                .raw(raw),
                            );
                        }
                    }
                }
            }
        }
    }
    if report.format == Format::V2019 {
        let grid = &report.tables.active_disclosure;
        let def = grid.def();
        for id in [
            "licensing",
            "other_services",
            "penalties",
            "enforcement",
            "fees",
        ] {
            let ri = def.row_index(id).expect("2019 row");
            let row = &def.rows[ri];
            let (pi, ci) = (
                row.col_index("previous_items").expect("col"),
                row.col_index("change").expect("col"),
            );
            if let (Some(p), Some(c)) = (grid.at(ri, pi), grid.at(ri, ci))
                && c.fract().is_zero()
                && p + c < Decimal::ZERO
            {
                ctx.push(
                    Finding::new(
                        "H7",
                        Severity::Error,
                        format!(
                            "主动公开情况表“{}”行：上一年项目数量{}加本年增/减{}小于0。",
                            row.label,
                            num(p),
                            num(c)
                        ),
                        format!(
                            "Row {id}: previous items {} plus change {} is below zero.",
                            num(p),
                            num(c)
                        ),
                    )
                    .cells(vec![grid.pointer(ri, pi), grid.pointer(ri, ci)]),
                );
            }
        }
    }
}

fn raw_or(ctx: &Ctx<'_, '_>, ptr: &str, v: Decimal) -> String {
    let raw = ctx.raw(ptr);
    if raw.is_empty() { num(v) } else { raw }
}
