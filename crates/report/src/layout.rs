//! The official table grids with their merged cells (spec §2.3–§2.5, §7).
//!
//! One layout per table and format, built from [`crate::schema`]; the HTML, Word, Excel,
//! Markdown, text and flattened-text renderers all draw from it, so they cannot disagree.

use std::sync::OnceLock;

use crate::schema::{
    self, APPLICANT_COLS, CAPTION_ITEM_1, CAPTION_ITEM_5, CAPTION_ITEM_6, CAPTION_ITEM_8,
    CAPTION_ITEM_9, Format, INFO_CONTENT, T3_APPLICANT_HEADER, T3_CORNER_NOTE, T3_ORG_HEADER,
    T3_RESULTS_GROUP, T4_LITIGATION, T4_RECONSIDERATION, TableId,
};

/// What a grid cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A canonical label.
    Label(&'static str),
    /// The value cell at `(row, col)` of the table definition.
    Value { row: usize, col: usize },
    /// An empty cell (2019 table 2, blocks （八） and （九）).
    Empty,
}

/// The structural role of a cell, for semantic HTML and styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A table-2 block caption spanning the table.
    Caption,
    /// The table-3 corner note.
    Corner,
    /// A column header (`scope="col"`, or `colgroup` when it spans).
    ColHeader,
    /// A row-spanning group label (`scope="rowgroup"`).
    RowGroup,
    /// A row label (`scope="row"`).
    RowHeader,
    Value,
    Empty,
}

/// An origin cell of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutCell {
    pub content: Content,
    pub role: Role,
    pub rowspan: usize,
    pub colspan: usize,
}

/// A table's grid: each row lists its origin cells left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub table: TableId,
    pub format: Format,
    pub columns: usize,
    pub rows: Vec<Vec<LayoutCell>>,
}

/// A placed origin cell: grid row and column of its top-left slot.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub row: usize,
    pub col: usize,
    pub cell: LayoutCell,
}

impl Layout {
    /// Every origin cell with its grid position (row-major).
    pub fn placed(&self) -> Vec<Placed> {
        let mut occupied = vec![vec![false; self.columns]; self.rows.len()];
        let mut out = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            let mut c = 0;
            for cell in row {
                while c < self.columns && occupied[r][c] {
                    c += 1;
                }
                for row in &mut occupied[r..r + cell.rowspan] {
                    for slot in &mut row[c..c + cell.colspan] {
                        *slot = true;
                    }
                }
                out.push(Placed {
                    row: r,
                    col: c,
                    cell: *cell,
                });
                c += cell.colspan;
            }
        }
        out
    }

    /// Number of slots in grid row `r` covered by a span from an origin elsewhere (spec §7.3).
    pub fn covered_slots(&self, r: usize) -> usize {
        let origin_slots: usize = self.rows[r].iter().map(|c| c.colspan).sum();
        self.columns - origin_slots
    }
}

fn lab(text: &'static str, role: Role) -> LayoutCell {
    LayoutCell {
        content: Content::Label(text),
        role,
        rowspan: 1,
        colspan: 1,
    }
}

fn val(row: usize, col: usize) -> LayoutCell {
    LayoutCell {
        content: Content::Value { row, col },
        role: Role::Value,
        rowspan: 1,
        colspan: 1,
    }
}

fn empty() -> LayoutCell {
    LayoutCell {
        content: Content::Empty,
        role: Role::Empty,
        rowspan: 1,
        colspan: 1,
    }
}

fn span(mut c: LayoutCell, rowspan: usize, colspan: usize) -> LayoutCell {
    c.rowspan = rowspan;
    c.colspan = colspan;
    c
}

/// The layout of `table` in `format` (built once).
pub fn layout(format: Format, table: TableId) -> &'static Layout {
    static CACHE: OnceLock<Vec<Layout>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let mut v = Vec::new();
        for f in [Format::V2019, Format::V2021] {
            for t in TableId::ALL {
                v.push(build(f, t));
            }
        }
        v
    });
    all.iter()
        .find(|l| l.format == format && l.table == table)
        .expect("every layout is built")
}

fn build(format: Format, table: TableId) -> Layout {
    match table {
        TableId::ActiveDisclosure => build_t2(format),
        TableId::Applications => build_t3(format),
        TableId::ReviewLitigation => build_t4(format),
    }
}

