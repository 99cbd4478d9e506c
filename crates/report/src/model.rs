//! The typed report model of `gongkai.annual-report/1` (spec §3).
//!
//! Tables are grids of exact decimals keyed by the static definitions in [`crate::schema`], so the
//! same code serves both format versions; a grid can only hold the rows and columns of its format.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::findings::{Finding, NotRun};
use crate::schema::{self, Format, SectionId, TableDef, TableId};

/// The schema tag of every document.
pub const SCHEMA: &str = "gongkai.annual-report/1";

/// One value cell: `None` is a blank, `/` or unreadable cell (spec §2.1). Counts are whole
/// decimals; money is an exact decimal; nothing goes through binary floating point.
pub type Cell = Option<Decimal>;

/// `agency.kind`: selects the publication deadline (spec §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Department,
    Government,
    Township,
    Other,
}

impl AgencyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Department => "department",
            AgencyKind::Government => "government",
            AgencyKind::Township => "township",
            AgencyKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<AgencyKind> {
        [
            AgencyKind::Department,
            AgencyKind::Government,
            AgencyKind::Township,
            AgencyKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agency {
    pub name: Option<String>,
    pub kind: Option<AgencyKind>,
}

/// Where the tables came from (spec §3.2, §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputLayout {
    Generated,
    Manual,
    Html,
    FlatCells,
    PdfText,
    GluedText,
}

impl InputLayout {
    pub const ALL: [InputLayout; 6] = [
        InputLayout::Generated,
        InputLayout::Manual,
        InputLayout::Html,
        InputLayout::FlatCells,
        InputLayout::PdfText,
        InputLayout::GluedText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InputLayout::Generated => "generated",
            InputLayout::Manual => "manual",
            InputLayout::Html => "html",
            InputLayout::FlatCells => "flat_cells",
            InputLayout::PdfText => "pdf_text",
            InputLayout::GluedText => "glued_text",
        }
    }
}

/// The printed unit of the 2019 procurement amount (spec §2.3.2); never converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MoneyUnit {
    Yuan,
    WanYuan,
}

impl MoneyUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::WanYuan => "万元",
        }
    }

    pub fn parse(s: &str) -> Option<MoneyUnit> {
        match s {
            "元" => Some(MoneyUnit::Yuan),
            "万元" => Some(MoneyUnit::WanYuan),
            _ => None,
        }
    }
}

/// The values of one table, aligned with its [`TableDef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    def: &'static TableDef,
    cells: Vec<Vec<Cell>>,
}

impl Grid {
    /// A grid with every cell set to `value`.
    pub fn filled(format: Format, table: TableId, value: Cell) -> Grid {
        let def = schema::table_def(format, table);
        Grid {
            def,
            cells: def.rows.iter().map(|r| vec![value; r.cols.len()]).collect(),
        }
    }

    pub fn def(&self) -> &'static TableDef {
        self.def
    }

    pub fn table(&self) -> TableId {
        self.def.table
    }

    /// The value at row index `r`, column index `c`.
    pub fn at(&self, r: usize, c: usize) -> Cell {
        self.cells[r][c]
    }

    pub fn set_at(&mut self, r: usize, c: usize, v: Cell) {
        self.cells[r][c] = v;
    }

    /// The value by ids; `None` when the row or column does not exist in this format.
    pub fn get(&self, row: &str, col: &str) -> Option<Cell> {
        let r = self.def.row_index(row)?;
        let c = self.def.rows[r].col_index(col)?;
        Some(self.cells[r][c])
    }

    /// Sets a value by ids; returns false when the row or column does not exist in this format.
    pub fn set(&mut self, row: &str, col: &str, v: Cell) -> bool {
        let Some(r) = self.def.row_index(row) else {
            return false;
        };
        let Some(c) = self.def.rows[r].col_index(col) else {
            return false;
        };
        self.cells[r][c] = v;
        true
    }

    pub fn row_values(&self, r: usize) -> &[Cell] {
        &self.cells[r]
    }

    /// Every cell as `(row index, column index, value)`, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize, Cell)> + '_ {
        self.cells
            .iter()
            .enumerate()
            .flat_map(|(r, row)| row.iter().enumerate().map(move |(c, v)| (r, c, *v)))
    }

    /// The JSON pointer of a cell.
    pub fn pointer(&self, r: usize, c: usize) -> String {
        let row = &self.def.rows[r];
        schema::pointer(self.def.table, row.id, row.cols[c].id)
    }
}

/// Content found outside the national table (spec §3.3.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalEntry {
    pub table: String,
    pub kind: LocalKind,
    pub after: Option<String>,
    pub label: String,
    pub cells: Vec<LocalCell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalKind {
    Row,
    SubtotalRow,
    Column,
    SubtotalColumn,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalCell {
    pub header: Option<String>,
    pub raw: String,
    #[serde(with = "crate::decimal::option")]
    pub value: Option<Decimal>,
}

/// The three tables plus local content.
#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    pub active_disclosure: Grid,
    pub applications: Grid,
    pub review_litigation: Grid,
    /// `procurement.amount_unit` of the 2019 format; always `None` in 2021.
    pub procurement_amount_unit: Option<MoneyUnit>,
    pub local: Vec<LocalEntry>,
}

impl Tables {
    pub fn filled(format: Format, value: Cell) -> Tables {
        Tables {
            active_disclosure: Grid::filled(format, TableId::ActiveDisclosure, value),
            applications: Grid::filled(format, TableId::Applications, value),
            review_litigation: Grid::filled(format, TableId::ReviewLitigation, value),
            procurement_amount_unit: None,
            local: Vec::new(),
        }
    }

