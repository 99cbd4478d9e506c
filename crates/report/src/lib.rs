//! # gongkai-report: the 政府信息公开工作年度报告 engine
//!
//! A pure library (no database, no HTTP, no async, no file system: only `&str`, `Read` and
//! `Write`) implementing `../shared/spec/annual-report.md`:
//!
//! * [`schema`] — the one static table of canonical ids and labels of both format versions;
//! * [`model`] and [`json`] — the typed report and its `gongkai.annual-report/1` JSON form;
//! * [`validate`] — every consistency rule (H, S, F, P, N) with stable ids and suspects;
//! * [`layout`] and [`render`] — the official grids and the HTML, Markdown, text, JSON, CSV,
//!   flattened-text, `.xlsx` and `.docx` renderers;
//! * [`compile`] — the 汇总 of several reports of one format and year.
//!
//! What must not live here: storage, HTTP, templates of the web UI, reading files by path.

pub mod compile;
pub mod decimal;
pub mod findings;
pub mod json;
pub mod json_schema;
pub mod layout;
pub mod model;
pub mod normalize;
pub mod parse;
pub mod render;
pub mod schema;
pub mod validate;

pub use findings::{Finding, NotRun, NotRunReason, Rule, Severity};
pub use model::{Agency, AgencyKind, Cell, Report};
pub use schema::{Format, SectionId, TableId};