fn build_t2(format: Format) -> Layout {
    let def = schema::table_def(format, TableId::ActiveDisclosure);
    let mut rows: Vec<Vec<LayoutCell>> = Vec::new();
    let caption = |text| vec![span(lab(text, Role::Caption), 1, 4)];
    let header = |labels: &[&'static str]| {
        let mut r = vec![lab(INFO_CONTENT, Role::ColHeader)];
        r.extend(labels.iter().map(|l| lab(l, Role::ColHeader)));
        r
    };
    let data = |ri: usize| -> Vec<LayoutCell> {
        let row = &def.rows[ri];
        let mut r = vec![lab(row.label, Role::RowHeader)];
        r.extend((0..row.cols.len()).map(|ci| val(ri, ci)));
        r
    };
    let ri = |id: &str| def.row_index(id).expect("row exists");
    match format {
        Format::V2021 => {
            let docs: Vec<&'static str> = def.rows[0].cols.iter().map(|c| c.label).collect();
            let decisions = def.row("licensing").expect("licensing").cols[0].label;
            let fee = def.row("fees").expect("fees").cols[0].label;
            let wide = |ri: usize| {
                vec![
                    lab(def.rows[ri].label, Role::RowHeader),
                    span(val(ri, 0), 1, 3),
                ]
            };
            let wide_header = |label: &'static str| {
                vec![
                    lab(INFO_CONTENT, Role::ColHeader),
                    span(lab(label, Role::ColHeader), 1, 3),
                ]
            };
            rows.push(caption(CAPTION_ITEM_1));
            rows.push(header(&docs));
            rows.push(data(ri("regulations")));
            rows.push(data(ri("normative_documents")));
            rows.push(caption(CAPTION_ITEM_5));
            rows.push(wide_header(decisions));
            rows.push(wide(ri("licensing")));
            rows.push(caption(CAPTION_ITEM_6));
            rows.push(wide_header(decisions));
            rows.push(wide(ri("penalties")));
            rows.push(wide(ri("enforcement")));
            rows.push(caption(CAPTION_ITEM_8));
            rows.push(wide_header(fee));
            rows.push(wide(ri("fees")));
        }
        Format::V2019 => {
            let labels = |id: &str| -> Vec<&'static str> {
                def.row(id)
                    .expect("row")
                    .cols
                    .iter()
                    .map(|c| c.label)
                    .collect()
            };
            rows.push(caption(CAPTION_ITEM_1));
            rows.push(header(&labels("regulations")));
            rows.push(data(ri("regulations")));
            rows.push(data(ri("normative_documents")));
            rows.push(caption(CAPTION_ITEM_5));
            rows.push(header(&labels("licensing")));
            rows.push(data(ri("licensing")));
            rows.push(data(ri("other_services")));
            rows.push(caption(CAPTION_ITEM_6));
            rows.push(header(&labels("penalties")));
            rows.push(data(ri("penalties")));
            rows.push(data(ri("enforcement")));
            rows.push(caption(CAPTION_ITEM_8));
            let mut h = header(&labels("fees"));
            h.push(empty());
            rows.push(h);
            let mut d = data(ri("fees"));
            d.push(empty());
            rows.push(d);
            rows.push(caption(CAPTION_ITEM_9));
            let mut h = header(&labels("procurement"));
            h.push(empty());
            rows.push(h);
            let mut d = data(ri("procurement"));
            d.push(empty());
            rows.push(d);
        }
    }
    Layout {
        table: TableId::ActiveDisclosure,
        format,
        columns: 4,
        rows,
    }
}

fn build_t3(format: Format) -> Layout {
    let def = schema::table_def(format, TableId::Applications);
    let mut rows: Vec<Vec<LayoutCell>> = vec![
        vec![
            span(lab(T3_CORNER_NOTE, Role::Corner), 3, 3),
            span(lab(T3_APPLICANT_HEADER, Role::ColHeader), 1, 7),
        ],
        vec![
            span(lab(APPLICANT_COLS[0].label, Role::ColHeader), 2, 1),
            span(lab(T3_ORG_HEADER, Role::ColHeader), 1, 5),
            span(lab(APPLICANT_COLS[6].label, Role::ColHeader), 2, 1),
        ],
        APPLICANT_COLS[1..6]
            .iter()
            .map(|c| lab(c.label, Role::ColHeader))
            .collect(),
    ];
    let results = schema::outcome_rows(format).start..=def.row_index("total").expect("total");
    for (ri, row) in def.rows.iter().enumerate() {
        let mut cells = Vec::new();
        if ri == *results.start() {
            cells.push(span(
                lab(T3_RESULTS_GROUP, Role::RowGroup),
                results.end() - results.start() + 1,
                1,
            ));
        }
        match row.group {
            None => cells.push(span(lab(row.label, Role::RowHeader), 1, 3)),
            Some(g) if g == T3_RESULTS_GROUP => {
                cells.push(span(lab(row.label, Role::RowHeader), 1, 2));
            }
            Some(g) => {
                let first = def
                    .rows
                    .iter()
                    .position(|r| r.group == Some(g))
                    .expect("group");
                if first == ri {
                    let n = def.rows.iter().filter(|r| r.group == Some(g)).count();
                    cells.push(span(lab(g, Role::RowGroup), n, 1));
                }
                cells.push(lab(row.label, Role::RowHeader));
            }
        }
        cells.extend((0..7).map(|ci| val(ri, ci)));
        rows.push(cells);
    }
    Layout {
        table: TableId::Applications,
        format,
        columns: 10,
        rows,
    }
}

