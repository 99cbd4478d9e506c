//! Renderers of the official layout (spec §7): HTML, Markdown, plain text, JSON, CSV, the
//! flattened-cell text of §7.3, `.xlsx` and `.docx`.
//!
//! Every table is drawn from [`crate::layout`], every label comes from [`crate::schema`], and
//! every number is formatted by [`cell_text`], so all outputs agree with each other.

mod html;

pub use html::fragment as html_fragment;
mod office;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use crate::findings::Severity;
use crate::layout::{Content, Layout, layout};
use crate::model::Report;
use crate::schema::{CellType, SectionId, TableId};

/// An output format of `gongkai report render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Html,
    Markdown,
    Text,
    Json,
    Csv,
    /// The flattened-cell layout of spec §7.3 (for parser round trips and fixtures).
    Flat,
    Xlsx,
    Docx,
}

impl Target {
    pub const ALL: [Target; 8] = [
        Target::Html,
        Target::Markdown,
        Target::Text,
        Target::Json,
        Target::Csv,
        Target::Flat,
        Target::Xlsx,
        Target::Docx,
    ];

    /// The name used on the command line (`--to`), also the file extension.
    pub fn name(self) -> &'static str {
        match self {
            Target::Html => "html",
            Target::Markdown => "md",
            Target::Text => "txt",
            Target::Json => "json",
            Target::Csv => "csv",
            Target::Flat => "flat",
            Target::Xlsx => "xlsx",
            Target::Docx => "docx",
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Target::Flat => "flat.txt",
            t => t.name(),
        }
    }

    /// Whether the output is binary (not to be written to a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Target::Xlsx | Target::Docx)
    }
}

/// Rendering options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Render `null` cells as empty and mark the output as a draft (spec §7.1). Without it, a
    /// report with `null` cells is refused by the layout renderers.
    pub draft: bool,
    /// Show the report's findings beside the cells they name (HTML, text, Markdown, Excel).
    pub show_findings: bool,
    /// Print positive `本年增/减` values with a `+` (spec §7.1; a project convention).
    pub signed_plus: bool,
    /// Print the two 2021 （六） sub-rows with `，` instead of `、` (spec §9 point 2: the official
    /// punctuation is unconfirmed; published reports use `、`, the default).
    pub other_rows_comma: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            draft: false,
            show_findings: true,
            signed_plus: true,
            other_rows_comma: false,
        }
    }
}

