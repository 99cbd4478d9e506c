//! Compiled (汇总) reports: cell-wise sums of reports of one format and year (spec §8).

use std::fmt;

use rust_decimal::Decimal;

use crate::findings::{Finding, Severity};
use crate::model::{
    Agency, Compilation, Constituent, ConstituentAgency, InputLayout, MoneyUnit, Report,
};
use crate::schema::{CellType, TableId};
use crate::validate::{self, Options};

/// A constituent report with the name it is known by (a file name or a report id).
#[derive(Debug, Clone, Copy)]
pub struct Named<'a> {
    pub name: &'a str,
    pub report: &'a Report,
}

#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The compiling agency (the 本级政府 or supervising office).
    pub agency: Agency,
    pub scope_note: Option<String>,
    /// Compile even from constituents with hard (H) errors; their findings are then carried as
    /// warnings (spec §8.2).
    pub allow_errors: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    Empty,
    /// Constituents of another year or format: `(name, year, format)` of each offender, and
    /// the reference `(name, year, format)` they were compared with.
    Mixed {
        reference: (String, i32, &'static str),
        offenders: Vec<(String, i32, &'static str)>,
    },
    /// Constituents with hard errors: `(name, number of H errors)`.
    HardErrors(Vec<(String, usize)>),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Empty => write!(f, "没有可汇总的报告。(nothing to compile)"),
            CompileError::Mixed {
                reference,
                offenders,
            } => {
                let list: Vec<String> = offenders
                    .iter()
                    .map(|(n, y, fm)| format!("{n}（{y}年度，{fm}年格式）"))
                    .collect();
                write!(
                    f,
                    "汇总只能合并同一年度、同一格式的报告。以下报告与{}（{}年度，{}年格式）不同：{}。(Compilation needs one year and one format; these reports differ: {}.)",
                    reference.0,
                    reference.1,
                    reference.2,
                    list.join("、"),
                    offenders
                        .iter()
                        .map(|o| o.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            CompileError::HardErrors(list) => {
                let items: Vec<String> = list
                    .iter()
                    .map(|(n, k)| format!("{n}（{k}处错误）"))
                    .collect();
                write!(
                    f,
                    "以下报告有勾稽或数值错误，汇总结果将不可靠：{}。请先更正这些报告；确需汇总的，加 --allow-errors（其错误将作为警告带入汇总报告）。(Constituents with hard errors; fix them or pass --allow-errors.)",
                    items.join("、")
                )
            }
        }
    }
}

impl std::error::Error for CompileError {}

fn is_hard(f: &Finding) -> bool {
    f.severity == Severity::Error && f.rule.as_str().starts_with('H')
}

/// Compiles `constituents` into one report and validates it (including S10).
pub fn compile(constituents: &[Named<'_>], opts: &CompileOptions) -> Result<Report, CompileError> {
    let first = constituents.first().ok_or(CompileError::Empty)?;
    let (format, year) = (first.report.format, first.report.year);
    let offenders: Vec<(String, i32, &'static str)> = constituents
        .iter()
        .filter(|c| c.report.format != format || c.report.year != year)
        .map(|c| (c.name.to_owned(), c.report.year, c.report.format.as_str()))
        .collect();
    if !offenders.is_empty() {
        return Err(CompileError::Mixed {
            reference: (first.name.to_owned(), year, format.as_str()),
            offenders,
        });
    }
    let checked: Vec<Vec<Finding>> = constituents
        .iter()
        .map(|c| validate::validate(c.report, &Options::default()).findings)
        .collect();
    let with_errors: Vec<(String, usize)> = constituents
        .iter()
        .zip(&checked)
        .filter_map(|(c, f)| {
            let n = f.iter().filter(|f| is_hard(f)).count();
            (n > 0).then(|| (c.name.to_owned(), n))
        })
        .collect();
    if !with_errors.is_empty() && !opts.allow_errors {
        return Err(CompileError::HardErrors(with_errors));
    }

    let mut out = Report::new(format, year, Some(Decimal::ZERO));
    out.agency = opts.agency.clone();
    out.input_layout = Some(InputLayout::Generated);
    let mut carried = Vec::new();
    for t in TableId::ALL {
        let def = out.tables.grid(t).def();
        for (ri, row) in def.rows.iter().enumerate() {
            for (ci, col) in row.cols.iter().enumerate() {
                let ptr = out.tables.grid(t).pointer(ri, ci);
                let missing: Vec<&str> = constituents
                    .iter()
                    .filter(|c| c.report.tables.grid(t).at(ri, ci).is_none())
                    .map(|c| c.name)
                    .collect();
                let is_amount = t == TableId::ActiveDisclosure
                    && row.id == "procurement"
                    && col.ty == CellType::Money;
                let value = if !missing.is_empty() {
                    carried.push(
                        Finding::new(
                            "F8",
                            Severity::Error,
                            format!(
                                "汇总报告{}“{}”行“{}”列无法合计：{}的该单元格没有数值。",
                                t.name_zh(),
                                crate::schema::row_label_for_message(t, row),
                                crate::schema::col_label_for_message(t, col),
                                missing.join("、")
                            ),
                            format!(
                                "Compiled {} {}/{}: cannot be summed; empty in {}.",
                                t.name_en(),
                                row.id,
                                col.id,
                                missing.join(", ")
                            ),
                        )
                        .cells(vec![ptr]),
                    );
                    None
                } else if is_amount {
                    sum_amount(constituents, ri, ci, &mut out, &mut carried, &ptr)
                } else {
                    Some(
                        constituents
                            .iter()
                            .filter_map(|c| c.report.tables.grid(t).at(ri, ci))
                            .sum(),
                    )
                };
                out.tables.grid_mut(t).set_at(ri, ci, value);
            }
        }
    }
    if opts.allow_errors {
        for (c, findings) in constituents.iter().zip(&checked) {
            for f in findings.iter().filter(|f| is_hard(f)) {
                let mut w = f.clone();
                w.severity = Severity::Warning;
                w.message_zh = format!("（{}）{}", c.name, f.message_zh);
                w.message_en = format!("({}) {}", c.name, f.message_en);
                w.cells.clear();
                w.suspects.clear();
                carried.push(w);
            }
        }
    }
    out.compilation = Some(Compilation {
        scope_note: opts.scope_note.clone(),
        constituents: constituents
            .iter()
            .map(|c| Constituent {
                agency: ConstituentAgency {
                    name: c.report.agency.name.clone(),
                    kind: c.report.agency.kind,
                },
                year: c.report.year,
                format: c.report.format,
                reference: Some(c.name.to_owned()),
                included: true,
            })
            .collect(),
        overrides: Vec::new(),
    });
    out.findings = carried;
    let reports: Vec<Report> = constituents.iter().map(|c| c.report.clone()).collect();
    let result = validate::validate(
        &out,
        &Options {
            constituents: Some(&reports),
            ..Options::default()
        },
    );
    // Carried findings (F8 of the sum, constituents' errors as warnings) stay; the validator
    // keeps F8 itself, the warnings are re-added here.
    let warnings: Vec<Finding> = out
        .findings
        .iter()
        .filter(|f| !f.rule.is_parser_rule())
        .cloned()
        .collect();
    out.findings = result.findings;
    out.findings.extend(warnings);
    crate::findings::sort_findings(&mut out.findings);
    out.checks_not_run = result.checks_not_run;
    Ok(out)
}

/// 2019 procurement amounts: summed only with one known unit, or with all units known and
/// converted exactly to 元 (spec §8.2).
fn sum_amount(
    constituents: &[Named<'_>],
    ri: usize,
    ci: usize,
    out: &mut Report,
    carried: &mut Vec<Finding>,
    ptr: &str,
) -> Option<Decimal> {
    let units: Vec<Option<MoneyUnit>> = constituents
        .iter()
        .map(|c| c.report.tables.procurement_amount_unit)
        .collect();
    if units.iter().any(Option::is_none) {
        let unknown: Vec<&str> = constituents
            .iter()
            .filter(|c| c.report.tables.procurement_amount_unit.is_none())
            .map(|c| c.name)
            .collect();
        carried.push(
            Finding::new(
                "F8",
                Severity::Error,
                format!(
                    "汇总报告主动公开情况表“政府集中采购”行“采购总金额”列无法合计：{}未注明金额单位（元或万元）。",
                    unknown.join("、")
                ),
                format!(
                    "Compiled procurement amount cannot be summed: the unit is unknown in {}.",
                    unknown.join(", ")
                ),
            )
            .cells(vec![ptr.to_owned()]),
        );
        return None;
    }
    let same = units.windows(2).all(|w| w[0] == w[1]);
    let target = if same {
        units[0].expect("known")
    } else {
        MoneyUnit::Yuan
    };
    out.tables.procurement_amount_unit = Some(target);
    Some(
        constituents
            .iter()
            .filter_map(|c| {
                let v = c.report.tables.active_disclosure.at(ri, ci)?;
                Some(match (c.report.tables.procurement_amount_unit, target) {
                    (Some(MoneyUnit::WanYuan), MoneyUnit::Yuan) => v * Decimal::from(10_000),
                    _ => v,
                })
            })
            .sum(),
    )
}