fn build_t4(format: Format) -> Layout {
    let cols = schema::table_def(format, TableId::ReviewLitigation).rows[0].cols;
    let def = schema::table_def(format, TableId::ReviewLitigation);
    let mut h2: Vec<LayoutCell> = cols
        .iter()
        .map(|c| span(lab(c.label, Role::ColHeader), 2, 1))
        .collect();
    h2.push(span(lab(def.rows[1].label, Role::ColHeader), 1, 5));
    h2.push(span(lab(def.rows[2].label, Role::ColHeader), 1, 5));
    let h3: Vec<LayoutCell> = (0..2)
        .flat_map(|_| cols.iter().map(|c| lab(c.label, Role::ColHeader)))
        .collect();
    let data: Vec<LayoutCell> = (0..3)
        .flat_map(|ri| (0..5).map(move |ci| val(ri, ci)))
        .collect();
    Layout {
        table: TableId::ReviewLitigation,
        format,
        columns: 15,
        rows: vec![
            vec![
                span(lab(T4_RECONSIDERATION, Role::ColHeader), 1, 5),
                span(lab(T4_LITIGATION, Role::ColHeader), 1, 10),
            ],
            h2,
            h3,
            data,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_are_rectangular_and_cover_every_value_once() {
        for f in [Format::V2019, Format::V2021] {
            for t in TableId::ALL {
                let l = layout(f, t);
                let mut slots = vec![vec![0u8; l.columns]; l.rows.len()];
                let mut values = std::collections::HashSet::new();
                for p in l.placed() {
                    for row in &mut slots[p.row..p.row + p.cell.rowspan] {
                        for slot in &mut row[p.col..p.col + p.cell.colspan] {
                            *slot += 1;
                        }
                    }
                    if let Content::Value { row, col } = p.cell.content {
                        assert!(values.insert((row, col)), "{f:?} {t:?} value twice");
                    }
                }
                assert!(
                    slots.iter().flatten().all(|n| *n == 1),
                    "{f:?} {t:?} not a full grid"
                );
                assert_eq!(values.len(), schema::table_def(f, t).cell_count());
            }
        }
    }

    #[test]
    fn grid_sizes_match_spec() {
        // spec §2.3.1: 14 rows; §2.3.2: 18 rows; §2.4.3: 26/28 grid rows; §2.5: 4 rows.
        assert_eq!(
            layout(Format::V2021, TableId::ActiveDisclosure).rows.len(),
            14
        );
        assert_eq!(
            layout(Format::V2019, TableId::ActiveDisclosure).rows.len(),
            18
        );
        assert_eq!(layout(Format::V2019, TableId::Applications).rows.len(), 26);
        assert_eq!(layout(Format::V2021, TableId::Applications).rows.len(), 28);
        assert_eq!(
            layout(Format::V2021, TableId::ReviewLitigation).rows.len(),
            4
        );
        let t3 = layout(Format::V2021, TableId::Applications);
        let results = t3
            .placed()
            .into_iter()
            .find(|p| p.cell.content == Content::Label(T3_RESULTS_GROUP));
        assert_eq!(results.map(|p| p.cell.rowspan), Some(22));
        let t3 = layout(Format::V2019, TableId::Applications);
        let results = t3
            .placed()
            .into_iter()
            .find(|p| p.cell.content == Content::Label(T3_RESULTS_GROUP));
        assert_eq!(results.map(|p| p.cell.rowspan), Some(20));
    }
}
