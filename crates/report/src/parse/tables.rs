//! The label-driven table reader (spec §6.4–§6.7): find each row label, then read the values
//! that belong to it. Position is used only to resolve truncated labels and table 4's values.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::input::Pos;
use super::labels::{self, CAPTIONS, Entry, Label, Tolerance};
use super::split::{self, Part};
use super::value::{self, Read, Unit};
use crate::findings::{Finding, Location, Severity};
use crate::model::{LocalCell, LocalEntry, LocalKind, Tables};
use crate::normalize::key;
use crate::schema::{
    self, CellType, Format, T3_APPLICANT_HEADER, T3_CORNER_NOTE, T3_GROUP_OTHER, T3_ORG_HEADER,
    T3_RESULTS_GROUP, T4_LITIGATION, T4_RECONSIDERATION, TableId,
};

/// A table cell as read from the input.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub key: String,
    pub pos: Pos,
    /// A run of values whose separators were lost (spec §6.2.5).
    pub glued: bool,
    /// Computed once: the cell reads as a value (number, blank marker, mostly digits).
    value_like: bool,
    /// Computed once: the cell is only a piece of some label.
    fragment: bool,
}

impl Cell {
    pub fn new(text: String, pos: Pos, glued: bool) -> Cell {
        let key = key(&text);
        let mut c = Cell {
            key,
            text,
            pos,
            glued,
            value_like: false,
            fragment: false,
        };
        c.value_like = compute_value_like(&c);
        c.fragment = !c.value_like && labels::exact(&c.key).is_empty() && compute_fragment(&c);
        c
    }
}

pub(crate) fn at(pos: Pos) -> Location {
    Location {
        line: pos.line,
        table: pos.table,
        row: pos.row,
        col: pos.col,
        ..Location::default()
    }
}

/// Counts the version-specific labels (spec §6.7).
pub(crate) fn indicators(cells: &[Cell]) -> (usize, usize, Vec<String>) {
    let (mut v19, mut v21, mut examples) = (0, 0, Vec::new());
    let other_key = key(T3_GROUP_OTHER);
    for (i, c) in cells.iter().enumerate() {
        let mut f = labels::indicator(&c.key);
        // `（六）其他处理` followed directly by a value is a 2019 indicator.
        if c.key == other_key {
            let next = cells[i + 1..].iter().find(|n| !n.key.is_empty());
            if next.is_some_and(|n| value::looks_like_value(&n.text)) {
                f = Some(Format::V2019);
            }
        }
        if let Some(f) = f {
            *(if f == Format::V2019 {
                &mut v19
            } else {
                &mut v21
            }) += 1;
            let tag = format!("({})", f.as_str());
            if examples
                .iter()
                .filter(|e: &&String| e.ends_with(&tag))
                .count()
                < 3
            {
                examples.push(format!("“{}”{tag}", c.text));
            }
        }
    }
    (v19, v21, examples)
}

/// The result of reading the tables.
pub(crate) struct Read3 {
    pub tables: Tables,
    pub findings: Vec<Finding>,
    pub raw: BTreeMap<String, String>,
}