    pub fn grid(&self, t: TableId) -> &Grid {
        match t {
            TableId::ActiveDisclosure => &self.active_disclosure,
            TableId::Applications => &self.applications,
            TableId::ReviewLitigation => &self.review_litigation,
        }
    }

    pub fn grid_mut(&mut self, t: TableId) -> &mut Grid {
        match t {
            TableId::ActiveDisclosure => &mut self.active_disclosure,
            TableId::Applications => &mut self.applications,
            TableId::ReviewLitigation => &mut self.review_litigation,
        }
    }

    /// Looks a cell up by its JSON pointer.
    pub fn by_pointer(&self, pointer: &str) -> Option<Cell> {
        let mut it = pointer.strip_prefix("/tables/")?.split('/');
        let t = TableId::from_id(it.next()?)?;
        let (row, col) = (it.next()?, it.next()?);
        if it.next().is_some() {
            return None;
        }
        self.grid(t).get(row, col)
    }

    /// Sets a cell by its JSON pointer; false when the pointer names no cell.
    pub fn set_by_pointer(&mut self, pointer: &str, v: Cell) -> bool {
        let Some(rest) = pointer.strip_prefix("/tables/") else {
            return false;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let [t, row, col] = parts[..] else {
            return false;
        };
        let Some(t) = TableId::from_id(t) else {
            return false;
        };
        self.grid_mut(t).set(row, col, v)
    }
}

/// A section's heading as printed and its narrative text (spec §3.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraSection {
    pub heading: String,
    pub after: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sections {
    pub preamble: Option<String>,
    /// Indexed by [`SectionId::index`].
    pub items: [Section; 6],
    pub extra: Vec<ExtraSection>,
}

impl Sections {
    pub fn get(&self, id: SectionId) -> &Section {
        &self.items[id.index()]
    }

    pub fn get_mut(&mut self, id: SectionId) -> &mut Section {
        &mut self.items[id.index()]
    }

    /// Every section with its canonical heading and empty text.
    pub fn canonical() -> Sections {
        let mut s = Sections::default();
        for id in SectionId::ALL {
            s.get_mut(id).heading = Some(id.heading().to_owned());
        }
        s
    }
}

/// A compiled (汇总) report's constituents and overrides (spec §8.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compilation {
    #[serde(default)]
    pub scope_note: Option<String>,
    #[serde(default)]
    pub constituents: Vec<Constituent>,
    #[serde(default)]
    pub overrides: Vec<Override>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constituent {
    pub agency: ConstituentAgency,
    pub year: i32,
    pub format: Format,
    #[serde(rename = "ref", default)]
    pub reference: Option<String>,
    pub included: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstituentAgency {
    pub name: Option<String>,
    pub kind: Option<AgencyKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub cell: String,
    #[serde(with = "crate::decimal::option")]
    pub value: Option<Decimal>,
    pub reason: String,
}

/// One annual report (spec §3.2).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub format: Format,
    pub agency: Agency,
    pub year: i32,
    pub published_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub title: Option<String>,
    pub input_layout: Option<InputLayout>,
    pub tables: Tables,
    pub sections: Sections,
    pub findings: Vec<Finding>,
    pub checks_not_run: Vec<NotRun>,
    pub compilation: Option<Compilation>,
    /// Printed text of cells, keyed by JSON pointer, as the parser saw it (for `raw` in
    /// findings). Not part of the JSON document.
    pub cell_raw: BTreeMap<String, String>,
}

impl Report {
    /// A report of `format` for `year` with every cell `value`, canonical headings and empty text.
    pub fn new(format: Format, year: i32, value: Cell) -> Report {
        Report {
            format,
            agency: Agency::default(),
            year,
            published_on: None,
            signed_on: None,
            title: None,
            input_layout: None,
            tables: Tables::filled(format, value),
            sections: Sections::canonical(),
            findings: Vec::new(),
            checks_not_run: Vec::new(),
            compilation: None,
            cell_raw: BTreeMap::new(),
        }
    }

    /// The empty, valid report to fill in (`gongkai report template`): zeros everywhere,
    /// canonical headings, and for 2021+ the default sub-headings of section 六 with the
    /// mandatory 信息处理费 statement (spec §1.4, §7.1).
    pub fn template(format: Format, year: i32) -> Report {
        let mut r = Report::new(format, year, Some(Decimal::ZERO));
        r.input_layout = Some(InputLayout::Manual);
        if format == Format::V2021 {
            r.sections.get_mut(SectionId::OtherMatters).text = format!(
                "{}\n本年度未收取信息处理费。",
                schema::OTHER_MATTERS_SUBHEADINGS[0]
            );
        }
        r
    }

    /// A cell named by its official labels, e.g. `申请情况表“4.保护第三方合法权益”行“其他（法人或其他组织）”列`.
    /// `None` when the pointer names no cell of this report's format.
    pub fn describe_cell(&self, pointer: &str) -> Option<String> {
        let mut it = pointer.strip_prefix("/tables/")?.split('/');
        let t = TableId::from_id(it.next()?)?;
        let def = self.tables.grid(t).def();
        let row = def.row(it.next()?)?;
        let col_id = it.next()?;
        let col = row.cols.iter().find(|c| c.id == col_id)?;
        Some(format!(
            "{}“{}”{}“{}”{}",
            t.name_zh(),
            schema::row_label_for_message(t, row),
            if t == TableId::ReviewLitigation {
                ""
            } else {
                "行"
            },
            schema::col_label_for_message(t, col),
            if t == TableId::ReviewLitigation {
                ""
            } else {
                "列"
            }
        ))
    }

    /// Whether any finding has error severity.
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == crate::findings::Severity::Error)
    }
}