/// Why a report cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The report has `null` cells and `draft` is off.
    NullCells(Vec<String>),
    /// The office-file writer failed (should not happen on valid input).
    Writer(String),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::NullCells(cells) => {
                let shown: Vec<&str> = cells.iter().take(3).map(String::as_str).collect();
                write!(
                    f,
                    "报告有{}个单元格没有数值（如 {}），不能输出正式版本；请补齐数值（没有发生的填0），或加 --draft 输出草稿。(The report has {} empty cells; fill them in or render with --draft.)",
                    cells.len(),
                    shown.join("、"),
                    cells.len()
                )
            }
            RenderError::Writer(e) => write!(f, "生成文件失败：{e} (writing the file failed)"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders `report` to `target`.
pub fn render(
    report: &Report,
    target: Target,
    opts: RenderOptions,
) -> Result<Vec<u8>, RenderError> {
    let needs_complete = !matches!(target, Target::Json | Target::Csv);
    if needs_complete && !opts.draft {
        let nulls = null_cells(report);
        if !nulls.is_empty() {
            return Err(RenderError::NullCells(nulls));
        }
    }
    Ok(match target {
        Target::Html => html::render(report, opts).into_bytes(),
        Target::Markdown => text::markdown(report, opts).into_bytes(),
        Target::Text => text::plain(report, opts).into_bytes(),
        Target::Json => {
            let mut s = crate::json::to_string_pretty(report);
            s.push('\n');
            s.into_bytes()
        }
        Target::Csv => csv(report).into_bytes(),
        Target::Flat => text::flat(report, opts).into_bytes(),
        Target::Xlsx => office::xlsx(report, opts)?,
        Target::Docx => office::docx(report, opts)?,
    })
}

/// Pointers of every `null` cell.
pub fn null_cells(report: &Report) -> Vec<String> {
    TableId::ALL
        .iter()
        .flat_map(|t| {
            let g = report.tables.grid(*t);
            g.iter()
                .filter(|(_, _, v)| v.is_none())
                .map(|(r, c, _)| g.pointer(r, c))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The printed text of a value cell (spec §7.1 number rendering).
pub fn cell_text(
    report: &Report,
    table: TableId,
    row: usize,
    col: usize,
    opts: RenderOptions,
) -> String {
    let grid = report.tables.grid(table);
    let def = grid.def();
    let Some(v) = grid.at(row, col) else {
        return String::new();
    };
    let coldef = &def.rows[row].cols[col];
    let plain = crate::decimal::plain(v);
    match coldef.ty {
        CellType::SignedCount if opts.signed_plus && v.is_sign_positive() && !v.is_zero() => {
            format!("+{plain}")
        }
        CellType::Money
            if table == TableId::ActiveDisclosure && def.rows[row].id == "procurement" =>
        {
            match report.tables.procurement_amount_unit {
                Some(u) => format!("{plain}{}", u.as_str()),
                None => plain,
            }
        }
        _ => plain,
    }
}

/// The text of a layout cell: its label or its value.
pub fn content_text(report: &Report, l: &Layout, content: Content, opts: RenderOptions) -> String {
    match content {
        Content::Label(s)
            if opts.other_rows_comma
                && (s.starts_with("1.申请人无正当理由") || s.starts_with("2.申请人逾期未按")) =>
        {
            s.replace('、', "，")
        }
        Content::Label(s) => s.to_owned(),
        Content::Value { row, col } => cell_text(report, l.table, row, col, opts),
        Content::Empty => String::new(),
    }
}

/// The report title as printed, or the conventional one.
pub fn title(report: &Report) -> String {
    report.title.clone().unwrap_or_else(|| {
        format!(
            "{}{}年政府信息公开工作年度报告",
            report.agency.name.as_deref().unwrap_or(""),
            report.year
        )
    })
}

/// The heading to print for a section: as printed in the model, else the canonical heading.
pub fn heading(report: &Report, id: SectionId) -> String {
    report
        .sections
        .get(id)
        .heading
        .clone()
        .unwrap_or_else(|| id.heading().to_owned())
}

/// The signature block (落款): agency name and `YYYY年M月D日`, when the report is dated.
pub fn signature(report: &Report) -> Vec<String> {
    use chrono::Datelike;
    let mut v = Vec::new();
    if let Some(d) = report.signed_on {
        if let Some(n) = &report.agency.name {
            v.push(n.clone());
        }
        v.push(format!("{}年{}月{}日", d.year(), d.month(), d.day()));
    }
    v
}

/// Paragraphs of a narrative text (split on line breaks, blank lines dropped).
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Finding numbers (1-based) per cell pointer, and the worst severity per cell.
pub(crate) struct FindingIndex {
    pub by_cell: BTreeMap<String, Vec<usize>>,
    pub worst: BTreeMap<String, Severity>,
}

impl FindingIndex {
    pub fn new(report: &Report, opts: RenderOptions) -> FindingIndex {
        let mut by_cell: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut worst: BTreeMap<String, Severity> = BTreeMap::new();
        if opts.show_findings {
            for (i, f) in report.findings.iter().enumerate() {
                let mut cells = f.cells.clone();
                cells.extend(f.suspects.iter().map(|s| s.cell.clone()));
                cells.dedup();
                for c in cells {
                    let list = by_cell.entry(c.clone()).or_default();
                    if !list.contains(&(i + 1)) {
                        list.push(i + 1);
                    }
                    let w = worst.entry(c).or_insert(f.severity);
                    if f.severity < *w {
                        *w = f.severity;
                    }
                }
            }
        }
        FindingIndex { by_cell, worst }
    }

    pub fn for_value(
        &self,
        report: &Report,
        table: TableId,
        content: Content,
    ) -> Option<(&[usize], Severity)> {
        let Content::Value { row, col } = content else {
            return None;
        };
        let p = report.tables.grid(table).pointer(row, col);
        Some((self.by_cell.get(&p)?.as_slice(), *self.worst.get(&p)?))
    }
}

/// One CSV line per cell: table, row id, column id, label, value.
fn csv(report: &Report) -> String {
    let mut out = String::from("table,row,column,label,value\n");
    let esc = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for t in TableId::ALL {
        let grid = report.tables.grid(t);
        let def = grid.def();
        for (ri, ci, v) in grid.iter() {
            let (row, col) = (&def.rows[ri], &def.rows[ri].cols[ci]);
            let label = format!(
                "{}—{}",
                crate::schema::row_label_for_message(t, row),
                crate::schema::col_label_for_message(t, col)
            );
            let value = v.map(crate::decimal::plain).unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                t.id(),
                row.id,
                col.id,
                esc(&label),
                value
            );
            if t == TableId::ActiveDisclosure && row.id == "procurement" && col.id == "amount" {
                let unit = report
                    .tables
                    .procurement_amount_unit
                    .map_or("", |u| u.as_str());
                let _ = writeln!(
                    out,
                    "{},{},{},{},{}",
                    t.id(),
                    row.id,
                    crate::schema::PROCUREMENT_UNIT_KEY,
                    esc("政府集中采购—采购总金额单位"),
                    unit
                );
            }
        }
    }
    out
}

/// The layouts of the report's three tables, in section order.
pub fn layouts(report: &Report) -> [&'static Layout; 3] {
    [
        layout(report.format, TableId::ActiveDisclosure),
        layout(report.format, TableId::Applications),
        layout(report.format, TableId::ReviewLitigation),
    ]
}
