//! `.xlsx` (rust_xlsxwriter) and `.docx` (docx-rs) with the official merged cells.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, Table, TableCell, TableRow,
    VAlignType, VMergeType, WidthType,
};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format as XFormat, FormatAlign, FormatBorder, Workbook, Worksheet};

use super::{
    FindingIndex, RenderError, RenderOptions, content_text, heading, layouts, paragraphs, title,
};
use crate::findings::Severity;
use crate::layout::{Content, Layout, Role};
use crate::model::Report;
use crate::schema::{CellType, SectionId, TableId};

#[allow(clippy::needless_pass_by_value)] // used as `map_err(xerr)`
fn xerr(e: rust_xlsxwriter::XlsxError) -> RenderError {
    RenderError::Writer(e.to_string())
}

/// Excel number format per cell type (spec §7.1).
fn num_format(ty: CellType, opts: RenderOptions) -> &'static str {
    match ty {
        CellType::SignedCount if opts.signed_plus => "+0;-0;0",
        CellType::Count | CellType::SignedCount => "0",
        CellType::Money => "General",
    }
}

/// One worksheet per table, with the official merged cells and number formats, plus a sheet of
/// findings when there are any.
pub(super) fn xlsx(report: &Report, opts: RenderOptions) -> Result<Vec<u8>, RenderError> {
    let mut wb = Workbook::new();
    let index = FindingIndex::new(report, opts);
    let base = XFormat::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let label_left = base.clone().set_align(FormatAlign::Left);
    let title_fmt = XFormat::new()
        .set_font_name("黑体")
        .set_font_size(12)
        .set_bold()
        .set_align(FormatAlign::Left);
    for l in layouts(report) {
        let ws = wb.add_worksheet();
        ws.set_name(l.table.name_zh()).map_err(xerr)?;
        write_sheet(report, l, ws, &base, &label_left, &title_fmt, &index, opts)?;
    }
    if opts.show_findings && !report.findings.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("检查结果").map_err(xerr)?;
        let head = XFormat::new().set_bold();
        for (c, h) in ["序号", "规则", "级别", "说明", "单元格"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &head)
                .map_err(xerr)?;
        }
        for (i, f) in report.findings.iter().enumerate() {
            let r = (i + 1) as u32;
            ws.write_number(r, 0, f64::from(r)).map_err(xerr)?;
            ws.write_string(r, 1, f.rule.as_str()).map_err(xerr)?;
            ws.write_string(r, 2, f.severity.zh()).map_err(xerr)?;
            ws.write_string(r, 3, &f.message_zh).map_err(xerr)?;
            ws.write_string(r, 4, f.cells.join("\n")).map_err(xerr)?;
        }
        ws.set_column_width(3, 80).map_err(xerr)?;
        ws.set_column_width(4, 50).map_err(xerr)?;
    }
    wb.save_to_buffer().map_err(xerr)
}

#[allow(clippy::too_many_arguments)]
fn write_sheet(
    report: &Report,
    l: &Layout,
    ws: &mut Worksheet,
    base: &XFormat,
    label_left: &XFormat,
    title_fmt: &XFormat,
    index: &FindingIndex,
    opts: RenderOptions,
) -> Result<(), RenderError> {
    let last_col = (l.columns - 1) as u16;
    let section = l.table.section();
    ws.merge_range(0, 0, 0, last_col, &heading(report, section), title_fmt)
        .map_err(xerr)?;
    let top = 1u32;
    let def = report.tables.grid(l.table).def();
    for p in l.placed() {
        let (r0, c0) = (top + p.row as u32, p.col as u16);
        let (r1, c1) = (
            r0 + p.cell.rowspan as u32 - 1,
            c0 + p.cell.colspan as u16 - 1,
        );
        let mut fmt = match p.cell.role {
            Role::RowHeader | Role::RowGroup => label_left.clone(),
            _ => base.clone(),
        };
        if let Content::Value { row, col } = p.cell.content {
            fmt = fmt.set_num_format(num_format(def.rows[row].cols[col].ty, opts));
            if let Some((_, sev)) = index.for_value(report, l.table, p.cell.content) {
                fmt = fmt.set_background_color(match sev {
                    Severity::Error => 0x00FD_E2E2,
                    Severity::Warning => 0x00FF_F4CC,
                    Severity::Info => 0x00E8_F0FE,
                });
            }
        }
        let text = content_text(report, l, p.cell.content, opts);
        if p.cell.rowspan > 1 || p.cell.colspan > 1 {
            ws.merge_range(r0, c0, r1, c1, "", &fmt).map_err(xerr)?;
        }
        match p.cell.content {
            Content::Value { row, col } => {
                let v = report.tables.grid(l.table).at(row, col);
                let is_procurement_unit = l.table == TableId::ActiveDisclosure
                    && def.rows[row].id == "procurement"
                    && def.rows[row].cols[col].ty == CellType::Money
                    && report.tables.procurement_amount_unit.is_some();
                match v {
                    // Keep the printed unit next to the 2019 procurement amount: write it as text.
                    Some(_) if is_procurement_unit => {
                        ws.write_string_with_format(r0, c0, &text, &fmt)
                            .map_err(xerr)?;
                    }
                    Some(d) => {
                        ws.write_number_with_format(r0, c0, d.to_f64().unwrap_or_default(), &fmt)
                            .map_err(xerr)?;
                    }
                    None => {
                        ws.write_blank(r0, c0, &fmt).map_err(xerr)?;
                    }
                }
            }
            _ if text.is_empty() => {
                ws.write_blank(r0, c0, &fmt).map_err(xerr)?;
            }
            _ => {
                ws.write_string_with_format(r0, c0, &text, &fmt)
                    .map_err(xerr)?;
            }
        }
    }
    let widths: Vec<f64> = match l.table {
        TableId::ActiveDisclosure => vec![22.0, 18.0, 18.0, 18.0],
        TableId::Applications => {
            let mut w = vec![8.0, 12.0, 26.0];
            w.extend([9.0; 7]);
            w
        }
        TableId::ReviewLitigation => vec![8.0; 15],
    };
    for (c, w) in widths.into_iter().enumerate() {
        ws.set_column_width(c as u16, w).map_err(xerr)?;
    }
    Ok(())
}

