//! The validator: every rule of spec §4, each finding with its stable rule id.
//!
//! Evaluation follows spec §4.1: structure (F) → value domain (H5–H7) → arithmetic (H1–H4, only
//! on instances without a null cell) → cross-year (S1–S6) → narrative and publication (S7–S9,
//! N, P) → suspect-cell analysis. Parser findings already on the report (F4–F10, F12–F14) are
//! kept; everything else is recomputed, so checking a report twice gives the same result.

pub(crate) mod arithmetic;
mod cases;
mod cross_year;
pub(crate) mod text;
mod values;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use cases::{CaseRecord, tally};
pub use text::S7Pattern;

use crate::findings::{Finding, NotRun, NotRunReason, Rule, Severity, sort_findings};
use crate::model::{AgencyKind, Report};
use crate::schema::{ColDef, RowDef, TableId};

/// The checking profile (spec §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Default for parsed reports: copy artifacts in labels are silent.
    #[default]
    Published,
    /// Drafts before publication: any difference from the canonical text is reported.
    Strict,
}

/// A jurisdiction's internal publication date for one kind of agency (rule P2): the report for
/// year `y` is due on `(y+1)-month-day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDeadline {
    pub kind: AgencyKind,
    pub month: u32,
    pub day: u32,
}

/// Jurisdiction settings (spec §4.1, §9): the points the spec leaves to local rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Jurisdiction {
    /// P2: local dates earlier than the statutory one, or where there is none (townships).
    pub local_deadlines: Vec<LocalDeadline>,
    /// S9 raised to error (spec §4.3, §9 point 1).
    pub s9_error: bool,
    /// N3: maximum characters of 一、总体情况 (off when `None`).
    pub overview_limit: Option<usize>,
    /// N2: share of repeated 8-grams at or above which N2 fires (default 0.9).
    pub duplicate_threshold: Decimal,
    /// Extra S7 patterns, in the format of the shipped data file.
    pub extra_s7_patterns: Vec<S7Pattern>,
}

impl Default for Jurisdiction {
    fn default() -> Self {
        Jurisdiction {
            local_deadlines: Vec::new(),
            s9_error: false,
            overview_limit: None,
            duplicate_threshold: Decimal::new(9, 1),
            extra_s7_patterns: Vec::new(),
        }
    }
}

/// A text to compare the narrative with (rule N2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonText {
    /// How the other text is named in messages, e.g. `2023年度报告` or an agency name.
    pub name: String,
    pub text: String,
}

/// What the validator may use besides the report itself.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    pub profile: Profile,
    /// The same agency's report for `year − 1` (S1–S5).
    pub previous: Option<&'a Report>,
    /// The platform's case records (H8, S13).
    pub cases: Option<&'a [CaseRecord]>,
    /// Texts to compare the narrative with (N2).
    pub comparison_texts: &'a [ComparisonText],
    /// The constituent reports of a compiled report (S10).
    pub constituents: Option<&'a [Report]>,
    pub jurisdiction: Jurisdiction,
}

/// The result of validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub checks_not_run: Vec<NotRun>,
}

/// Validates `report` and stores the findings and `checks_not_run` on it.
pub fn check(report: &mut Report, opts: &Options<'_>) {
    let out = validate(report, opts);
    report.findings = out.findings;
    report.checks_not_run = out.checks_not_run;
}

/// Validates `report`; parser findings already on it are carried into the result.
pub fn validate(report: &Report, opts: &Options<'_>) -> Outcome {
    let mut ctx = Ctx {
        report,
        opts,
        findings: report
            .findings
            .iter()
            .filter(|f| f.rule.is_parser_rule())
            .cloned()
            .collect(),
        not_run: Vec::new(),
        compacted: Default::default(),
    };
    text::structure(&mut ctx);
    values::check(&mut ctx);
    arithmetic::check(&mut ctx);
    cross_year::check(&mut ctx);
    cases::check(&mut ctx);
    text::narrative(&mut ctx);
    publication(&mut ctx);
    let mut findings = ctx.findings;
    sort_findings(&mut findings);
    let mut not_run = ctx.not_run;
    not_run.sort_by_key(|n| n.rule);
    not_run.dedup_by_key(|n| n.rule);
    Outcome {
        findings,
        checks_not_run: not_run,
    }
}

/// Validation state shared by the rule modules.
pub(crate) struct Ctx<'r, 'o> {
    pub report: &'r Report,
    pub opts: &'o Options<'o>,
    pub findings: Vec<Finding>,
    pub not_run: Vec<NotRun>,
    /// Each section's text with whitespace removed and NFKC applied, computed once.
    compacted: [std::cell::OnceCell<String>; 6],
}

