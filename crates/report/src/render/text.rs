//! Markdown, plain text (a bordered table that honours the merged cells, readable in a terminal)
//! and the flattened-cell layout of spec §7.3.

use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{
    FindingIndex, RenderOptions, content_text, heading, layouts, paragraphs, signature, title,
};
use crate::layout::{Content, Layout};
use crate::model::Report;
use crate::schema::SectionId;

/// Walks the report in reading order, calling `table` where a section has its table.
fn walk(
    report: &Report,
    mut text: impl FnMut(&mut String, &str, &[&str]),
    mut table: impl FnMut(&mut String, &Layout),
) -> String {
    let mut out = String::new();
    let tables = layouts(report);
    if let Some(p) = &report.sections.preamble {
        text(&mut out, "", &paragraphs(p));
    }
    for id in SectionId::ALL {
        text(
            &mut out,
            &heading(report, id),
            &paragraphs(&report.sections.get(id).text),
        );
        match id {
            SectionId::ActiveDisclosure => table(&mut out, tables[0]),
            SectionId::Applications => table(&mut out, tables[1]),
            SectionId::ReviewLitigation => table(&mut out, tables[2]),
            _ => {}
        }
    }
    for e in &report.sections.extra {
        text(&mut out, &e.heading, &paragraphs(&e.text));
    }
    out
}

fn findings_list(report: &Report, opts: RenderOptions, md: bool) -> String {
    let mut out = String::new();
    if !opts.show_findings || report.findings.is_empty() {
        return out;
    }
    out.push_str(if md {
        "\n## 检查结果\n\n"
    } else {
        "\n检查结果\n"
    });
    for (i, f) in report.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. [{}]（{}）{}",
            i + 1,
            f.rule,
            f.severity.zh(),
            f.message_zh
        );
    }
    out
}

const DRAFT_NOTE: &str = "草稿：有单元格尚未填写，不得作为正式报告发布。";

fn is_draft(report: &Report, opts: RenderOptions) -> bool {
    opts.draft && !super::null_cells(report).is_empty()
}

/// Markdown: headings, paragraphs and each table as a pipe table whose grid mirrors the official
/// one (a merged cell's text stands in its top-left slot; the slots it covers are empty).
pub(super) fn markdown(report: &Report, opts: RenderOptions) -> String {
    let index = FindingIndex::new(report, opts);
    let mut out = format!("# {}\n\n", title(report));
    if is_draft(report, opts) {
        let _ = writeln!(out, "> **{DRAFT_NOTE}**\n");
    }
    out.push_str(&walk(
        report,
        |out, h, ps| {
            if !h.is_empty() {
                let _ = writeln!(out, "## {h}\n");
            }
            for p in ps {
                let _ = writeln!(out, "{}\n", md_escape(p));
            }
        },
        |out, l| {
            let grid = slot_texts(report, l, opts, &index);
            for (i, row) in grid.iter().enumerate() {
                out.push('|');
                for cell in row {
                    let _ = write!(out, " {} |", cell.replace('|', "\\|"));
                }
                out.push('\n');
                if i == 0 {
                    out.push('|');
                    for _ in row {
                        out.push_str(" --- |");
                    }
                    out.push('\n');
                }
            }
            out.push('\n');
        },
    ));
    for line in signature(report) {
        let _ = writeln!(out, "{line}  ");
    }
    out.push_str(&findings_list(report, opts, true));
    out
}

fn md_escape(p: &str) -> String {
    // A paragraph that starts like a list item or heading must stay a paragraph.
    let first = p.chars().next().unwrap_or(' ');
    if matches!(first, '#' | '>' | '-' | '+' | '*')
        || p.split_once('.')
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    {
        format!("\\{p}")
    } else {
        p.to_owned()
    }
}

/// The grid as text per slot: origin text in the top-left slot, empty elsewhere. Values named by
/// a finding carry its number, e.g. `1[1]`.
fn slot_texts(
    report: &Report,
    l: &Layout,
    opts: RenderOptions,
    index: &FindingIndex,
) -> Vec<Vec<String>> {
    let mut grid = vec![vec![String::new(); l.columns]; l.rows.len()];
    for p in l.placed() {
        grid[p.row][p.col] = decorated(report, l, p.cell.content, opts, index);
    }
    grid
}

fn decorated(
    report: &Report,
    l: &Layout,
    content: Content,
    opts: RenderOptions,
    index: &FindingIndex,
) -> String {
    let mut t = content_text(report, l, content, opts);
    if let Some((refs, _)) = index.for_value(report, l.table, content) {
        for n in refs {
            let _ = write!(t, "[{n}]");
        }
    }
    t
}

/// Plain text: paragraphs and bordered tables whose merged cells span rows and columns as in
/// the official layout. CJK characters count as two columns.
pub(super) fn plain(report: &Report, opts: RenderOptions) -> String {
    let index = FindingIndex::new(report, opts);
    let t = title(report);
    let mut out = format!("{t}\n{}\n\n", "=".repeat(t.width()));
    if is_draft(report, opts) {
        let _ = writeln!(out, "【{DRAFT_NOTE}】\n");
    }
    out.push_str(&walk(
        report,
        |out, h, ps| {
            if !h.is_empty() {
                let _ = writeln!(out, "{h}\n");
            }
            for p in ps {
                let _ = writeln!(out, "    {p}");
            }
            if !ps.is_empty() {
                out.push('\n');
            }
        },
        |out, l| {
            out.push_str(&boxed(report, l, opts, &index));
            out.push('\n');
        },
    ));
    for line in signature(report) {
        let _ = writeln!(out, "{line}");
    }
    out.push_str(&findings_list(report, opts, false));
    out
}