const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const TITLE_FONT: &str = "方正小标宋简体";
const TABLE_FONT: &str = "宋体";

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new()
        .add_text(text)
        .fonts(
            RunFonts::new()
                .east_asia(font)
                .ascii("Times New Roman")
                .hi_ansi("Times New Roman"),
        )
        .size(half_points)
}

/// Word: title, headings, paragraphs (公文 fonts: 小标宋 title, 黑体 headings, 仿宋 body) and the
/// three tables with `gridSpan` and `vMerge` exactly as the official grid.
pub(super) fn docx(report: &Report, opts: RenderOptions) -> Result<Vec<u8>, RenderError> {
    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(1440)
                .bottom(1440)
                .left(1247)
                .right(1247),
        )
        .default_fonts(RunFonts::new().east_asia(BODY_FONT));
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(run(&title(report), TITLE_FONT, 44))
            .align(AlignmentType::Center),
    );
    if opts.draft && !super::null_cells(report).is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(
                    run(
                        "草稿：有单元格尚未填写，不得作为正式报告发布。",
                        HEADING_FONT,
                        28,
                    )
                    .color("C00000"),
                )
                .align(AlignmentType::Center),
        );
    }
    let body = |doc: Docx, text: &str| {
        paragraphs(text).into_iter().fold(doc, |d, p| {
            d.add_paragraph(Paragraph::new().add_run(run(p, BODY_FONT, 32)).indent(
                None,
                Some(docx_rs::SpecialIndentType::FirstLine(640)),
                None,
                None,
            ))
        })
    };
    if let Some(p) = &report.sections.preamble {
        doc = body(doc, p);
    }
    let tables = layouts(report);
    for id in SectionId::ALL {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(
            &heading(report, id),
            HEADING_FONT,
            32,
        )));
        doc = body(doc, &report.sections.get(id).text);
        let l = match id {
            SectionId::ActiveDisclosure => Some(tables[0]),
            SectionId::Applications => Some(tables[1]),
            SectionId::ReviewLitigation => Some(tables[2]),
            _ => None,
        };
        if let Some(l) = l {
            doc = doc.add_table(word_table(report, l, opts));
            doc = doc.add_paragraph(Paragraph::new());
        }
    }
    for e in &report.sections.extra {
        doc = doc.add_paragraph(Paragraph::new().add_run(run(&e.heading, HEADING_FONT, 32)));
        doc = body(doc, &e.text);
    }
    if let Some(d) = report.signed_on {
        if let Some(n) = &report.agency.name {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(n, BODY_FONT, 32))
                    .align(AlignmentType::Right),
            );
        }
        let date = format!(
            "{}年{}月{}日",
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
            chrono::Datelike::day(&d)
        );
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&date, BODY_FONT, 32))
                .align(AlignmentType::Right),
        );
    }
    let mut buf = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| RenderError::Writer(e.to_string()))?;
    Ok(buf.into_inner())
}

fn word_table(report: &Report, l: &Layout, opts: RenderOptions) -> Table {
    // Text width of A4 with the margins above: 9412 twips.
    let grid: Vec<usize> = match l.table {
        TableId::ActiveDisclosure => vec![2800, 2204, 2204, 2204],
        TableId::Applications => {
            let mut g = vec![700, 1100, 2500];
            g.extend([730; 7]);
            g
        }
        TableId::ReviewLitigation => vec![627; 15],
    };
    let placed = l.placed();
    // origin[r][c] = index into `placed` of the cell covering slot (r, c).
    let mut origin = vec![vec![usize::MAX; l.columns]; l.rows.len()];
    for (i, p) in placed.iter().enumerate() {
        for row in &mut origin[p.row..p.row + p.cell.rowspan] {
            for slot in &mut row[p.col..p.col + p.cell.colspan] {
                *slot = i;
            }
        }
    }
    let font_size = if l.table == TableId::ReviewLitigation {
        18
    } else {
        21
    };
    let mut rows = Vec::new();
    for r in 0..l.rows.len() {
        let mut cells = Vec::new();
        let mut c = 0;
        while c < l.columns {
            let p = &placed[origin[r][c]];
            let width: usize = grid[p.col..p.col + p.cell.colspan].iter().sum();
            let mut cell = TableCell::new()
                .width(width, WidthType::Dxa)
                .vertical_align(VAlignType::Center);
            if p.cell.colspan > 1 {
                cell = cell.grid_span(p.cell.colspan);
            }
            if p.row == r {
                if p.cell.rowspan > 1 {
                    cell = cell.vertical_merge(VMergeType::Restart);
                }
                let text = content_text(report, l, p.cell.content, opts);
                let align = match p.cell.role {
                    Role::RowHeader | Role::RowGroup => AlignmentType::Left,
                    _ => AlignmentType::Center,
                };
                cell = cell.add_paragraph(
                    Paragraph::new()
                        .add_run(run(&text, TABLE_FONT, font_size))
                        .align(align),
                );
            } else {
                cell = cell
                    .vertical_merge(VMergeType::Continue)
                    .add_paragraph(Paragraph::new());
            }
            cells.push(cell);
            c += p.cell.colspan;
        }
        rows.push(TableRow::new(cells));
    }
    Table::new(rows).set_grid(grid).width(9412, WidthType::Dxa)
}