impl Ctx<'_, '_> {
    /// The compacted text of a section (see [`crate::normalize::compact`]).
    pub fn compact(&self, id: crate::schema::SectionId) -> String {
        self.compacted[id.index()]
            .get_or_init(|| crate::normalize::compact(&self.report.sections.get(id).text))
            .clone()
    }

    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    pub fn not_run(&mut self, rule: &str, reason: NotRunReason) {
        self.not_run.push(NotRun {
            rule: Rule::id(rule),
            reason,
        });
    }

    /// Whether a parser finding F6 or F8 already covers this cell (spec §4.2 H5 exclusion).
    pub fn already_unreadable(&self, pointer: &str) -> bool {
        self.findings
            .iter()
            .any(|f| matches!(f.rule.as_str(), "F6" | "F8") && f.cells.iter().any(|c| c == pointer))
    }

    pub fn raw(&self, pointer: &str) -> String {
        self.report
            .cell_raw
            .get(pointer)
            .cloned()
            .unwrap_or_default()
    }
}

/// Column label in Chinese messages (`其他（法人或其他组织）` for table 3).
pub(crate) fn col_zh(table: TableId, col: &ColDef) -> &'static str {
    crate::schema::col_label_for_message(table, col)
}

/// Column label in English glosses (`其他 (法人或其他组织)` for table 3, spec §3.7).
pub(crate) fn col_en(table: TableId, col: &ColDef) -> &'static str {
    if table == TableId::Applications && col.id == "other_org" {
        "其他 (法人或其他组织)"
    } else {
        col.label
    }
}

pub(crate) fn row_zh(table: TableId, row: &RowDef) -> &'static str {
    crate::schema::row_label_for_message(table, row)
}

/// Plain text of a number for messages.
pub(crate) fn num(d: Decimal) -> String {
    crate::decimal::plain(d)
}

/// The statutory deadline of spec §1.5, when there is one.
pub fn statutory_deadline(kind: AgencyKind, year: i32) -> Option<NaiveDate> {
    match kind {
        AgencyKind::Department => NaiveDate::from_ymd_opt(year + 1, 1, 31),
        AgencyKind::Government => NaiveDate::from_ymd_opt(year + 1, 3, 31),
        AgencyKind::Township | AgencyKind::Other => None,
    }
}

/// P1 and P2 (spec §4.6).
fn publication(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    if r.year < 2019 {
        return;
    }
    let statutory = r.agency.kind.and_then(|k| statutory_deadline(k, r.year));
    match (r.agency.kind, statutory) {
        (None, _) => ctx.not_run("P1", NotRunReason::AgencyKindUnknown),
        (Some(_), None) => {}
        (Some(_), Some(deadline)) => match (r.published_on, r.signed_on) {
            (Some(p), _) => {
                if p > deadline {
                    ctx.push(Finding::new(
                        "P1",
                        Severity::Error,
                        format!("年度报告于{p}发布，晚于《中华人民共和国政府信息公开条例》第四十九条规定的{deadline}。"),
                        format!("Published on {p}, after the statutory deadline of {deadline} (Art. 49)."),
                    ));
                }
            }
            (None, Some(s)) if s > deadline => ctx.push(Finding::new(
                "P1",
                Severity::Error,
                format!("年度报告落款日期为{s}，已晚于法定发布期限{deadline}。"),
                format!("The report is dated {s}, after the statutory deadline {deadline}."),
            )),
            (None, _) => ctx.not_run("P1", NotRunReason::PublicationDateUnknown),
        },
    }
    let Some(kind) = r.agency.kind else { return };
    let local = ctx
        .opts
        .jurisdiction
        .local_deadlines
        .iter()
        .filter(|d| d.kind == kind)
        .filter_map(|d| NaiveDate::from_ymd_opt(r.year + 1, d.month, d.day))
        .min();
    if let Some(local) = local {
        if statutory.is_some_and(|s| s <= local) {
            return;
        }
        match r.published_on {
            Some(p) if p > local => ctx.push(Finding::new(
                "P2",
                Severity::Warning,
                format!("年度报告于{p}发布，晚于本地规定的{local}。"),
                format!("Published on {p}, after the local deadline {local}."),
            )),
            Some(_) => {}
            None => ctx.not_run("P2", NotRunReason::PublicationDateUnknown),
        }
    }
}