struct Reader<'a> {
    cells: &'a [Cell],
    format: Format,
    out: Tables,
    findings: Vec<Finding>,
    raw: BTreeMap<String, String>,
    /// Rows read, per table, by row id.
    seen_rows: HashMap<(TableId, &'static str), usize>,
    seen_labels: Vec<&'static str>,
    /// Table-2 header mapping per block: data position → column index.
    t2_headers: HashMap<usize, Vec<Option<usize>>>,
    t3_subtotal: bool,
    t4_done: bool,
    last_row: HashMap<TableId, usize>,
    /// Numbers the narrative states about cells (S7 patterns), to choose among glued readings.
    statements: Vec<(Vec<Vec<String>>, Decimal)>,
    /// Table-3 rows with several readings of a glued run, resolved together by H1–H3.
    pending: Vec<Pending>,
    /// Rows whose label appeared with no value after it (a heading-like mention); a later
    /// occurrence may still carry the values.
    label_only: HashMap<(TableId, &'static str), Pos>,
}

/// A glued table-3 row awaiting the column rules.
struct Pending {
    id: &'static str,
    readings: Vec<Vec<Part>>,
    raw: String,
    pos: Pos,
}

fn is_empty(c: &Cell) -> bool {
    c.key.is_empty()
}

impl<'a> Reader<'a> {
    fn exact(&self, c: &Cell, table: Option<TableId>) -> Option<&'static Entry> {
        let entries = labels::exact(&c.key);
        if entries.is_empty() {
            return None;
        }
        let score = |e: &Entry| {
            let mut s = 0;
            if e.in_format(self.format) {
                s += 2;
            }
            if table.is_some() && e.label.table() == table {
                s += 4;
            }
            s
        };
        entries.iter().max_by_key(|e| score(e))
    }

    /// Whether a cell is a label of any kind (ends a run of values).
    fn is_label(c: &Cell) -> bool {
        if is_empty(c) {
            return false;
        }
        if !labels::exact(&c.key).is_empty() || c.key.starts_with("第二十条第(") {
            return true;
        }
        !value_like(c)
    }

    /// Takes the `k` value cells after `i`: stops early at a label (a short row).
    /// The value cells after the label at `i`: every cell up to the next label, with surplus
    /// empty cells dropped at either end (covered slots of the label's span before the values,
    /// padding after them), never from the middle. Returns the `k` values (fewer when the row is
    /// short), the index after the run, and any non-empty cells beyond `k`.
    fn values(&self, i: usize, k: usize) -> (Vec<&'a Cell>, usize, Vec<&'a Cell>) {
        let mut j = i + 1;
        let mut run: Vec<&'a Cell> = Vec::new();
        while j < self.cells.len() {
            let c = &self.cells[j];
            // A wrapped piece of the label itself (PDF text) sits between label and values.
            if run.iter().all(|r| is_empty(r))
                && !value_like(c)
                && labels::exact(&c.key).is_empty()
                && is_fragment_cell(c)
            {
                j += 1;
                continue;
            }
            if Self::is_label(c) {
                break;
            }
            run.push(c);
            j += 1;
        }
        let mut start = 0;
        while run.len() - start > k && is_empty(run[start]) {
            start += 1;
        }
        let run = &run[start..];
        let vals: Vec<&'a Cell> = run.iter().take(k).copied().collect();
        let extra: Vec<&'a Cell> = run
            .iter()
            .skip(k)
            .filter(|c| !is_empty(c))
            .copied()
            .collect();
        (vals, j, extra)
    }

    fn ptr(table: TableId, row: &str, col: &str) -> String {
        schema::pointer(table, row, col)
    }

    fn unreadable_row(
        &mut self,
        table: TableId,
        row_id: &'static str,
        label: &str,
        raw: &str,
        detail: &str,
        pos: Pos,
    ) {
        let def = schema::table_def(self.format, table);
        let Some(r) = def.row_index(row_id) else {
            return;
        };
        let cells: Vec<String> = def.rows[r]
            .cols
            .iter()
            .map(|c| Self::ptr(table, row_id, c.id))
            .collect();
        for (ci, _) in def.rows[r].cols.iter().enumerate() {
            self.out.grid_mut(table).set_at(r, ci, None);
        }
        self.findings.push(
            Finding::new(
                "F8",
                Severity::Error,
                format!("{}“{label}”行的数据无法准确读取（{detail}），请核对原文。", table.name_zh()),
                format!("{}, row {label}: values could not be read reliably ({detail}); check the original.", table.name_en()),
            )
            .cells(cells)
            .raw(raw.to_owned())
            .at(at(pos)),
        );
    }

    /// Stores one value cell, with F8/F10 as needed.
    fn store(&mut self, table: TableId, row_id: &'static str, ci: usize, c: &Cell) {
        let def = schema::table_def(self.format, table);
        let Some(r) = def.row_index(row_id) else {
            return;
        };
        let col = &def.rows[r].cols[ci];
        let ptr = Self::ptr(table, row_id, col.id);
        self.raw.insert(ptr.clone(), c.text.clone());
        let read = value::read(&c.text, col.ty == CellType::SignedCount);
        let grid = self.out.grid_mut(table);
        let rowlabel = def.rows[r].label;
        match (read, col.ty) {
            (Read::Blank, _) => grid.set_at(r, ci, None),
            (Read::Number { value, unit }, CellType::Count | CellType::SignedCount) => {
                if !value.fract().is_zero() || matches!(unit, Some(Unit::Yuan | Unit::WanYuan)) {
                    grid.set_at(r, ci, None);
                    self.unreadable_cell(
                        table,
                        rowlabel,
                        col.label,
                        &ptr,
                        &c.text,
                        "不是件数",
                        c.pos,
                    );
                } else {
                    grid.set_at(r, ci, Some(value));
                }
            }
            (Read::Number { value, unit }, CellType::Money) => {
                let procurement = table == TableId::ActiveDisclosure && row_id == "procurement";
                if procurement {
                    grid.set_at(r, ci, Some(value));
                    self.out.procurement_amount_unit = unit.and_then(Unit::money);
                } else {
                    match unit {
                        Some(Unit::Yuan) => {
                            let v = value / Decimal::from(10_000);
                            grid.set_at(r, ci, Some(v));
                            let shown = crate::decimal::plain(v);
                            self.findings.push(
                                Finding::new(
                                    "F10",
                                    Severity::Info,
                                    format!(
                                        "{}“{rowlabel}”行“{}”列原文为“{}”，已换算为{shown}万元。",
                                        table.name_zh(),
                                        col.label,
                                        c.text
                                    ),
                                    format!(
                                        "{} {row_id}/{}: printed “{}”, converted to {shown} 万元.",
                                        table.name_en(),
                                        col.id,
                                        c.text
                                    ),
                                )
                                .cells(vec![ptr.clone()])
                                .raw(c.text.clone())
                                .at(at(c.pos)),
                            );
                        }
                        Some(Unit::Count) => {
                            grid.set_at(r, ci, None);
                            self.unreadable_cell(
                                table,
                                rowlabel,
                                col.label,
                                &ptr,
                                &c.text,
                                "金额单位不明",
                                c.pos,
                            );
                        }
                        Some(Unit::WanYuan) | None => grid.set_at(r, ci, Some(value)),
                    }
                }
            }
            (Read::Unreadable, _) => {
                grid.set_at(r, ci, None);
                self.unreadable_cell(table, rowlabel, col.label, &ptr, &c.text, "不是数字", c.pos);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn unreadable_cell(
        &mut self,
        table: TableId,
        row: &str,
        col: &str,
        ptr: &str,
        raw: &str,
        detail: &str,
        pos: Pos,
    ) {
        self.findings.push(
            Finding::new(
                "F8",
                Severity::Error,
                format!("{}“{row}”行“{col}”列的数据无法准确读取（{detail}：“{raw}”），请核对原文。", table.name_zh()),
                format!("{}, row {row}, column {col}: value could not be read reliably ({detail}: “{raw}”); check the original.", table.name_en()),
            )
            .cells(vec![ptr.to_owned()])
            .raw(raw.to_owned())
            .at(at(pos)),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn tolerance_finding(
        &mut self,
        table: TableId,
        kind: &str,
        printed: &str,
        canonical: &str,
        t: Tolerance,
        cells: Vec<String>,
        pos: Pos,
    ) {
        let (zh, en) = match t {
            Tolerance::Truncation => ("不完整", "is truncated"),
            Tolerance::Annotation | Tolerance::Numbering | Tolerance::Omission => {
                ("与统一格式略有差异", "differs slightly")
            }
        };
        self.findings.push(
            Finding::new(
                "F5",
                Severity::Info,
                format!(
                    "{}{kind}“{printed}”{zh}，已按位置识别为“{canonical}”。",
                    table.name_zh()
                ),
                format!(
                    "{}: {} {printed} {en}; matched to {canonical} by its position.",
                    table.name_en(),
                    if kind == "表头" {
                        "header"
                    } else {
                        "row label"
                    }
                ),
            )
            .cells(cells)
            .printed(printed, canonical)
            .at(at(pos)),
        );
    }

    fn note_order(&mut self, table: TableId, ri: usize, printed: &str, canonical: &str, pos: Pos) {
        let last = self.last_row.get(&table).copied();
        if last.is_some_and(|l| ri < l) {
            self.findings.push(
                Finding::new(
                    "F13",
                    Severity::Warning,
                    format!("{}中“{printed}”的位置与统一格式不一致。", table.name_zh()),
                    format!(
                        "{}: {printed} is not in its official position.",
                        table.name_en()
                    ),
                )
                .printed(printed, canonical)
                .at(at(pos)),
            );
        }
        self.last_row.insert(table, ri.max(last.unwrap_or(0)));
    }

    /// The next table-2 or table-3 row (canonical order) not read yet, for step-2 tolerances.
    fn expected_row(
        &self,
        table: TableId,
        block: Option<&'static str>,
    ) -> Option<&'static schema::RowDef> {
        let def = schema::table_def(self.format, table);
        def.rows
            .iter()
            .filter(|r| block.is_none_or(|b| r.group == Some(b)))
            .find(|r| !self.seen_rows.contains_key(&(table, r.id)))
    }

    fn local_row(
        &mut self,
        table: TableId,
        i: usize,
        k: usize,
        after: Option<&'static str>,
    ) -> usize {
        let c = &self.cells[i];
        let (vals, next, _) = self.values(i, k);
        let cells = vals
            .iter()
            .map(|v| LocalCell {
                header: None,
                raw: v.text.clone(),
                value: match value::read(&v.text, true) {
                    Read::Number { value, .. } => Some(value),
                    _ => None,
                },
            })
            .collect();
        let kind = if c.key == "小计"
            || matches!(
                labels::exact(&c.key).first().map(|e| e.label),
                Some(Label::T3Group(_))
            ) {
            LocalKind::SubtotalRow
        } else {
            LocalKind::Row
        };
        self.out.local.push(LocalEntry {
            table: table.id().to_owned(),
            kind,
            after: after.map(str::to_owned),
            label: c.text.clone(),
            cells,
        });
        let (rz, re) = if kind == LocalKind::SubtotalRow {
            ("小计行", "subtotal row")
        } else {
            ("行", "row")
        };
        self.findings.push(
            Finding::new(
                "F7",
                Severity::Warning,
                format!(
                    "{}含有统一格式以外的{rz}“{}”，已单独记录，未参与校验。",
                    table.name_zh(),
                    c.text
                ),
                format!(
                    "{} contains the non-standard {re} {}; recorded separately and not checked.",
                    table.name_en(),
                    c.text
                ),
            )
            .at(at(c.pos)),
        );
        self.findings.last_mut().expect("pushed").printed = Some(c.text.clone());
        next
    }

    fn run(&mut self) {
        let count = self.cells.len();
        let mut i = 0;
        let mut table: Option<TableId> = None;
        let mut block: Option<usize> = None;
        while i < count {
            let c = &self.cells[i];
            if is_empty(c) {
                i += 1;
                continue;
            }
            // Table-2 captions, with an annotation tolerated.
            if let Some(b) = caption_index(&c.key) {
                table = Some(TableId::ActiveDisclosure);
                block = Some(b);
                self.seen_labels.push(CAPTIONS[b]);
                i += 1;
                continue;
            }
            let entry = self.exact(c, table);
            match entry.map(|e| e.label) {
                Some(Label::InfoContent) => {
                    table = Some(TableId::ActiveDisclosure);
                    i = self.t2_header(i, block);
                }
                Some(Label::T2Row(id)) => {
                    table = Some(TableId::ActiveDisclosure);
                    i = self.t2_row(i, id, entry.expect("entry").canonical, None);
                }
                Some(Label::T2Header) if table == Some(TableId::ActiveDisclosure) => i += 1,
                Some(Label::T3Corner | Label::T3Applicant | Label::T3Org | Label::T3Col(_))
                    if table != Some(TableId::ReviewLitigation)
                        || matches!(
                            entry.map(|e| e.label),
                            Some(Label::T3Corner | Label::T3Applicant | Label::T3Org)
                        ) =>
                {
                    table = Some(TableId::Applications);
                    if let Some(e) = entry {
                        self.seen_labels.push(e.canonical);
                    }
                    i += 1;
                }
                Some(Label::Local)
                    if c.key == "小计"
                        && table == Some(TableId::Applications)
                        && !self
                            .seen_rows
                            .keys()
                            .any(|(t, _)| *t == TableId::Applications) =>
                {
                    self.t3_subtotal = true;
                    self.findings.push(
                        Finding::new(
                            "F7",
                            Severity::Warning,
                            "申请情况表含有统一格式以外的列“小计”，已单独记录，未参与校验。",
                            "Applications table contains the non-standard column 小计; recorded separately and not checked.",
                        )
                        .printed("小计", "")
                        .at(at(c.pos)),
                    );
                    self.findings.last_mut().expect("pushed").canonical = None;
                    i += 1;
                }
                Some(Label::T3Group(g)) => {
                    table = Some(TableId::Applications);
                    self.seen_labels.push(g);
                    let next = self.cells[i + 1..]
                        .iter()
                        .position(|x| !is_empty(x))
                        .map(|p| p + i + 1);
                    let followed_by_value = next.is_some_and(|j| {
                        value_like(&self.cells[j]) && !Self::is_label(&self.cells[j])
                    });
                    if g == T3_GROUP_OTHER && self.format == Format::V2021 && followed_by_value {
                        // A 2019-style single （六） row in a 2021 table: its values are the
                        // catch-all 3.其他; the two other rows are reported missing (F6).
                        i = self.t3_row(i, "other_other");
                    } else if followed_by_value && g != T3_RESULTS_GROUP {
                        i = self.local_row(TableId::Applications, i, 7, None);
                    } else {
                        i += 1;
                    }
                }
                Some(Label::T3Row(id)) => {
                    table = Some(TableId::Applications);
                    let id = if self.format == Format::V2021 && id == "other" {
                        "other_other"
                    } else {
                        id
                    };
                    i = self.t3_row(i, id);
                }
                Some(Label::T4Top | Label::T4Block | Label::T4Col) if !self.t4_done => {
                    table = Some(TableId::ReviewLitigation);
                    i = self.t4(i);
                }
                Some(Label::Local) => {
                    let t = table.unwrap_or(TableId::ActiveDisclosure);
                    let k = if t == TableId::ActiveDisclosure { 3 } else { 7 };
                    i = self.local_row(t, i, k, None);
                }
                _ => {
                    i = self.unknown(i, table, block);
                }
            }
        }
    }

    fn t2_header(&mut self, i: usize, block: Option<usize>) -> usize {
        let mut j = i + 1;
        let mut printed: Vec<&Cell> = Vec::new();
        while j < self.cells.len() {
            let c = &self.cells[j];
            if is_empty(c) {
                j += 1;
                continue;
            }
            let e = self.exact(c, Some(TableId::ActiveDisclosure));
            let header_like = matches!(e.map(|e| e.label), Some(Label::T2Header))
                || (e.is_none()
                    && caption_index(&c.key).is_none()
                    && !value_like(c)
                    && c.text.chars().count() <= 24
                    && !matches!(e.map(|e| e.label), Some(Label::T2Row(_))));
            if !header_like {
                break;
            }
            printed.push(c);
            j += 1;
        }
        let Some(b) = block else { return j };
        let def = schema::table_def(self.format, TableId::ActiveDisclosure);
        let rows: Vec<&schema::RowDef> = def
            .rows
            .iter()
            .filter(|r| r.group == Some(CAPTIONS[b]))
            .collect();
        let Some(first) = rows.first() else { return j };
        let cols = first.cols;
        let mut map = Vec::new();
        for (pos, c) in printed.iter().enumerate() {
            // Exact label of a column of this block, wherever it stands.
            let exact = cols.iter().position(|col| key(col.label) == c.key);
            let mapped = match exact {
                Some(ci) => {
                    if ci != pos {
                        self.findings.push(
                            Finding::new(
                                "F13",
                                Severity::Warning,
                                format!("主动公开情况表中“{}”的位置与统一格式不一致。", c.text),
                                format!(
                                    "Active-disclosure table: {} is not in its official position.",
                                    c.text
                                ),
                            )
                            .printed(c.text.clone(), cols[ci].label)
                            .at(at(c.pos)),
                        );
                    }
                    Some(ci)
                }
                None => {
                    if let Some((col, t)) = cols
                        .get(pos)
                        .and_then(|col| labels::tolerant(&c.key, col.label).map(|t| (col, t)))
                    {
                        let cells = rows
                            .iter()
                            .map(|r| Self::ptr(TableId::ActiveDisclosure, r.id, col.id))
                            .collect();
                        self.tolerance_finding(
                            TableId::ActiveDisclosure,
                            "表头",
                            &c.text,
                            col.label,
                            t,
                            cells,
                            c.pos,
                        );
                        Some(pos)
                    } else {
                        let other_format = labels::exact(&c.key)
                            .iter()
                            .any(|e| e.label == Label::T2Header);
                        if !other_format {
                            self.unknown_label(TableId::ActiveDisclosure, c);
                        }
                        (pos < cols.len()).then_some(pos)
                    }
                }
            };
            map.push(mapped);
        }
        self.t2_headers.insert(b, map);
        j
    }

    fn t2_row(
        &mut self,
        i: usize,
        id: &'static str,
        canonical: &'static str,
        tol: Option<Tolerance>,
    ) -> usize {
        let c = &self.cells[i];
        let def = schema::table_def(self.format, TableId::ActiveDisclosure);
        let Some(ri) = def.row_index(id) else {
            // A row of the other format (e.g. 政府集中采购 in a 2021 report): local (F9 is raised
            // by format detection).
            return self.local_row(TableId::ActiveDisclosure, i, 2, None);
        };
        let row = &def.rows[ri];
        if let Some(t) = tol {
            let cells = row
                .cols
                .iter()
                .map(|col| Self::ptr(TableId::ActiveDisclosure, id, col.id))
                .collect();
            self.tolerance_finding(
                TableId::ActiveDisclosure,
                "行标签",
                &c.text,
                canonical,
                t,
                cells,
                c.pos,
            );
        }
        self.note_order(TableId::ActiveDisclosure, ri, &c.text, row.label, c.pos);
        if let Some(next) = self.glued_row(i, TableId::ActiveDisclosure, id) {
            self.seen_rows.insert((TableId::ActiveDisclosure, id), i);
            return next;
        }
        let k = row.cols.len();
        let (vals, next, extra) = self.values(i, k);
        if vals.iter().all(|v| is_empty(v)) && extra.is_empty() {
            self.label_only
                .insert((TableId::ActiveDisclosure, id), c.pos);
            return next;
        }
        self.seen_rows.insert((TableId::ActiveDisclosure, id), i);
        if vals.len() < k {
            let raw: Vec<&str> = vals.iter().map(|v| v.text.as_str()).collect();
            self.unreadable_row(
                TableId::ActiveDisclosure,
                id,
                row.label,
                &raw.join(" | "),
                &format!("应有{k}个数值，只找到{}个", vals.len()),
                c.pos,
            );
            return next;
        }
        if !extra.is_empty() {
            let raw: Vec<&str> = vals.iter().chain(&extra).map(|v| v.text.as_str()).collect();
            self.unreadable_row(
                TableId::ActiveDisclosure,
                id,
                row.label,
                &raw.join(" | "),
                &format!("应有{k}个数值，却有{}个", k + extra.len()),
                c.pos,
            );
            return next;
        }
        let block = row
            .group
            .and_then(|g| CAPTIONS.iter().position(|c| *c == g));
        let map = block.and_then(|b| self.t2_headers.get(&b)).cloned();
        for (pos, v) in vals.into_iter().enumerate() {
            let ci = map
                .as_ref()
                .and_then(|m| m.get(pos).copied().flatten())
                .filter(|ci| *ci < k)
                .unwrap_or(pos);
            self.store(TableId::ActiveDisclosure, id, ci, v);
        }
        next
    }

    fn t3_row(&mut self, i: usize, id: &'static str) -> usize {
        let c = &self.cells[i];
        let def = schema::table_def(self.format, TableId::Applications);
        let Some(ri) = def.row_index(id) else {
            return self.local_row(TableId::Applications, i, 7, None);
        };
        if self.seen_rows.contains_key(&(TableId::Applications, id)) {
            // A repeated row label (page-break repeat): read it as local so nothing is mixed in.
            return self.local_row(TableId::Applications, i, 7, Some(id));
        }
        self.note_order(
            TableId::Applications,
            ri,
            &c.text,
            def.rows[ri].label,
            c.pos,
        );
        if !self.t3_subtotal
            && let Some(next) = self.glued_row(i, TableId::Applications, id)
        {
            self.seen_rows.insert((TableId::Applications, id), i);
            return next;
        }
        let k = if self.t3_subtotal { 8 } else { 7 };
        let (vals, next, extra) = self.values(i, k);
        if vals.iter().all(|v| is_empty(v)) && extra.is_empty() {
            self.label_only.insert((TableId::Applications, id), c.pos);
            return next;
        }
        self.seen_rows.insert((TableId::Applications, id), i);
        let label = def.rows[ri].label;
        if vals.len() < k || !extra.is_empty() {
            let raw: Vec<&str> = vals.iter().chain(&extra).map(|v| v.text.as_str()).collect();
            let detail = if vals.len() < k {
                format!("应有{k}个数值，只找到{}个", vals.len())
            } else {
                format!("应有{k}个数值，却有{}个", k + extra.len())
            };
            self.unreadable_row(
                TableId::Applications,
                id,
                label,
                &raw.join(" | "),
                &detail,
                c.pos,
            );
            return next;
        }
        let mut ci = 0;
        for (pos, v) in vals.into_iter().enumerate() {
            if self.t3_subtotal && pos == 6 {
                self.out.local.push(LocalEntry {
                    table: TableId::Applications.id().to_owned(),
                    kind: LocalKind::SubtotalColumn,
                    after: Some(id.to_owned()),
                    label: "小计".into(),
                    cells: vec![LocalCell {
                        header: Some("小计".into()),
                        raw: v.text.clone(),
                        value: match value::read(&v.text, false) {
                            Read::Number { value, .. } => Some(value),
                            _ => None,
                        },
                    }],
                });
                continue;
            }
            self.store(TableId::Applications, id, ci, v);
            ci += 1;
        }
        next
    }

    /// Table 4: the header labels, then 15 values in canonical order (spec §6.6).
    fn store_parts(&mut self, table: TableId, id: &'static str, parts: &[Part], pos: Pos) {
        for (ci, p) in parts.iter().enumerate() {
            let cell = Cell::new(p.text.clone(), pos, false);
            self.store(table, id, ci, &cell);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn glued_resolved(
        &mut self,
        table: TableId,
        label: &str,
        raw: &str,
        parts: &[Part],
        by: &str,
        by_en: &str,
        cells: Vec<String>,
        pos: Pos,
    ) {
        let split: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        self.findings.push(
            Finding::new(
                "F10",
                Severity::Info,
                format!("{}“{label}”行原文“{raw}”的数字连在一起，只有一种拆分（{}）{by}，已按此读取。", table.name_zh(), split.join("|")),
                format!("{}, row {label}: the digits “{raw}” run together; only one split ({}) {by_en}, and it was used.", table.name_en(), split.join("|")),
            )
            .cells(cells)
            .raw(raw.to_owned())
            .at(at(pos)),
        );
    }

    /// A row whose values were printed as one run (spec §6.2.5): split only when one reading
    /// remains under the consistency rules (row sums; for table 2 the numbers the narrative
    /// states). Table-3 rows with several readings wait for the column rules.
    fn glued_row(&mut self, i: usize, table: TableId, id: &'static str) -> Option<usize> {
        let j = (i + 1..self.cells.len()).find(|j| !is_empty(&self.cells[*j]))?;
        let c = &self.cells[j];
        if !c.glued {
            return None;
        }
        let def = schema::table_def(self.format, table);
        let row = def.row(id)?;
        let types: Vec<CellType> = row.cols.iter().map(|c| c.ty).collect();
        if types.len() == 1 {
            return None;
        }
        let ptrs: Vec<String> = row
            .cols
            .iter()
            .map(|col| Self::ptr(table, id, col.id))
            .collect();
        let mut readings = split::readings(&c.text, &types);
        if split::is_trivial(&c.text, types.len()) && readings.len() == 1 {
            self.store_parts(table, id, &readings[0], c.pos);
            return Some(j + 1);
        }
        let (by, by_en) = match table {
            TableId::Applications => {
                readings.retain(|r| r[..6].iter().map(|p| p.value).sum::<Decimal>() == r[6].value);
                ("符合行合计", "satisfies the row total")
            }
            _ => {
                let mut constrained = false;
                for (alts, n) in &self.statements {
                    let cols: Option<Vec<usize>> = alts
                        .iter()
                        .map(|alt| match alt.as_slice() {
                            [one] => ptrs.iter().position(|p| p == one),
                            _ => None,
                        })
                        .collect();
                    if let Some(cols) = cols.filter(|c| !c.is_empty()) {
                        constrained = true;
                        readings.retain(|r| cols.iter().any(|ci| r[*ci].value == *n));
                    }
                }
                if !constrained {
                    readings.truncate(readings.len().min(2));
                }
                (
                    "与正文所述数字一致",
                    "agrees with the figures stated in the text",
                )
            }
        };
        match readings.len() {
            1 => {
                let parts = readings.pop().expect("one");
                self.store_parts(table, id, &parts, c.pos);
                self.glued_resolved(table, row.label, &c.text, &parts, by, by_en, ptrs, c.pos);
            }
            n if n > 1 && table == TableId::Applications && n <= 200 => {
                for (ci, _) in row.cols.iter().enumerate() {
                    let r = def.row_index(id).expect("row");
                    self.out.grid_mut(table).set_at(r, ci, None);
                }
                self.pending.push(Pending {
                    id,
                    readings,
                    raw: c.text.clone(),
                    pos: c.pos,
                });
            }
            n => {
                let detail = if n == 0 {
                    "数字连在一起，没有一种拆分符合勾稽关系"
                } else {
                    "数字连在一起，有多种拆分方式"
                };
                self.unreadable_row(table, id, row.label, &c.text, detail, c.pos);
            }
        }
        Some(j + 1)
    }

    /// Table-3 glued rows with several readings: the combination that satisfies H1–H3, if it is
    /// the only one.
    fn resolve_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let def = schema::table_def(self.format, TableId::Applications);
        let rows: Vec<usize> = pending
            .iter()
            .map(|p| def.row_index(p.id).expect("row"))
            .collect();
        let addrs: Vec<crate::validate::arithmetic::Addr> = rows
            .iter()
            .flat_map(|r| (0..7).map(move |c| (TableId::Applications, *r, c)))
            .collect();
        let total = pending
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.readings.len()));
        let mut solution: Option<Vec<usize>> = None;
        let mut several = false;
        if let Some(total) = total.filter(|t| *t <= 100_000) {
            let mut idx = vec![0usize; pending.len()];
            for _ in 0..total {
                for (n, p) in pending.iter().enumerate() {
                    for (ci, part) in p.readings[idx[n]].iter().enumerate() {
                        self.out.applications.set_at(rows[n], ci, Some(part.value));
                    }
                }
                if crate::validate::arithmetic::holds_for(&self.out, &addrs) {
                    if solution.is_some() {
                        several = true;
                        break;
                    }
                    solution = Some(idx.clone());
                }
                for d in idx.iter_mut().zip(&pending).rev() {
                    *d.0 += 1;
                    if *d.0 < d.1.readings.len() {
                        break;
                    }
                    *d.0 = 0;
                }
            }
        }
        for (n, p) in pending.iter().enumerate() {
            let label = def.rows[rows[n]].label;
            let ptrs: Vec<String> = def.rows[rows[n]]
                .cols
                .iter()
                .map(|c| Self::ptr(TableId::Applications, p.id, c.id))
                .collect();
            match (&solution, several) {
                (Some(sol), false) => {
                    let parts = p.readings[sol[n]].clone();
                    self.store_parts(TableId::Applications, p.id, &parts, p.pos);
                    self.glued_resolved(
                        TableId::Applications,
                        label,
                        &p.raw,
                        &parts,
                        "符合表内勾稽关系",
                        "satisfies the table's balances",
                        ptrs,
                        p.pos,
                    );
                }
                _ => {
                    let detail = if several {
                        "数字连在一起，有多种拆分方式都符合勾稽关系"
                    } else {
                        "数字连在一起，没有一种拆分符合勾稽关系"
                    };
                    self.unreadable_row(TableId::Applications, p.id, label, &p.raw, detail, p.pos);
                }
            }
        }
    }

    /// Table 4 printed block by block (`行政复议` + five headers + five values, then each
    /// 行政诉讼 block): every block is identified by its own label, never by position.
    fn t4_blocks(&mut self, i: usize) -> Option<usize> {
        let mut j = i;
        let mut blocks: Vec<(usize, Vec<&'a Cell>)> = Vec::new();
        loop {
            while j < self.cells.len() && is_empty(&self.cells[j]) {
                j += 1;
            }
            let Some(c) = self.cells.get(j) else { break };
            let block = if c.key == key(T4_RECONSIDERATION) {
                0
            } else if c.key.contains("未经复议直接起诉") {
                1
            } else if c.key.contains("复议后起诉") {
                2
            } else {
                break;
            };
            j += 1;
            while j < self.cells.len()
                && (is_empty(&self.cells[j])
                    || labels::exact(&self.cells[j].key)
                        .iter()
                        .any(|e| e.label == Label::T4Col))
            {
                j += 1;
            }
            let mut vals = Vec::new();
            while j < self.cells.len() && vals.len() < 5 && !Self::is_label(&self.cells[j]) {
                vals.push(&self.cells[j]);
                j += 1;
            }
            if vals.len() != 5 || blocks.iter().any(|(b, _)| *b == block) {
                return None;
            }
            blocks.push((block, vals));
        }
        if blocks.len() < 2 {
            return None;
        }
        let def = schema::table_def(self.format, TableId::ReviewLitigation);
        for (b, vals) in blocks {
            let id = def.rows[b].id;
            for (ci, v) in vals.into_iter().enumerate() {
                self.store(TableId::ReviewLitigation, id, ci, v);
            }
            self.seen_rows.insert((TableId::ReviewLitigation, id), i);
        }
        self.t4_done = true;
        Some(j)
    }

    fn t4(&mut self, i: usize) -> usize {
        if let Some(j) = self.t4_blocks(i) {
            return j;
        }
        let mut j = i;
        let mut headers: Vec<String> = Vec::new();
        // Header labels (and single-character fragments of vertical headers).
        while j < self.cells.len() {
            let c = &self.cells[j];
            if is_empty(c) {
                j += 1;
                continue;
            }
            let t4 = labels::exact(&c.key)
                .iter()
                .any(|e| e.label.table() == Some(TableId::ReviewLitigation));
            let fragment = !value_like(c)
                && ((c.key.chars().count() <= 2 && T4_TEXT.contains(c.key.as_str()))
                    || (labels::exact(&c.key).is_empty() && is_fragment_cell(c)));
            if t4 || fragment {
                if t4 {
                    headers.push(c.key.clone());
                }
                j += 1;
                continue;
            }
            break;
        }
        let start = j;
        let mut vals: Vec<&Cell> = Vec::new();
        while j < self.cells.len() && vals.len() < 15 {
            let c = &self.cells[j];
            if Self::is_label(c) {
                break;
            }
            vals.push(c);
            j += 1;
        }
        // Trailing empty padding.
        let mut extra = Vec::new();
        while j < self.cells.len() && !Self::is_label(&self.cells[j]) {
            if !is_empty(&self.cells[j]) {
                extra.push(&self.cells[j]);
            }
            j += 1;
        }
        self.t4_done = true;
        let pos = self.cells.get(start).map_or(self.cells[i].pos, |c| c.pos);
        let glued_parts: Vec<Cell>;
        if vals.iter().chain(&extra).any(|c| c.glued) {
            let run: Vec<&str> = vals.iter().chain(&extra).map(|c| c.text.as_str()).collect();
            let run = run.join(" ");
            let mut readings = split::readings(&run, &[CellType::Count; 15]);
            let trivial = split::is_trivial(&run, 15);
            readings.retain(|r| {
                (0..3).all(|b| {
                    r[b * 5..b * 5 + 4].iter().map(|p| p.value).sum::<Decimal>()
                        == r[b * 5 + 4].value
                })
            });
            if readings.len() == 1 {
                let parts = readings.pop().expect("one");
                if !trivial {
                    let ptrs = schema::table_def(self.format, TableId::ReviewLitigation)
                        .rows
                        .iter()
                        .flat_map(|r| {
                            r.cols
                                .iter()
                                .map(move |c| Self::ptr(TableId::ReviewLitigation, r.id, c.id))
                        })
                        .collect();
                    self.glued_resolved(
                        TableId::ReviewLitigation,
                        "结果",
                        &run,
                        &parts,
                        "符合各项总计",
                        "satisfies the block totals",
                        ptrs,
                        pos,
                    );
                }
                glued_parts = parts
                    .iter()
                    .map(|p| Cell::new(p.text.clone(), pos, false))
                    .collect();
                vals = glued_parts.iter().collect();
                extra.clear();
            }
        }
        let mut expected: Vec<String> = [
            T4_RECONSIDERATION,
            T4_LITIGATION,
            "未经复议直接起诉",
            "复议后起诉",
        ]
        .iter()
        .map(|s| key(s))
        .collect();
        for _ in 0..3 {
            for l in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] {
                expected.push(key(l));
            }
        }
        let mut got = headers.clone();
        got.sort();
        expected.sort();
        let def = schema::table_def(self.format, TableId::ReviewLitigation);
        if vals.len() != 15 || !extra.is_empty() {
            let raw: Vec<&str> = vals.iter().chain(&extra).map(|v| v.text.as_str()).collect();
            let cells: Vec<String> = def
                .rows
                .iter()
                .flat_map(|r| {
                    r.cols
                        .iter()
                        .map(move |c| Self::ptr(TableId::ReviewLitigation, r.id, c.id))
                })
                .collect();
            for r in 0..3 {
                for c in 0..5 {
                    self.out.review_litigation.set_at(r, c, None);
                }
            }
            self.findings.push(
                Finding::new(
                    "F8",
                    Severity::Error,
                    format!("复议诉讼情况表“结果”行的数据无法准确读取（应有15个数值，找到{}个），请核对原文。", vals.len() + extra.len()),
                    format!("Review/litigation table: values could not be read reliably (15 expected, {} found); check the original.", vals.len() + extra.len()),
                )
                .cells(cells)
                .raw(raw.join(" "))
                .at(at(pos)),
            );
            for r in def.rows {
                self.seen_rows.insert((TableId::ReviewLitigation, r.id), i);
            }
            return j;
        }
        if got != expected {
            let missing_top: Vec<&str> = [T4_RECONSIDERATION, T4_LITIGATION]
                .into_iter()
                .filter(|l| !headers.contains(&key(l)))
                .collect();
            let only_tops_missing = {
                let mut g = got.clone();
                g.extend(missing_top.iter().map(|l| key(l)));
                g.sort();
                g == expected
            };
            if only_tops_missing {
                for l in missing_top {
                    self.label_missing(TableId::ReviewLitigation, l, pos);
                }
            } else {
                self.findings.push(
                    Finding::new(
                        "F5",
                        Severity::Info,
                        "复议诉讼情况表表头无法完整识别，已按统一格式的15列顺序读取数值。",
                        "Review/litigation table: the header could not be read completely; the 15 values were assigned in the official column order.",
                    )
                    .at(at(pos)),
                );
            }
        }
        for (n, v) in vals.into_iter().enumerate() {
            let (r, ci) = (n / 5, n % 5);
            let id = def.rows[r].id;
            self.store(TableId::ReviewLitigation, id, ci, v);
        }
        for r in def.rows {
            self.seen_rows.insert((TableId::ReviewLitigation, r.id), i);
        }
        j
    }

    fn label_missing(&mut self, table: TableId, canonical: &str, pos: Pos) {
        self.findings.push(
            Finding::new(
                "F14",
                Severity::Info,
                format!("{}缺少标签“{canonical}”，数据仍按行列标签读取。", table.name_zh()),
                format!("{}: the label {canonical} is missing; values were still read by their row and column labels.", table.name_en()),
            )
            .at(at(pos)),
        );
        self.findings.last_mut().expect("pushed").canonical = Some(canonical.to_owned());
    }

    /// A cell that matches no label exactly: step-2 tolerance against the expected row, else a
    /// local row (when values follow) or F4.
    fn unknown(&mut self, i: usize, table: Option<TableId>, block: Option<usize>) -> usize {
        let c = &self.cells[i];
        if value_like(c) || table.is_none() {
            return i + 1;
        }
        let t = table.expect("checked");
        if t == TableId::ReviewLitigation {
            return i + 1;
        }
        let expected = self.expected_row(
            t,
            if t == TableId::ActiveDisclosure {
                block.map(|b| CAPTIONS[b])
            } else {
                None
            },
        );
        if let Some(row) = expected
            && let Some(tol) = labels::tolerant(&c.key, row.label)
        {
            return if t == TableId::ActiveDisclosure {
                self.t2_row(i, row.id, row.label, Some(tol))
            } else {
                let cells = row
                    .cols
                    .iter()
                    .map(|col| Self::ptr(t, row.id, col.id))
                    .collect();
                self.tolerance_finding(t, "行标签", &c.text, row.label, tol, cells, c.pos);
                self.t3_row(i, row.id)
            };
        }
        // A fragment of a label that the layout broke over lines (PDF text, spec §6.2.4), or
        // long text (narrative inside the table region): skipped quietly.
        if is_fragment_cell(c) || c.text.chars().count() > 40 {
            return i + 1;
        }
        let k = match t {
            TableId::ActiveDisclosure => block
                .and_then(|b| {
                    schema::table_def(self.format, t)
                        .rows
                        .iter()
                        .find(|r| r.group == Some(CAPTIONS[b]))
                })
                .map_or(3, |r| r.cols.len()),
            _ => 7,
        };
        let (vals, _, _) = self.values(i, k);
        if vals.iter().filter(|v| !is_empty(v)).count() > 0 {
            let after = self
                .seen_rows
                .iter()
                .filter(|((tt, _), _)| *tt == t)
                .max_by_key(|(_, at)| **at)
                .map(|((_, id), _)| *id);
            return self.local_row(t, i, k, after);
        }
        self.unknown_label(t, c);
        i + 1
    }

    /// F4: a label that matches no official label, even with the tolerances.
    fn unknown_label(&mut self, table: TableId, c: &Cell) {
        let mut f = Finding::new(
            "F4",
            Severity::Error,
            format!(
                "{}中的标签“{}”与统一格式不符，无法识别。",
                table.name_zh(),
                c.text
            ),
            format!(
                "{}: label {} does not match the official format.",
                table.name_en(),
                c.text
            ),
        )
        .at(at(c.pos));
        f.printed = Some(c.text.clone());
        self.findings.push(f);
    }

    /// F6 for missing rows and tables, F14 for missing label-only cells.
    fn finish(&mut self) {
        let first_pos = self.cells.first().map(|c| c.pos).unwrap_or_default();
        for t in TableId::ALL {
            let def = schema::table_def(self.format, t);
            let seen: Vec<&str> = def
                .rows
                .iter()
                .filter(|r| self.seen_rows.contains_key(&(t, r.id)))
                .map(|r| r.id)
                .collect();
            if seen.is_empty() {
                let cells: Vec<String> = def
                    .rows
                    .iter()
                    .flat_map(|r| r.cols.iter().map(move |c| Self::ptr(t, r.id, c.id)))
                    .collect();
                self.findings.push(
                    Finding::new(
                        "F6",
                        Severity::Error,
                        format!("缺少{}（可能以图片形式发布）。", t.name_zh()),
                        format!(
                            "{} not found (possibly published as an image).",
                            t.name_en()
                        ),
                    )
                    .cells(cells),
                );
                self.findings.last_mut().expect("pushed").canonical = Some(t.name_zh().to_owned());
                continue;
            }
            for row in def.rows {
                if !self.seen_rows.contains_key(&(t, row.id))
                    && let Some(pos) = self.label_only.get(&(t, row.id)).copied()
                {
                    let label = crate::schema::row_label_for_message(t, row);
                    self.unreadable_row(t, row.id, label, "", "只有行标签，没有数值", pos);
                    continue;
                }
                if !self.seen_rows.contains_key(&(t, row.id)) {
                    let cells = row
                        .cols
                        .iter()
                        .map(|c| Self::ptr(t, row.id, c.id))
                        .collect();
                    let label = crate::schema::row_label_for_message(t, row);
                    self.findings.push(
                        Finding::new(
                            "F6",
                            Severity::Error,
                            format!("{}缺少“{label}”行。", t.name_zh()),
                            format!("{}: {label} is missing.", t.name_en()),
                        )
                        .cells(cells),
                    );
                    self.findings.last_mut().expect("pushed").canonical = Some(label.to_owned());
                }
            }
            // Label-only cells.
            let label_only: Vec<&str> = match t {
                TableId::ActiveDisclosure => {
                    let mut v: Vec<&str> = def.rows.iter().filter_map(|r| r.group).collect();
                    v.dedup();
                    v
                }
                TableId::Applications => {
                    let mut v = vec![T3_CORNER_NOTE, T3_APPLICANT_HEADER, T3_ORG_HEADER];
                    let mut groups: Vec<&str> = def.rows.iter().filter_map(|r| r.group).collect();
                    groups.dedup();
                    v.extend(groups);
                    v
                }
                TableId::ReviewLitigation => vec![],
            };
            for l in label_only {
                if !self.seen_labels.contains(&l) {
                    self.label_missing(t, l, first_pos);
                    self.findings.last_mut().expect("pushed").at = None;
                }
            }
        }
    }
}

/// Whether a short key is a piece of some canonical label (`商业企`, `予公开`, `形，不计其他情形）`).
fn is_fragment(k: &str) -> bool {
    let n = k.chars().count();
    n > 0
        && n <= 24
        && labels::keys()
            .iter()
            .any(|ck| ck.len() > k.len() && ck.contains(k))
}

/// A cell made only of label fragments (`商业 科研`, `形，不计其他情形）`).
fn is_fragment_cell(c: &Cell) -> bool {
    c.fragment
}

fn compute_fragment(c: &Cell) -> bool {
    is_fragment(&c.key) || {
        let tokens: Vec<String> = c.text.split_whitespace().map(key).collect();
        tokens.len() > 1
            && tokens
                .iter()
                .all(|t| is_fragment(t) || !labels::exact(t).is_empty())
    }
}

/// The characters of table-4 header labels (for vertical one-character fragments).
const T4_TEXT: &str = "行政复议诉讼结果维持纠正其他尚未审结总计未经直接起后";

fn value_like(c: &Cell) -> bool {
    c.value_like
}

fn compute_value_like(c: &Cell) -> bool {
    if value::looks_like_value(&c.text) {
        return true;
    }
    // Short text that is mostly digits (`约30`) is a value cell that cannot be read.
    let n = c.key.chars().count();
    let digits = c.key.chars().filter(char::is_ascii_digit).count();
    n > 0 && n <= 10 && digits * 2 > n && labels::exact(&c.key).is_empty()
}

/// `第二十条第（X）项` with optional annotation → index into [`CAPTIONS`].
fn caption_index(k: &str) -> Option<usize> {
    let rest = k.strip_prefix("第二十条第(")?;
    let (item, _) = rest.split_once(")项")?;
    ["一", "五", "六", "八", "九"]
        .iter()
        .position(|x| *x == item)
}

/// Reads the three tables from the cells.
pub(crate) fn read(
    cells: &[Cell],
    format: Format,
    statements: Vec<(Vec<Vec<String>>, Decimal)>,
) -> Read3 {
    let mut r = Reader {
        cells,
        format,
        out: Tables::filled(format, None),
        findings: Vec::new(),
        raw: BTreeMap::new(),
        seen_rows: HashMap::new(),
        seen_labels: Vec::new(),
        t2_headers: HashMap::new(),
        t3_subtotal: false,
        t4_done: false,
        last_row: HashMap::new(),
        statements,
        pending: Vec::new(),
        label_only: HashMap::new(),
    };
    r.run();
    r.resolve_pending();
    r.finish();
    Read3 {
        tables: r.out,
        findings: r.findings,
        raw: r.raw,
    }
}