/// Wraps `text` into lines of at most `width` display columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut w = 0;
    for ch in text.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw > width && w > 0 {
            lines.push(String::new());
            w = 0;
        }
        lines.last_mut().expect("one line").push(ch);
        w += cw;
    }
    lines
}

/// Widest a column grows for one label before the label wraps.
const MAX_LABEL: usize = 24;
/// Row-spanning group labels wrap narrow and use the rows they span.
const MAX_GROUP: usize = 8;

fn boxed(report: &Report, l: &Layout, opts: RenderOptions, index: &FindingIndex) -> String {
    let placed = l.placed();
    let texts: Vec<String> = placed
        .iter()
        .map(|p| decorated(report, l, p.cell.content, opts, index))
        .collect();
    // Column widths: single-column cells first, then widen for spanning cells.
    let mut widths = vec![1usize; l.columns];
    for (p, t) in placed.iter().zip(&texts) {
        if p.cell.colspan == 1 {
            let cap = if p.cell.rowspan > 1 {
                MAX_GROUP
            } else {
                MAX_LABEL
            };
            widths[p.col] = widths[p.col].max(t.width().min(cap));
        }
    }
    for (p, t) in placed.iter().zip(&texts) {
        if p.cell.colspan > 1 {
            let have: usize = widths[p.col..p.col + p.cell.colspan].iter().sum::<usize>()
                + 3 * (p.cell.colspan - 1);
            let need = t.width().min(MAX_LABEL * 2);
            if need > have {
                widths[p.col + p.cell.colspan - 1] += need - have;
            }
        }
    }
    let span_width = |c: usize, n: usize| widths[c..c + n].iter().sum::<usize>() + 3 * (n - 1);
    let lines: Vec<Vec<String>> = placed
        .iter()
        .zip(&texts)
        .map(|(p, t)| wrap(t, span_width(p.col, p.cell.colspan)))
        .collect();
    // Row heights: single-row cells first, then grow the last row of a span if needed.
    let mut heights = vec![1usize; l.rows.len()];
    for (p, ls) in placed.iter().zip(&lines) {
        if p.cell.rowspan == 1 {
            heights[p.row] = heights[p.row].max(ls.len());
        }
    }
    for (p, ls) in placed.iter().zip(&lines) {
        if p.cell.rowspan > 1 {
            let have: usize =
                heights[p.row..p.row + p.cell.rowspan].iter().sum::<usize>() + p.cell.rowspan - 1;
            if ls.len() > have {
                heights[p.row + p.cell.rowspan - 1] += ls.len() - have;
            }
        }
    }
    // Canvas coordinates of the grid lines.
    let mut xs = vec![0usize];
    for w in &widths {
        xs.push(xs.last().expect("x") + w + 3);
    }
    let mut ys = vec![0usize];
    for h in &heights {
        ys.push(ys.last().expect("y") + h + 1);
    }
    let (cw, ch) = (*xs.last().expect("x") + 1, *ys.last().expect("y") + 1);
    let mut canvas = vec![vec![' '; cw]; ch];
    for (p, ls) in placed.iter().zip(&lines) {
        let (x0, x1) = (xs[p.col], xs[p.col + p.cell.colspan]);
        let (y0, y1) = (ys[p.row], ys[p.row + p.cell.rowspan]);
        for y in [y0, y1] {
            for (x, slot) in canvas[y].iter_mut().enumerate().take(x1 + 1).skip(x0) {
                *slot = if x == x0 || x == x1 || *slot == '+' {
                    '+'
                } else {
                    '-'
                };
            }
        }
        for row in canvas.iter_mut().take(y1).skip(y0 + 1) {
            for x in [x0, x1] {
                if row[x] != '+' {
                    row[x] = '|';
                }
            }
        }
        // Text, centred vertically in the cell's area; wide characters take two slots.
        let area = y1 - y0 - 1;
        let top = y0 + 1 + (area.saturating_sub(ls.len())) / 2;
        for (i, line) in ls.iter().enumerate() {
            let mut x = x0 + 2;
            for c in line.chars() {
                let w = c.width().unwrap_or(0);
                if w == 0 {
                    continue;
                }
                canvas[top + i][x] = c;
                if w == 2 {
                    canvas[top + i][x + 1] = '\0';
                }
                x += w;
            }
        }
    }
    let mut out = String::new();
    for row in canvas {
        let line: String = row.into_iter().filter(|c| *c != '\0').collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The flattened-cell layout of spec §7.3.
pub(super) fn flat(report: &Report, opts: RenderOptions) -> String {
    let index = FindingIndex::new(
        report,
        RenderOptions {
            show_findings: false,
            ..opts
        },
    );
    let mut out = format!("{}\n", title(report));
    out.push_str(&walk(
        report,
        |out, h, ps| {
            if !h.is_empty() {
                let _ = writeln!(out, "{h}");
            }
            for p in ps {
                let _ = writeln!(out, "{p}");
            }
        },
        |out, l| {
            let last = l.rows.len() - 1;
            for (r, row) in l.rows.iter().enumerate() {
                for c in row {
                    let t = decorated(report, l, c.content, opts, &index);
                    if t.is_empty() {
                        out.push_str(" |\n");
                    } else {
                        let _ = writeln!(out, "{t} |");
                    }
                }
                let k = l.covered_slots(r);
                if r != last && k > 0 {
                    out.push_str(&"|".repeat(k));
                    out.push('\n');
                }
            }
        },
    ));
    out
}
