//! The annual report (政府信息公开工作年度报告) compiled from the platform's own data (issue 7):
//! table 3 from the applications, table 4 from the 复议/诉讼 register, table 2 item （一） from
//! the catalogue's 规章 and 行政规范性文件, the other table-2 cells from figures the office enters
//! with their source; a drafted narrative; validation by the report engine (including H8 against
//! the case records and the cross-year rules against last year's report); submission through
//! the review chain of the 年报 column; publication locks the year; a restatement is a new
//! version with a reason, and every published version is kept.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use gongkai_domain::application::{
    ApplicantType, Case, CountedCase, Disposition, Proceeding, rows_of, table3 as tally_table3,
    table4, table4_cells_of,
};
use gongkai_domain::review::Status;
use gongkai_domain::{Action, AgencyId, ColumnKind, beijing};
use gongkai_report::model::{Agency as ReportAgency, AgencyKind as ReportAgencyKind, MoneyUnit};
use gongkai_report::render::{RenderOptions, Target};
use gongkai_report::schema::{CellType, table_def};
use gongkai_report::validate::{CaseRecord, Options, Profile};
use gongkai_report::{Format, Report, SectionId, Severity, TableId};
use gongkai_store::{AgencyKind, AnnualReportRow, CountedApplication, Item, ReportFigure};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::items::ItemForm;
use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The format a report year requires (annual-report.md §1.2): the 2019 trial format for the
/// years 2019 and 2020, the 2021 format from 2021.
pub fn format_for_year(year: i32) -> Result<Format> {
    match year {
        ..2019 => Err(ServiceError::Refused(format!(
            "{year}年度的报告不适用现行格式（2019年修订的条例自2019年度报告起适用），本平台从2019年度起编制"
        ))),
        2019 | 2020 => Ok(Format::V2019),
        _ => Ok(Format::V2021),
    }
}

/// Marks the parts of the drafted narrative the office must write; submission refuses them.
const PLACEHOLDER: &str = "（请填写";

/// The narrative of a compiled report: sections 一, 五 and 六 (the others are the tables).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub overview: String,
    pub problems: String,
    pub other_matters: String,
}

/// Where a version stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    /// Submitted, then returned by a reviewer: editable again.
    Returned,
    InReview,
    Approved,
    Published,
    /// Published, then replaced by a published restatement (kept).
    Superseded,
    Withdrawn,
    Imported,
}

impl ReportStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::Draft => "草稿",
            ReportStatus::Returned => "已退回修改",
            ReportStatus::InReview => "审核中",
            ReportStatus::Approved => "已审核待发布",
            ReportStatus::Published => "已发布",
            ReportStatus::Superseded => "已被更正版本替代",
            ReportStatus::Withdrawn => "已撤回",
            ReportStatus::Imported => "已导入（已公开的报告）",
        }
    }

    fn editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
}

/// One version of a report, as listed.
#[derive(Clone, Debug, Serialize)]
pub struct ReportVersion {
    pub id: i64,
    pub year: i64,
    pub origin: String,
    pub version: i64,
    pub status: ReportStatus,
    pub status_label: &'static str,
    pub reason: String,
    pub source_name: String,
    pub item_id: Option<i64>,
    pub submitted_at: Option<i64>,
    pub published_at: Option<i64>,
    pub actor: String,
    pub created_at: i64,
}

/// A table-2 cell that comes from another system, with what was entered for it.
#[derive(Clone, Debug, Serialize)]
pub struct FigureField {
    /// JSON pointer of the cell.
    pub cell: String,
    /// `表二“行政许可”行“本年处理决定数量”列`.
    pub label: String,
    /// `count`, `signed_count` or `money`.
    pub kind: &'static str,
    pub value: String,
    pub unit: String,
    pub source: String,
    pub actor: String,
    pub updated_at: Option<i64>,
    /// 2019 `上一年项目数量`: last year's count plus last year's change, when both were entered.
    pub suggestion: Option<String>,
}

/// One changed cell between two versions (or between the published version and the data now).
#[derive(Clone, Debug, Serialize)]
pub struct CellChange {
    pub pointer: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

/// The report of a year as the platform's data give it now.
#[derive(Clone, Debug)]
pub struct CompiledReport {
    /// Validated: findings and `checks_not_run` are on it.
    pub report: Report,
    pub narrative: Narrative,
    pub figures: Vec<FigureField>,
    pub versions: Vec<ReportVersion>,
    /// The version being edited (a draft, a returned version or an open restatement).
    pub current: Option<ReportVersion>,
    /// The latest published version, if any (the year is then locked).
    pub published: Option<ReportVersion>,
    /// Cells where the data now differ from the latest published version.
    pub changes_since_published: Vec<CellChange>,
    /// What the cross-year rules compared with: `2023年度报告（已发布，第1版）`.
    pub baseline: Option<String>,
    pub fees_yuan: u64,
    pub fee_cases: usize,
    /// A reviewer's opinion when the open version was returned (退回修改).
    pub returned_opinion: Option<String>,
}

impl CompiledReport {
    pub fn hard_errors(&self) -> usize {
        self.report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    pub fn locked(&self) -> bool {
        self.published.is_some()
            && self.current.as_ref().is_none_or(|c| {
                c.status != ReportStatus::Draft && c.status != ReportStatus::Returned
            })
    }
}

/// The report of a year built from the data, with what went into it.
struct Built {
    report: Report,
    narrative: Narrative,
    figures: Vec<FigureField>,
    baseline: Option<String>,
    fees_yuan: u64,
    fee_cases: usize,
}

/// One line behind a cell (drill-down).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SourceLine {
    Application {
        id: i64,
        case_no: String,
        applicant_type: &'static str,
        receipt_date: String,
        closed_on: String,
        disposition: String,
    },
    Item {
        id: i64,
        title: String,
        doc_number: String,
        generated_on: String,
        validity: String,
    },
    Proceeding {
        id: i64,
        kind: &'static str,
        case_number: String,
        filed_on: String,
        result: &'static str,
    },
    Figure {
        value: String,
        source: String,
        actor: String,
        updated_at: i64,
    },
}

/// What lies behind one cell of the compiled report.
#[derive(Clone, Debug, Serialize)]
pub struct CellSources {
    pub pointer: String,
    pub label: String,
    pub value: String,
    /// How the cell is counted, in words.
    pub rule: String,
    pub lines: Vec<SourceLine>,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn year_of_ms(ms: i64) -> Option<i32> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&beijing()).year())
}

fn date_of_ms(ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&beijing()).date_naive())
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Appends one CSV line per cell of `r` (the report engine's CSV without its header), each
/// after `lead`.
fn cells_csv(out: &mut String, lead: &str, r: &Report) -> Result<()> {
    let csv = gongkai_report::render::render(r, Target::Csv, RenderOptions::default())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    for line in String::from_utf8_lossy(&csv).lines().skip(1) {
        let _ = writeln!(out, "{lead},{line}");
    }
    Ok(())
}

/// The Chinese part of the report engine's bilingual messages (“…。(English.)”).
fn zh_only(s: &str) -> String {
    match s.rfind('(') {
        Some(i) if s[i..].is_ascii() && i > 0 => s[..i].trim_end().to_owned(),
        _ => s.to_owned(),
    }
}

fn report_kind(k: AgencyKind) -> ReportAgencyKind {
    match k {
        AgencyKind::Government => ReportAgencyKind::Government,
        AgencyKind::Department => ReportAgencyKind::Department,
        AgencyKind::Other => ReportAgencyKind::Other,
    }
}

/// The cells of table 2 computed from the catalogue (item （一）); every other table-2 cell is
/// entered as a figure.
fn computed_row(row: &str) -> bool {
    matches!(row, "regulations" | "normative_documents")
}

fn doc_class_of_row(row: &str) -> &'static str {
    if row == "regulations" {
        "regulation"
    } else {
        "normative"
    }
}

/// Whether a 规章/规范性文件 counts in a table-2 （一） cell of `year` (publishing.md §7.2).
/// Only documents in the catalogue (published at least once) count.
fn item_counts(i: &Item, col: &str, year: i32, expired_as_repealed: bool) -> bool {
    if i.index_no.is_none() {
        return false;
    }
    let c = &i.content;
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let generated = parse_date(&c.generated_on);
    let repealed = c.repealed_on.as_deref().and_then(parse_date);
    let expired = c.expired_on.as_deref().and_then(parse_date);
    let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d.year() == year);
    let by_end = |d: Option<NaiveDate>| d.is_some_and(|d| d <= end);
    let first_published = crate::stats::first_published(i);
    match col {
        // 2021
        "issued" | "made" => in_year(generated),
        "repealed" => in_year(repealed) || (expired_as_repealed && in_year(expired)),
        "in_force" => by_end(generated) && !by_end(repealed) && !by_end(expired),
        // 2019
        "published" => first_published.and_then(year_of_ms) == Some(year),
        "total_published" => {
            first_published
                .and_then(year_of_ms)
                .is_some_and(|y| y <= year)
                && i.withdrawn_at.and_then(year_of_ms).is_none_or(|y| y > year)
        }
        _ => false,
    }
}

fn rule_for_item_col(col: &str) -> &'static str {
    match col {
        "issued" => "成文日期在本年度内、已在目录中发布的文件",
        "repealed" => "废止日期在本年度内的文件（失效文件是否计入按本机关设置）",
        "in_force" => "本年12月31日前成文、当日尚未废止或失效的文件",
        "made" => "成文日期在本年度内的文件",
        "published" => "本年度首次发布的文件",
        "total_published" => "截至本年12月31日已发布且未撤回的文件",
        _ => "",
    }
}

fn applicant_col_id(t: ApplicantType) -> &'static str {
    t.report_column()
}

fn applicant_label(col: &str) -> &'static str {
    gongkai_report::schema::APPLICANT_COLS
        .iter()
        .find(|c| c.id == col)
        .map_or("", |c| c.label)
}

fn counted(a: &CountedApplication) -> CountedCase {
    CountedCase {
        applicant_type: ApplicantType::parse(&a.applicant_type)
            .unwrap_or(ApplicantType::NaturalPerson),
        receipt_date: a.receipt_date.as_deref().and_then(parse_date),
        closed_on: a.closed_on.as_deref().and_then(parse_date),
        disposition: a.disposition.as_deref().and_then(Disposition::parse),
    }
}

/// Parses an entered figure by the cell's type.
fn parse_figure(kind: CellType, raw: &str) -> std::result::Result<Option<Decimal>, String> {
    let t: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            '＋' => '+',
            _ => c,
        })
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    let body = t.trim_start_matches(['+', '-']);
    if body.split_once('.').is_some_and(|(_, f)| f.len() > 6) {
        return Err("小数最多 6 位（金额以万元计时精确到 0.01 元）".into());
    }
    if body.split('.').next().is_some_and(|i| i.len() > 12) {
        return Err("数值过大，请核对（不超过 12 位整数）".into());
    }
    let v: Decimal = t
        .trim_start_matches('+')
        .parse()
        .map_err(|_| format!("“{raw}”不是数字"))?;
    match kind {
        CellType::Count if v.is_sign_negative() || !v.fract().is_zero() => {
            Err("应为 0 或正整数".into())
        }
        CellType::SignedCount if !v.fract().is_zero() => {
            Err("应为整数（减少填负数，如 -2）".into())
        }
        CellType::Money if v.is_sign_negative() => Err("金额不能为负数".into()),
        _ => Ok(Some(v.normalize())),
    }
}

fn kind_name(kind: CellType) -> &'static str {
    match kind {
        CellType::Count => "count",
        CellType::SignedCount => "signed_count",
        CellType::Money => "money",
    }
}

/// The cells that differ between two reports of one format (tables only).
pub fn table_changes(before: &Report, after: &Report) -> Vec<CellChange> {
    let mut out = Vec::new();
    if before.format != after.format {
        return out;
    }
    for t in TableId::ALL {
        let a = before.tables.grid(t);
        let b = after.tables.grid(t);
        for (r, c, v) in a.iter() {
            let w = b.at(r, c);
            if v != w {
                let pointer = a.pointer(r, c);
                let show = |x: Option<Decimal>| {
                    x.map_or_else(|| "（空）".to_owned(), |d| d.normalize().to_string())
                };
                out.push(CellChange {
                    label: after
                        .describe_cell(&pointer)
                        .unwrap_or_else(|| pointer.clone()),
                    pointer,
                    before: show(v),
                    after: show(w),
                });
            }
        }
    }
    out
}

/// The JSON of a stored version, as a report (published versions carry their publication date).
fn stored_report(row: &AnnualReportRow) -> Option<Report> {
    let mut r = gongkai_report::json::from_str(row.report_json.as_deref()?).ok()?;
    if r.published_on.is_none() {
        r.published_on = row.published_at.and_then(date_of_ms);
    }
    Some(r)
}

impl Service {
    fn version_view(row: &AnnualReportRow, item: Option<&Item>, superseded: bool) -> ReportVersion {
        let status = if row.origin == "imported" {
            ReportStatus::Imported
        } else if row.published_at.is_some() {
            // A withdrawn report item takes every published version off the portal.
            if item.is_some_and(|i| i.withdrawn_at.is_some()) {
                ReportStatus::Withdrawn
            } else if superseded {
                ReportStatus::Superseded
            } else {
                ReportStatus::Published
            }
        } else if row.submitted_at.is_none() {
            ReportStatus::Draft
        } else {
            match item.map(|i| i.review.status) {
                Some(Status::Draft) | None => ReportStatus::Returned,
                Some(Status::Approved) => ReportStatus::Approved,
                Some(Status::Withdrawn) => ReportStatus::Withdrawn,
                _ => ReportStatus::InReview,
            }
        };
        ReportVersion {
            id: row.id,
            year: row.year,
            origin: row.origin.clone(),
            version: row.version,
            status,
            status_label: status.label(),
            reason: row.reason.clone(),
            source_name: row.source_name.clone(),
            item_id: row.item_id,
            submitted_at: row.submitted_at,
            published_at: row.published_at,
            actor: row.actor.clone(),
            created_at: row.created_at,
        }
    }

    /// Every version of an agency's reports with its status, newest year first.
    async fn versions(&self, agency: AgencyId) -> Result<Vec<(AnnualReportRow, ReportVersion)>> {
        let rows = self.store.annual_reports(agency).await?;
        let mut out = Vec::new();
        for row in &rows {
            let item = match row.item_id {
                Some(id) => self.store.item(id).await?,
                None => None,
            };
            let superseded = row.origin == "compiled"
                && rows.iter().any(|o| {
                    o.year == row.year
                        && o.origin == "compiled"
                        && o.version > row.version
                        && o.published_at.is_some()
                });
            out.push((
                row.clone(),
                Self::version_view(row, item.as_ref(), superseded),
            ));
        }
        Ok(out)
    }

    /// The versions of an agency's reports (back office list).
    pub async fn annual_reports(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<Vec<ReportVersion>> {
        self.authorize(actor, Action::ViewAnnualReports, agency)
            .await?;
        Ok(self
            .versions(agency)
            .await?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    async fn expired_counts_as_repealed(&self) -> Result<bool> {
        Ok(self
            .store
            .setting("annual_report.expired_counts_as_repealed")
            .await?
            .is_some_and(|v| v == "true"))
    }

    /// The report `agency` filed for `year − 1`, for the cross-year rules: the latest published
    /// version compiled here, or else the latest imported one.
    fn baseline(rows: &[(AnnualReportRow, ReportVersion)], year: i32) -> Option<(Report, String)> {
        let prev = i64::from(year) - 1;
        let pick = rows
            .iter()
            .find(|(r, v)| r.year == prev && v.status == ReportStatus::Published)
            .or_else(|| {
                rows.iter()
                    .find(|(r, v)| r.year == prev && v.status == ReportStatus::Imported)
            });
        pick.and_then(|(r, v)| {
            stored_report(r).map(|rep| {
                let how = if v.status == ReportStatus::Imported {
                    format!("已导入，来源：{}", r.source_name)
                } else {
                    format!("已发布，第{}版", r.version)
                };
                (rep, format!("{prev}年度报告（{how}）"))
            })
        })
    }

    /// The table-2 cells entered as figures for the year, with what was entered.
    async fn figure_fields(
        &self,
        agency: AgencyId,
        year: i32,
        format: Format,
    ) -> Result<Vec<FigureField>> {
        let entered: BTreeMap<String, ReportFigure> = self
            .store
            .report_figures(agency, year)
            .await?
            .into_iter()
            .map(|f| (f.cell.clone(), f))
            .collect();
        let last: BTreeMap<String, ReportFigure> = self
            .store
            .report_figures(agency, year - 1)
            .await?
            .into_iter()
            .map(|f| (f.cell.clone(), f))
            .collect();
        let probe = Report::new(format, year, None);
        let def = table_def(format, TableId::ActiveDisclosure);
        let mut out = Vec::new();
        for row in def.rows.iter().filter(|r| !computed_row(r.id)) {
            for col in row.cols {
                let cell = format!("/tables/active_disclosure/{}/{}", row.id, col.id);
                let e = entered.get(&cell);
                let suggestion = (col.id == "previous_items")
                    .then(|| {
                        let num = |c: &str| {
                            last.get(&format!("/tables/active_disclosure/{}/{c}", row.id))
                                .and_then(|f| f.value.as_deref())
                                .and_then(|v| v.parse::<Decimal>().ok())
                        };
                        Some(
                            (num("previous_items")? + num("change")?)
                                .normalize()
                                .to_string(),
                        )
                    })
                    .flatten();
                out.push(FigureField {
                    label: probe.describe_cell(&cell).unwrap_or_else(|| cell.clone()),
                    kind: kind_name(col.ty),
                    value: e.and_then(|f| f.value.clone()).unwrap_or_default(),
                    unit: e.and_then(|f| f.unit.clone()).unwrap_or_default(),
                    source: e.map(|f| f.source.clone()).unwrap_or_default(),
                    actor: e.map(|f| f.actor.clone()).unwrap_or_default(),
                    updated_at: e.map(|f| f.updated_at),
                    suggestion,
                    cell,
                });
            }
        }
        Ok(out)
    }

    /// Builds the report of `year` from the data as they are now (no permission check).
    /// `versions` are the agency's (from [`Self::versions`]), for last year's report.
    async fn build(
        &self,
        agency: AgencyId,
        year: i32,
        narrative: Option<&Narrative>,
        versions: &[(AnnualReportRow, ReportVersion)],
    ) -> Result<Built> {
        let format = format_for_year(year)?;
        let a = self.agency_or_404(agency).await?;
        let mut r = Report::new(format, year, Some(Decimal::ZERO));
        r.input_layout = Some(gongkai_report::model::InputLayout::Generated);
        r.agency = ReportAgency {
            name: Some(a.name.clone()),
            kind: Some(report_kind(a.kind)),
        };
        r.title = Some(format!("{}{year}年政府信息公开工作年度报告", a.name));
        r.sections.preamble = Some(format!(
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条的规定编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        ));

        // Table 3 from the applications, and the case records H8 checks it against.
        let apps = self.store.counted_applications(agency, year).await?;
        let cases: Vec<CountedCase> = apps.iter().map(counted).collect();
        let t3 = tally_table3(&cases, year, format == Format::V2019);
        let grid = r.tables.grid_mut(TableId::Applications);
        for row in &t3.rows {
            for (i, col) in gongkai_report::schema::APPLICANT_COLS.iter().enumerate() {
                grid.set(row.id, col.id, Some(Decimal::from(row.cells[i])));
            }
        }
        let mut fees_yuan = 0u64;
        let mut fee_cases = 0usize;
        let mut records = Vec::new();
        for (a, c) in apps.iter().zip(&cases) {
            let case: Option<Case> = a
                .case_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            if let Some(f) = case.as_ref().and_then(|c| c.fee.as_ref())
                && f.paid_on.is_some_and(|d| d.year() == year)
            {
                fees_yuan += f.amount_yuan;
                fee_cases += 1;
            }
            let Some(received_on) = c.receipt_date else {
                continue;
            };
            records.push(CaseRecord {
                id: a.case_no.clone(),
                applicant: applicant_col_id(c.applicant_type).to_owned(),
                received_on,
                closed_on: c.closed_on,
                dispositions: c
                    .disposition
                    .map(|d| vec![d.id().to_owned()])
                    .unwrap_or_default(),
                third_party_consulted: case.as_ref().is_some_and(|c| {
                    c.consultations.iter().any(|k| {
                        k.kind == gongkai_domain::application::ConsultationKind::ThirdParty
                    })
                }),
                explanation_requested: case.as_ref().is_some_and(|c| c.explanation.is_some()),
            });
        }

        // Table 4 from the register.
        let proceedings: Vec<Proceeding> = self
            .store
            .proceedings(agency)
            .await?
            .iter()
            .filter_map(|p| serde_json::from_str(&p.json).ok())
            .collect();
        let t4 = table4(&proceedings, year);
        let grid = r.tables.grid_mut(TableId::ReviewLitigation);
        for (i, v) in t4.cells.iter().enumerate() {
            grid.set_at(i / 5, i % 5, Some(Decimal::from(*v)));
        }

        // Table 2: item （一） from the catalogue, the rest from the entered figures.
        let expired_as_repealed = self.expired_counts_as_repealed().await?;
        let classed = self.store.classed_items(agency).await?;
        let def = table_def(format, TableId::ActiveDisclosure);
        let grid = r.tables.grid_mut(TableId::ActiveDisclosure);
        for row in def.rows.iter().filter(|r| computed_row(r.id)) {
            for col in row.cols {
                let n = classed
                    .iter()
                    .filter(|i| i.content.doc_class.as_deref() == Some(doc_class_of_row(row.id)))
                    .filter(|i| item_counts(i, col.id, year, expired_as_repealed))
                    .count();
                grid.set(row.id, col.id, Some(Decimal::from(n)));
            }
        }
        let figures = self.figure_fields(agency, year, format).await?;
        for f in &figures {
            let v = f.value.parse::<Decimal>().ok();
            r.tables.set_by_pointer(&f.cell, v);
            if f.cell == "/tables/active_disclosure/procurement/amount" {
                r.tables.procurement_amount_unit = MoneyUnit::parse(&f.unit);
            }
        }

        // The narrative: the one saved, or a first draft from the year's figures.
        let narrative = match narrative {
            Some(n) => n.clone(),
            None => {
                let fig = self.year_figures(&Actor::System, agency, year).await?;
                let reviews = self.store.review_counts(agency, year).await?;
                draft_text(&a.name, &r, &fig, reviews, fees_yuan, fee_cases)
            }
        };
        r.sections
            .get_mut(SectionId::Overview)
            .text
            .clone_from(&narrative.overview);
        r.sections
            .get_mut(SectionId::Problems)
            .text
            .clone_from(&narrative.problems);
        r.sections
            .get_mut(SectionId::OtherMatters)
            .text
            .clone_from(&narrative.other_matters);

        // Validate: strict labels (we print them), H8 against the case records, cross-year.
        let baseline = Self::baseline(versions, year);
        let opts = Options {
            profile: Profile::Strict,
            previous: baseline.as_ref().map(|b| &b.0),
            cases: Some(&records),
            ..Options::default()
        };
        gongkai_report::validate::check(&mut r, &opts);
        Ok(Built {
            report: r,
            narrative,
            figures,
            baseline: baseline.map(|b| b.1),
            fees_yuan,
            fee_cases,
        })
    }

    /// A first draft of the narrative from the year's figures (the office edits it).
    async fn draft_narrative(&self, agency: AgencyId, year: i32) -> Result<Narrative> {
        let versions = self.versions(agency).await?;
        Ok(self.build(agency, year, None, &versions).await?.narrative)
    }
}

/// The drafted narrative: the year's figures in the five areas of the 2021 guidance, the fee
/// statement in section 六.
fn draft_text(
    name: &str,
    r: &Report,
    fig: &crate::stats::YearFigures,
    reviews: (i64, i64, i64),
    fees_yuan: u64,
    fee_cases: usize,
) -> Narrative {
    let cell = |p: &str| {
        r.tables
            .by_pointer(p)
            .flatten()
            .map_or_else(|| "0".to_owned(), |d| d.normalize().to_string())
    };
    let year = r.year;
    let columns = fig
        .per_column
        .iter()
        .map(|(column, n)| format!("“{column}”栏目{n}条"))
        .collect::<Vec<_>>()
        .join("、");
    let mut overview = format!(
        "{year}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，扎实做好政府信息公开各项工作。\n\n",
    );
    let _ = write!(
        overview,
        "（一）主动公开。全年通过门户网站主动公开政府信息{}条{}，发布政策解读{}条，变更已公开信息{}条，撤回{}条。",
        fig.published,
        if columns.is_empty() {
            String::new()
        } else {
            format!("，其中{columns}")
        },
        fig.interpretations,
        fig.changes,
        fig.withdrawals
    );
    if r.format == Format::V2021 {
        let _ = write!(
            overview,
            "本年制发行政规范性文件{}件，废止行政规范性文件{}件，现行有效行政规范性文件{}件。",
            cell("/tables/active_disclosure/normative_documents/issued"),
            cell("/tables/active_disclosure/normative_documents/repealed"),
            cell("/tables/active_disclosure/normative_documents/in_force"),
        );
    }
    overview.push_str("\n\n");
    let _ = write!(
        overview,
        "（二）依申请公开。全年新收政府信息公开申请{}件，上年结转{}件；办结{}件，结转下年度继续办理{}件。\n\n",
        cell("/tables/applications/received/total"),
        cell("/tables/applications/carried_in/total"),
        cell("/tables/applications/total/total"),
        cell("/tables/applications/carried_over/total"),
    );
    let _ = write!(
        overview,
        "（三）政府信息管理。坚持“先审查、后公开”，全年信息送审{}次，各级审核签署同意{}次，退回修改{}次，未发生泄密和侵犯个人隐私事件。\n\n",
        reviews.0, reviews.1, reviews.2
    );
    let _ = write!(
        overview,
        "（四）政府信息公开平台建设。门户网站设政府信息公开专栏，按《条例》第二十条设置法定主动公开内容栏目，全年在{}个栏目发布信息。\n\n",
        fig.per_column.len()
    );
    let reconsideration = cell("/tables/review_litigation/reconsideration/total");
    let litigation = r
        .tables
        .by_pointer("/tables/review_litigation/litigation_direct/total")
        .flatten()
        .unwrap_or_default()
        + r.tables
            .by_pointer("/tables/review_litigation/litigation_after_reconsideration/total")
            .flatten()
            .unwrap_or_default();
    let _ = write!(
        overview,
        "（五）监督保障。因政府信息公开被申请行政复议{reconsideration}件，被提起行政诉讼{}件。",
        litigation.normalize()
    );
    let problems = format!(
        "一是……{PLACEHOLDER}存在的主要问题）。\n\n二是……\n\n下一步，……{PLACEHOLDER}改进措施）。"
    );
    let fee_line = if fees_yuan == 0 {
        "本年度未收取信息处理费。".to_owned()
    } else {
        format!(
            "依据《政府信息公开信息处理费管理办法》，本年度对{fee_cases}件申请收取信息处理费共计{fees_yuan}元。"
        )
    };
    let other_matters = if r.format == Format::V2021 {
        let h = gongkai_report::schema::OTHER_MATTERS_SUBHEADINGS;
        format!(
            "{}\n{fee_line}\n\n{}\n无。\n\n{}\n无。\n\n{}\n无。",
            h[0], h[1], h[2], h[3]
        )
    } else if fees_yuan == 0 {
        "无。".to_owned()
    } else {
        fee_line
    };
    Narrative {
        overview,
        problems,
        other_matters,
    }
}

impl Service {
    /// The report of `year` as the data give it now, with its versions, entered figures,
    /// findings and the difference from the published version.
    pub async fn compile_annual_report(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
    ) -> Result<CompiledReport> {
        self.authorize(actor, Action::ViewAnnualReports, agency)
            .await?;
        format_for_year(year)?;
        let all = self.versions(agency).await?;
        let of_year: Vec<&(AnnualReportRow, ReportVersion)> = all
            .iter()
            .filter(|(r, _)| r.year == i64::from(year) && r.origin == "compiled")
            .collect();
        let latest = of_year.first();
        let published = of_year.iter().find(|(_, v)| {
            v.status == ReportStatus::Published
                || v.status == ReportStatus::Withdrawn && v.published_at.is_some()
        });
        let saved: Option<Narrative> =
            latest.map(|(row, _)| serde_json::from_str(&row.sections_json).unwrap_or_default());
        let Built {
            report,
            narrative,
            figures,
            baseline,
            fees_yuan,
            fee_cases,
        } = self.build(agency, year, saved.as_ref(), &all).await?;
        let changes_since_published = published
            .and_then(|(row, _)| stored_report(row))
            .map(|p| table_changes(&p, &report))
            .unwrap_or_default();
        let returned_opinion = match latest {
            Some((row, v)) if v.status == ReportStatus::Returned => match row.item_id {
                Some(item) => self
                    .store
                    .item_events(item)
                    .await?
                    .into_iter()
                    .rev()
                    .find(|e| e.kind == "reject")
                    .map(|e| format!("{}：{}", e.actor, e.opinion)),
                None => None,
            },
            _ => None,
        };
        Ok(CompiledReport {
            report,
            narrative,
            figures,
            current: latest
                .filter(|(_, v)| {
                    !matches!(
                        v.status,
                        ReportStatus::Published
                            | ReportStatus::Superseded
                            | ReportStatus::Withdrawn
                    )
                })
                .map(|(_, v)| v.clone()),
            published: published.map(|(_, v)| v.clone()),
            versions: of_year.iter().map(|(_, v)| v.clone()).collect(),
            changes_since_published,
            baseline,
            fees_yuan,
            fee_cases,
            returned_opinion,
        })
    }

    /// The version to write to: the open draft or returned version; a first draft is created
    /// when the year has none. A published year needs a restatement first.
    async fn editable_version(
        &self,
        agency: AgencyId,
        year: i32,
    ) -> Result<Option<AnnualReportRow>> {
        let all = self.versions(agency).await?;
        let latest = all
            .into_iter()
            .find(|(r, _)| r.year == i64::from(year) && r.origin == "compiled");
        match latest {
            Some((row, v)) if v.status.editable() => Ok(Some(row)),
            Some((_, v)) if matches!(v.status, ReportStatus::InReview | ReportStatus::Approved) => {
                Err(ServiceError::Refused(format!(
                    "{year}年度报告正在审核中（{}），审核人退回后才能修改",
                    v.status_label
                )))
            }
            Some(_) => Err(ServiceError::Refused(format!(
                "{year}年度报告已发布，该年度已锁定。如需修改，请先“发布更正版本”并写明更正原因"
            ))),
            None => Ok(None),
        }
    }

    /// The open version's id, or a first draft created in `tx` with `sections_json`.
    async fn version_in(
        &self,
        tx: &mut gongkai_store::Tx,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        row: Option<&AnnualReportRow>,
        sections_json: &str,
    ) -> Result<(i64, i64)> {
        Ok(match row {
            Some(r) => (r.id, r.version),
            None => {
                tx.insert_annual_report(
                    agency,
                    year,
                    "compiled",
                    sections_json,
                    None,
                    "",
                    "",
                    None,
                    &actor.label(),
                    self.now_ms(),
                )
                .await?
            }
        })
    }

    async fn draft_json(&self, agency: AgencyId, year: i32) -> Result<String> {
        let narrative = self.draft_narrative(agency, year).await?;
        serde_json::to_string(&narrative).map_err(|e| ServiceError::Internal(e.to_string()))
    }

    /// Saves the narrative of the year's open version.
    pub async fn save_annual_report_narrative(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        narrative: &Narrative,
    ) -> Result<()> {
        self.authorize(actor, Action::PrepareAnnualReports, agency)
            .await?;
        format_for_year(year)?;
        let clean = |s: &str| gongkai_domain::application::clean(s).trim().to_owned();
        let n = Narrative {
            overview: clean(&narrative.overview),
            problems: clean(&narrative.problems),
            other_matters: clean(&narrative.other_matters),
        };
        let mut errs = Vec::new();
        for (field, label, text) in [
            ("overview", SectionId::Overview.heading(), &n.overview),
            ("problems", SectionId::Problems.heading(), &n.problems),
            (
                "other_matters",
                SectionId::OtherMatters.heading(),
                &n.other_matters,
            ),
        ] {
            if text.is_empty() {
                errs.push(FieldError {
                    field,
                    message: format!("“{label}”不能为空；没有内容的写“无”"),
                });
            } else if text.chars().count() > 20_000 {
                errs.push(FieldError {
                    field,
                    message: format!("“{label}”超过 20000 字"),
                });
            }
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let row = self.editable_version(agency, year).await?;
        let json = serde_json::to_string(&n).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let (id, version) = self
            .version_in(&mut tx, actor, agency, year, row.as_ref(), &json)
            .await?;
        tx.set_annual_report_sections(id, &json, self.now_ms())
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "annual_report.narrative",
            ("annual_report", id.to_string()),
            json!({ "year": year, "version": version }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves the figures that come from other systems. `entries` are `(cell pointer, value,
    /// unit, source)`; a value needs its source. Empty values clear the cell.
    pub async fn save_report_figures(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        entries: &[(String, String, String, String)],
    ) -> Result<usize> {
        self.authorize(actor, Action::PrepareAnnualReports, agency)
            .await?;
        let format = format_for_year(year)?;
        let def = table_def(format, TableId::ActiveDisclosure);
        let mut errs = Vec::new();
        let mut parsed = Vec::new();
        let probe = Report::new(format, year, None);
        for (cell, value, unit, source) in entries {
            let mut it = cell
                .strip_prefix("/tables/active_disclosure/")
                .unwrap_or("")
                .split('/');
            let (Some(row), Some(col)) = (it.next(), it.next()) else {
                return Err(ServiceError::Refused(format!("没有这个单元格：{cell}")));
            };
            let Some(ty) = def
                .row(row)
                .filter(|r| !computed_row(r.id))
                .and_then(|r| r.cols.iter().find(|c| c.id == col))
                .map(|c| c.ty)
            else {
                return Err(ServiceError::Refused(format!(
                    "{cell} 不是需要录入的单元格（规章、规范性文件件数由目录自动统计）"
                )));
            };
            let label = probe.describe_cell(cell).unwrap_or_else(|| cell.clone());
            let v = match parse_figure(ty, value) {
                Ok(v) => v,
                Err(m) => {
                    errs.push(FieldError {
                        field: "figures",
                        message: format!("{label}：{m}"),
                    });
                    continue;
                }
            };
            let source = gongkai_domain::application::clean(source).trim().to_owned();
            if v.is_some() && source.is_empty() {
                errs.push(FieldError {
                    field: "figures",
                    message: format!("{label}：请注明数据来源（如“省政务服务平台统计”）"),
                });
                continue;
            }
            // The 2019 procurement amount has no unit in the official table: the unit is the
            // one printed, or none (spec §2.3.2).
            let unit = match unit.trim() {
                "" => None,
                u if row == "procurement" && col == "amount" => match MoneyUnit::parse(u) {
                    Some(u) => Some(u.as_str().to_owned()),
                    None => {
                        errs.push(FieldError {
                            field: "figures",
                            message: format!("{label}：单位应为元或万元，或不填"),
                        });
                        continue;
                    }
                },
                _ => None,
            };
            parsed.push((cell.clone(), v.map(|d| d.to_string()), unit, source));
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let row = self.editable_version(agency, year).await?;
        let draft = match &row {
            Some(_) => String::new(),
            None => self.draft_json(agency, year).await?,
        };
        let old: BTreeMap<String, ReportFigure> = self
            .store
            .report_figures(agency, year)
            .await?
            .into_iter()
            .map(|f| (f.cell.clone(), f))
            .collect();
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (id, _) = self
            .version_in(&mut tx, actor, agency, year, row.as_ref(), &draft)
            .await?;
        let mut changed = 0;
        for (cell, value, unit, source) in &parsed {
            let before = old.get(cell);
            if before.is_none_or(|b| b.value != *value || b.unit != *unit || b.source != *source)
                && (value.is_some() || before.is_some())
            {
                tx.upsert_report_figure(
                    agency,
                    year,
                    cell,
                    value.as_deref(),
                    unit.as_deref(),
                    source,
                    &actor.label(),
                    now,
                )
                .await?;
                self.audit(
                    &mut tx,
                    actor,
                    Some(agency),
                    "annual_report.figure",
                    ("annual_report", id.to_string()),
                    json!({
                        "year": year, "cell": cell,
                        "before": before.and_then(|b| b.value.clone()), "after": value,
                        "unit": unit, "source": source,
                    }),
                )
                .await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Opens a restatement (更正) of a published year: a new version with a reason; the
    /// published one stays as it was.
    pub async fn start_restatement(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        reason: &str,
    ) -> Result<i64> {
        self.authorize(actor, Action::PrepareAnnualReports, agency)
            .await?;
        let reason = gongkai_domain::application::clean(reason).trim().to_owned();
        if reason.chars().count() < 4 {
            return Err(ServiceError::field(
                "reason",
                "请写明更正原因，至少 4 个字（例如：某申请的办理结果登记有误，已更正）",
            ));
        }
        let all = self.versions(agency).await?;
        let Some((latest, v)) = all
            .into_iter()
            .find(|(r, _)| r.year == i64::from(year) && r.origin == "compiled")
        else {
            return Err(ServiceError::Refused(format!(
                "{year}年度报告尚未发布，直接修改即可"
            )));
        };
        if !matches!(v.status, ReportStatus::Published | ReportStatus::Withdrawn) {
            return Err(ServiceError::Refused(format!(
                "只有已发布（或已撤回）的报告才能更正；{year}年度报告当前状态：{}",
                v.status_label
            )));
        }
        let mut tx = self.store.begin().await?;
        let (id, version) = tx
            .insert_annual_report(
                agency,
                year,
                "compiled",
                &latest.sections_json,
                None,
                "",
                &reason,
                latest.item_id,
                &actor.label(),
                self.now_ms(),
            )
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "annual_report.restate",
            ("annual_report", id.to_string()),
            json!({ "year": year, "version": version, "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Freezes the year's open version and sends it through the review chain as an item of the
    /// 政府信息公开年报 column. Refused while a hard (H) error remains.
    pub async fn submit_annual_report(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
    ) -> Result<i64> {
        self.authorize(actor, Action::PrepareAnnualReports, agency)
            .await?;
        self.authorize(actor, Action::DraftItems, agency).await?;
        let today = self.clock.today();
        if today.year() <= year {
            return Err(ServiceError::Refused(format!(
                "{year}年度尚未结束，年度报告在次年1月1日以后定稿送审（统计期限至{year}年12月31日）"
            )));
        }
        let row = match self.editable_version(agency, year).await? {
            Some(r) => r,
            None => {
                let json = self.draft_json(agency, year).await?;
                let mut tx = self.store.begin().await?;
                let (id, _) = self
                    .version_in(&mut tx, actor, agency, year, None, &json)
                    .await?;
                self.audit(
                    &mut tx,
                    actor,
                    Some(agency),
                    "annual_report.draft",
                    ("annual_report", id.to_string()),
                    json!({ "year": year, "version": 1 }),
                )
                .await?;
                tx.commit().await?;
                self.store
                    .annual_report(id)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound("该年度报告".into()))?
            }
        };
        let narrative: Narrative = serde_json::from_str(&row.sections_json).unwrap_or_default();
        let versions = self.versions(agency).await?;
        let mut report = self
            .build(agency, year, Some(&narrative), &versions)
            .await?
            .report;
        let errors: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.message_zh.trim_end_matches('。').to_owned())
            .collect();
        if !errors.is_empty() {
            return Err(ServiceError::Refused(format!(
                "报告有{}处错误，改正后才能送审：{}{}。",
                errors.len(),
                errors
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("；"),
                if errors.len() > 3 {
                    "；其余见报告下方的“检查结果”"
                } else {
                    ""
                }
            )));
        }
        if let Some(section) = [
            (SectionId::Overview.heading(), &narrative.overview),
            (SectionId::Problems.heading(), &narrative.problems),
            (SectionId::OtherMatters.heading(), &narrative.other_matters),
        ]
        .iter()
        .find(|(_, t)| t.contains(PLACEHOLDER))
        .map(|(h, _)| *h)
        {
            return Err(ServiceError::Refused(format!(
                "“{section}”中还有待填写的模板文字（{PLACEHOLDER}……），请写完后再送审"
            )));
        }
        report.signed_on = Some(today);
        if !row.reason.is_empty() {
            // Every rendition of a restated version (page, Word, PDF …) says so first.
            let note = format!(
                "更正说明：本报告于{}更正（第{}版）。更正原因：{}",
                today.format("%Y年%-m月%-d日"),
                row.version,
                row.reason
            );
            report.sections.preamble = Some(match report.sections.preamble.take() {
                Some(p) => format!("{note}\n{p}"),
                None => note,
            });
        }
        let frozen = gongkai_report::json::to_string_pretty(&report);
        let opts = RenderOptions {
            show_findings: false,
            ..RenderOptions::default()
        };
        let body = gongkai_report::render::html_fragment(&report, opts, None);
        let column = self
            .store
            .columns(agency)
            .await?
            .into_iter()
            .find(|c| c.kind == ColumnKind::AnnualReport)
            .ok_or_else(|| {
                ServiceError::Refused(
                    "本机关没有“政府信息公开年报”栏目，请系统管理员在栏目管理中恢复".into(),
                )
            })?;
        let a = self.agency_or_404(agency).await?;
        let form = ItemForm {
            column_id: column.id.0.to_string(),
            title: report.title.clone().unwrap_or_default(),
            summary: format!(
                "{}{year}年政府信息公开工作年度报告，含主动公开、依申请公开、行政复议和行政诉讼情况及存在问题和改进措施。",
                a.name
            ),
            body,
            publisher: a.name.clone(),
            generated_on: today.format("%Y-%m-%d").to_string(),
            topic: self.report_topic().await?,
            genre: "报告".into(),
            keywords: "政府信息公开 年度报告".into(),
            attribute: "active".into(),
            ..ItemForm::default()
        };
        let item_id = match row.item_id {
            Some(id) => {
                let item = self.item(actor, id).await?;
                // A restatement keeps the report's first 成文日期 and its 主题分类.
                let form = ItemForm {
                    generated_on: item.content.generated_on.clone(),
                    topic: item.content.topic.clone(),
                    ..form
                };
                let content = self
                    .validate_item(agency, &form, Some(&item.content.topic))
                    .await?;
                self.save_content(actor, &item, content, "item.update", "edit_reset", "")
                    .await?;
                id
            }
            None => self.create_item(actor, agency, &form).await?.id,
        };
        let mut tx = self.store.begin().await?;
        // The report's publication deadline is Art. 49's, not the 20 working days of Art. 26.
        if let Some(due) = gongkai_report::validate::statutory_deadline(report_kind(a.kind), year) {
            tx.set_item_publish_due(item_id, &due.to_string()).await?;
        }
        if !tx
            .submit_annual_report(row.id, &frozen, item_id, self.now_ms())
            .await?
        {
            return Err(ServiceError::Refused(
                "此报告刚刚已由他人送审，请刷新页面查看当前状态".into(),
            ));
        }
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "annual_report.submit",
            ("annual_report", row.id.to_string()),
            json!({ "year": year, "version": row.version, "item": item_id }),
        )
        .await?;
        tx.commit().await?;
        self.submit_item_unchecked(actor, item_id).await?;
        Ok(item_id)
    }

    /// What lies behind one cell of the year's report (drill-down).
    pub async fn annual_report_cell(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        pointer: &str,
    ) -> Result<CellSources> {
        self.authorize(actor, Action::ViewAnnualReports, agency)
            .await?;
        let format = format_for_year(year)?;
        let probe = Report::new(format, year, None);
        let label = probe
            .describe_cell(pointer)
            .ok_or_else(|| ServiceError::NotFound(format!("单元格 {pointer}")))?;
        let mut it = pointer.trim_start_matches("/tables/").split('/');
        let (table, row, col) = (
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
            it.next().unwrap_or(""),
        );
        let mut lines = Vec::new();
        let rule;
        match table {
            "applications" => {
                rule = "按办件记录统计：本年新收按收到申请之日，办理结果按办结日期和办理结果，年底未办结的计入结转"
                    .to_owned();
                for a in self.store.counted_applications(agency, year).await? {
                    let c = counted(&a);
                    if col != "total" && applicant_col_id(c.applicant_type) != col {
                        continue;
                    }
                    if !rows_of(&c, year, format == Format::V2019).contains(&row) {
                        continue;
                    }
                    lines.push(SourceLine::Application {
                        id: a.id,
                        case_no: a.case_no.clone(),
                        applicant_type: applicant_label(applicant_col_id(c.applicant_type)),
                        receipt_date: a.receipt_date.clone().unwrap_or_default(),
                        closed_on: a.closed_on.clone().unwrap_or_default(),
                        disposition: c
                            .disposition
                            .map(|d| d.label().to_owned())
                            .unwrap_or_default(),
                    });
                }
            }
            "review_litigation" => {
                rule =
                    "按复议诉讼登记统计：本年度立案（收到）的案件，按12月31日的状态归类".to_owned();
                let def = table_def(format, TableId::ReviewLitigation);
                let r = def.row_index(row).unwrap_or(0);
                let c = def.rows[r].col_index(col).unwrap_or(0);
                let want = r * 5 + c;
                for p in self.store.proceedings(agency).await? {
                    let Ok(pr) = serde_json::from_str::<Proceeding>(&p.json) else {
                        continue;
                    };
                    if table4_cells_of(&pr, year).is_some_and(|cs| cs.contains(&want)) {
                        lines.push(SourceLine::Proceeding {
                            id: p.id,
                            kind: pr.kind.label(),
                            case_number: pr.case_number.clone(),
                            filed_on: pr.filed_on.to_string(),
                            result: pr.result.label(),
                        });
                    }
                }
            }
            _ if computed_row(row) => {
                rule = rule_for_item_col(col).to_owned();
                let expired = self.expired_counts_as_repealed().await?;
                for i in self.store.classed_items(agency).await? {
                    if i.content.doc_class.as_deref() == Some(doc_class_of_row(row))
                        && item_counts(&i, col, year, expired)
                    {
                        lines.push(SourceLine::Item {
                            id: i.id,
                            title: i.content.title.clone(),
                            doc_number: i.content.doc_number.clone(),
                            generated_on: i.content.generated_on.clone(),
                            validity: match i.content.validity.as_deref() {
                                Some("valid") => "有效".into(),
                                Some("repealed") => format!(
                                    "废止（{}）",
                                    i.content.repealed_on.clone().unwrap_or_default()
                                ),
                                Some("expired") => format!(
                                    "失效（{}）",
                                    i.content.expired_on.clone().unwrap_or_default()
                                ),
                                _ => String::new(),
                            },
                        });
                    }
                }
            }
            _ => {
                rule = "由公开办按其他业务系统的统计录入，注明来源".to_owned();
                if let Some(f) = self
                    .store
                    .report_figures(agency, year)
                    .await?
                    .into_iter()
                    .find(|f| f.cell == pointer)
                {
                    lines.push(SourceLine::Figure {
                        value: format!(
                            "{}{}",
                            f.value.clone().unwrap_or_else(|| "（空）".into()),
                            f.unit.clone().unwrap_or_default()
                        ),
                        source: f.source,
                        actor: f.actor,
                        updated_at: f.updated_at,
                    });
                }
            }
        }
        let report = self
            .build(agency, year, Some(&Narrative::default()), &[])
            .await?
            .report;
        let value = report
            .tables
            .by_pointer(pointer)
            .flatten()
            .map_or_else(|| "（空）".to_owned(), |d| d.normalize().to_string());
        Ok(CellSources {
            pointer: pointer.to_owned(),
            label,
            value,
            rule,
            lines,
        })
    }

    /// A stored version as a report (back office: any version the actor may see).
    pub async fn annual_report_version(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(ReportVersion, Report)> {
        let row = self
            .store
            .annual_report(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该年度报告".into()))?;
        self.authorize(actor, Action::ViewAnnualReports, row.agency_id)
            .await?;
        let versions = self.versions(row.agency_id).await?;
        let v = versions
            .into_iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, v)| v)
            .ok_or_else(|| ServiceError::NotFound("该年度报告".into()))?;
        let report = stored_report(&row).ok_or_else(|| {
            ServiceError::Refused("此版本尚未送审，没有定稿；请在年度报告页面查看当前数据".into())
        })?;
        Ok((v, report))
    }

    /// A published version for the public (downloads): `None` unless it was published.
    pub async fn public_annual_report(&self, id: i64) -> Result<Option<(ReportVersion, Report)>> {
        let Some(row) = self.store.annual_report(id).await? else {
            return Ok(None);
        };
        if row.published_at.is_none() {
            return Ok(None);
        }
        let v = self
            .versions(row.agency_id)
            .await?
            .into_iter()
            .find(|(r, _)| r.id == id)
            .map(|(_, v)| v);
        let later = self
            .store
            .annual_reports(row.agency_id)
            .await?
            .into_iter()
            .filter(|o| {
                o.year == row.year
                    && o.origin == "compiled"
                    && o.version > row.version
                    && o.published_at.is_some()
            })
            .min_by_key(|o| o.version);
        let report = stored_report(&row).map(|mut r| {
            if let Some(l) = later {
                let note = format!(
                    "本版本已被{}发布的第{}版更正替代（更正原因：{}），仅供查阅。",
                    l.published_at
                        .and_then(date_of_ms)
                        .map(|d| d.format("%Y年%-m月%-d日").to_string())
                        .unwrap_or_default(),
                    l.version,
                    l.reason
                );
                r.sections.preamble = Some(match r.sections.preamble.take() {
                    Some(p) => format!("{note}\n{p}"),
                    None => note,
                });
            }
            r
        });
        Ok(v.filter(|v| v.status != ReportStatus::Withdrawn)
            .zip(report))
    }

    /// The published versions carried by a portal item (newest first), for its download box.
    pub async fn annual_reports_of_item(&self, item: i64) -> Result<Vec<ReportVersion>> {
        let Some(row) = self.store.annual_report_of_item(item).await? else {
            return Ok(Vec::new());
        };
        Ok(self
            .versions(row.agency_id)
            .await?
            .into_iter()
            .filter(|(r, v)| {
                r.item_id == Some(item)
                    && matches!(v.status, ReportStatus::Published | ReportStatus::Superseded)
            })
            .map(|(_, v)| v)
            .collect())
    }

    /// Imports a published report (text, HTML, Word or PDF) of `agency` with the parser: the
    /// baseline for next year's cross-year rules, or a subordinate's filed report for
    /// supervision. Returns the version id and the parser's findings count.
    pub async fn import_annual_report(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: Option<i32>,
        published_on: Option<NaiveDate>,
        source_name: &str,
        bytes: &[u8],
    ) -> Result<(i64, Report)> {
        let own = self.can(actor, Action::PrepareAnnualReports, agency).await;
        if !own {
            self.authorize(actor, Action::SuperviseAnnualReports, agency)
                .await?;
        }
        if bytes.is_empty() {
            return Err(ServiceError::field("file", "文件是空的"));
        }
        if bytes.len() > 20 * 1024 * 1024 {
            return Err(ServiceError::field("file", "文件超过 20 MB"));
        }
        let a = self.agency_or_404(agency).await?;
        // The year printed in the file wins; the given year only serves files without one.
        let meta = gongkai_report::parse::Metadata {
            agency_name: Some(a.name.clone()),
            agency_kind: Some(report_kind(a.kind)),
            year: None,
            published_on,
        };
        let data = bytes.to_vec();
        let report = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(|| match gongkai_report::parse::parse(&data, &meta) {
                Err(gongkai_report::parse::ParseError::NoYear) if year.is_some() => {
                    let meta = gongkai_report::parse::Metadata { year, ..meta };
                    gongkai_report::parse::parse(&data, &meta)
                }
                other => other,
            })
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|_| {
            ServiceError::field(
                "file",
                "无法读取此文件（解析器异常），请换用网页或 Word 版本",
            )
        })?
        .map_err(|e| ServiceError::field("file", zh_only(&e.to_string())))?;
        format_for_year(report.year)?;
        let json = gongkai_report::json::to_string_pretty(&report);
        let name: String = source_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let mut tx = self.store.begin().await?;
        let (id, version) = tx
            .insert_annual_report(
                agency,
                report.year,
                "imported",
                "{}",
                Some(&json),
                &name,
                "",
                None,
                &actor.label(),
                self.now_ms(),
            )
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "annual_report.import",
            ("annual_report", id.to_string()),
            json!({ "year": report.year, "version": version, "source": name, "findings": report.findings.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok((id, report))
    }

    /// Renders a report to a download format (`html`, `docx`, `xlsx`, `pdf`, `json`, `csv`).
    pub fn render_annual_report(
        &self,
        report: &Report,
        ext: &str,
    ) -> Result<(Vec<u8>, &'static str)> {
        if ext == "pdf" {
            let fonts = self
                .pdf_fonts()
                .map_err(|e| ServiceError::Refused(e.to_string()))?;
            let pdf = gongkai_docgen::report_pdf(report, fonts)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            return Ok((pdf, "application/pdf"));
        }
        let target = Target::parse(ext)
            .filter(|t| {
                matches!(
                    t,
                    Target::Html | Target::Docx | Target::Xlsx | Target::Json | Target::Csv
                )
            })
            .ok_or_else(|| ServiceError::NotFound(format!("“.{ext}”格式")))?;
        let opts = RenderOptions {
            show_findings: false,
            draft: true,
            ..RenderOptions::default()
        };
        let bytes = gongkai_report::render::render(report, target, opts)
            .map_err(|e| ServiceError::Refused(e.to_string()))?;
        let mime = match target {
            Target::Html => "text/html; charset=utf-8",
            Target::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Target::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Target::Json => "application/json",
            _ => "text/csv; charset=utf-8",
        };
        Ok((bytes, mime))
    }
}

/// One agency of a supervised subtree for a year.
#[derive(Clone, Debug, Serialize)]
pub struct SupervisedAgency {
    pub agency_id: i64,
    pub name: String,
    pub depth: usize,
    /// `on_time`, `late`, `missing`, `not_due`, `in_progress`, `undated` (imported without a
    /// publication date).
    pub state: &'static str,
    pub state_label: &'static str,
    /// `compiled` (filed on the platform), `imported` or empty.
    pub source: &'static str,
    pub version_id: Option<i64>,
    pub published_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub errors: usize,
    pub warnings: usize,
    pub format: Option<&'static str>,
    /// Filed (compiled here) against published (imported) where both exist.
    pub differences: Vec<CellChange>,
    /// Included in the 汇总.
    pub included: bool,
}

/// A supervising agency's view of its subtree for a year.
#[derive(Clone, Debug)]
pub struct Supervision {
    pub year: i32,
    pub agencies: Vec<SupervisedAgency>,
    /// The 汇总 of the included reports, or why there is none.
    pub summary: std::result::Result<Report, String>,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "on_time" => "已按时发布",
        "late" => "逾期发布",
        "missing" => "逾期未发布",
        "not_due" => "尚未发布（未到期限）",
        "in_progress" => "编制或审核中",
        _ => "已导入（发布日期不详）",
    }
}

impl Service {
    /// The reports of `agency` and every agency below it for `year`: status, findings, the
    /// filed-vs-published differences, and the 汇总 of the included reports (§8; refused across
    /// format versions or with hard errors). `exclude` leaves agencies out of the 汇总 (double
    /// counting, §8.3).
    pub async fn supervision(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
        exclude: &[AgencyId],
    ) -> Result<Supervision> {
        self.authorize(actor, Action::SuperviseAnnualReports, agency)
            .await?;
        format_for_year(year)?;
        let tree = self.agency_tree().await?;
        let Some(root) = tree.iter().position(|n| n.agency.id == agency) else {
            return Err(ServiceError::NotFound("该机关".into()));
        };
        let root_depth = tree[root].depth;
        let subtree: Vec<_> = tree[root..]
            .iter()
            .enumerate()
            .take_while(|(i, n)| *i == 0 || n.depth > root_depth)
            .map(|(_, n)| n.clone())
            .collect();
        let today = self.clock.today();
        let rows = self.store.annual_reports_of_year(year).await?;
        let mut out = Vec::new();
        let mut reports: Vec<(String, Report)> = Vec::new();
        for n in &subtree {
            let a = &n.agency;
            let kind = report_kind(a.kind);
            let deadline = gongkai_report::validate::statutory_deadline(kind, year);
            let mut mine: Vec<&AnnualReportRow> = Vec::new();
            for r in rows.iter().filter(|r| r.agency_id == a.id) {
                // A withdrawn report is not a filed one.
                let withdrawn = match (r.origin.as_str(), r.item_id) {
                    ("compiled", Some(id)) => self
                        .store
                        .item(id)
                        .await?
                        .is_none_or(|i| i.withdrawn_at.is_some()),
                    _ => false,
                };
                if !withdrawn {
                    mine.push(r);
                }
            }
            let compiled_published = mine
                .iter()
                .filter(|r| r.origin == "compiled" && r.published_at.is_some())
                .max_by_key(|r| r.version);
            let imported = mine
                .iter()
                .filter(|r| r.origin == "imported")
                .max_by_key(|r| r.version);
            let in_progress = mine
                .iter()
                .any(|r| r.origin == "compiled" && r.published_at.is_none());
            let chosen = compiled_published.or(imported);
            let mut report = chosen.and_then(|r| stored_report(r));
            // Timeliness is that of the first publication: a later restatement does not make
            // an on-time report late.
            let first = mine
                .iter()
                .filter(|r| r.origin == "compiled")
                .filter_map(|r| r.published_at)
                .min()
                .and_then(date_of_ms);
            if let (Some(r), Some(f), Some(_)) = (report.as_mut(), first, compiled_published) {
                r.published_on = Some(f);
            }
            let (state, source) = match (&report, chosen) {
                (Some(rep), Some(row)) => {
                    let source = if row.origin == "compiled" {
                        "compiled"
                    } else {
                        "imported"
                    };
                    let state = match (rep.published_on, deadline) {
                        (None, _) => "undated",
                        (Some(p), Some(dl)) if p > dl => "late",
                        _ => "on_time",
                    };
                    (state, source)
                }
                _ if in_progress => ("in_progress", ""),
                _ if deadline.is_some_and(|dl| today > dl) => ("missing", ""),
                _ => ("not_due", ""),
            };
            let count = |sev: Severity| {
                report.as_ref().map_or(0, |r| {
                    r.findings.iter().filter(|f| f.severity == sev).count()
                })
            };
            let differences = match (compiled_published, imported) {
                (Some(c), Some(i)) => match (stored_report(c), stored_report(i)) {
                    (Some(filed), Some(published)) => table_changes(&filed, &published),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            let included = report.is_some() && !exclude.contains(&a.id);
            out.push(SupervisedAgency {
                agency_id: a.id.0,
                name: a.name.clone(),
                depth: n.depth - root_depth,
                state,
                state_label: state_label(state),
                source,
                version_id: chosen.map(|r| r.id),
                published_on: report.as_ref().and_then(|r| r.published_on),
                deadline,
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                format: report.as_ref().map(|r| r.format.as_str()),
                differences,
                included,
            });
            if included && let Some(r) = report {
                reports.push((a.name.clone(), r));
            }
        }
        let root_agency = &subtree[0].agency;
        let named: Vec<gongkai_report::compile::Named<'_>> = reports
            .iter()
            .map(|(name, report)| gongkai_report::compile::Named { name, report })
            .collect();
        let opts = gongkai_report::compile::CompileOptions {
            agency: ReportAgency {
                name: Some(root_agency.name.clone()),
                kind: Some(report_kind(root_agency.kind)),
            },
            scope_note: Some(format!(
                "{}及所属机关（{}个）",
                root_agency.name,
                named.len()
            )),
            allow_errors: false,
        };
        let summary = gongkai_report::compile::compile(&named, &opts)
            .map_err(|e| match e {
                // The command line's advice (--allow-errors) does not apply here.
                gongkai_report::compile::CompileError::HardErrors(list) => {
                    let names: Vec<String> = list
                        .iter()
                        .take(10)
                        .map(|(n, k)| format!("{n}（{k}处勾稽或数值错误）"))
                        .collect();
                    format!(
                        "以下报告有勾稽或数值错误，汇总结果将不可靠：{}{}。请先更正这些报告，或在上表中勾选“不计入”后重新汇总。",
                        names.join("、"),
                        if list.len() > 10 { format!("等{}份", list.len()) } else { String::new() }
                    )
                }
                other => zh_only(&other.to_string()),
            })
            .map(|mut r| {
                r.title = Some(format!(
                    "{}{year}年政府信息公开工作年度报告（汇总）",
                    root_agency.name
                ));
                r
            })
            ;
        Ok(Supervision {
            year,
            agencies: out,
            summary,
        })
    }

    /// Every cell of every report of the jurisdiction, one line each (CSV for research).
    pub async fn supervision_csv(
        &self,
        actor: &Actor,
        agency: AgencyId,
        year: i32,
    ) -> Result<String> {
        let s = self.supervision(actor, agency, year, &[]).await?;
        let mut out = String::from("agency,year,format,source,table,row,column,label,value\n");
        for a in &s.agencies {
            let Some(id) = a.version_id else { continue };
            let Some(row) = self.store.annual_report(id).await? else {
                continue;
            };
            let Some(r) = stored_report(&row) else {
                continue;
            };
            let lead = format!(
                "{},{year},{},{}",
                csv_field(&a.name),
                r.format.as_str(),
                a.source
            );
            cells_csv(&mut out, &lead, &r)?;
        }
        Ok(out)
    }
}

/// A published report as the open-data API lists it.
#[derive(Clone, Debug, Serialize)]
pub struct PublicReport {
    pub id: i64,
    pub agency_id: i64,
    pub agency: String,
    pub year: i64,
    pub version: i64,
    pub format: &'static str,
    pub published_on: Option<NaiveDate>,
    /// `published`, or `superseded` by a later restatement (kept for the record).
    pub status: &'static str,
    /// Why this version restates the previous one.
    pub reason: String,
}

impl Service {
    /// Published reports (open data): every published version compiled here, optionally of one
    /// year and of one agency and the agencies below it.
    pub async fn public_annual_reports(
        &self,
        year: Option<i32>,
        agency: Option<AgencyId>,
    ) -> Result<Vec<PublicReport>> {
        let rows = self.store.published_annual_reports().await?;
        let tree = self.agency_tree().await?;
        let in_scope: Option<Vec<AgencyId>> = agency.map(|root| {
            let Some(i) = tree.iter().position(|n| n.agency.id == root) else {
                return Vec::new();
            };
            let depth = tree[i].depth;
            tree[i..]
                .iter()
                .enumerate()
                .take_while(|(k, n)| *k == 0 || n.depth > depth)
                .map(|(_, n)| n.agency.id)
                .collect()
        });
        let mut out = Vec::new();
        for r in &rows {
            if year.is_some_and(|y| i64::from(y) != r.year)
                || in_scope.as_ref().is_some_and(|s| !s.contains(&r.agency_id))
            {
                continue;
            }
            let Some(rep) = stored_report(r) else {
                continue;
            };
            let withdrawn = match r.item_id {
                Some(id) => self
                    .store
                    .item(id)
                    .await?
                    .is_none_or(|i| i.withdrawn_at.is_some()),
                None => false,
            };
            if withdrawn {
                continue;
            }
            let superseded = rows
                .iter()
                .any(|o| o.agency_id == r.agency_id && o.year == r.year && o.version > r.version);
            out.push(PublicReport {
                id: r.id,
                agency_id: r.agency_id.0,
                agency: tree
                    .iter()
                    .find(|n| n.agency.id == r.agency_id)
                    .map(|n| n.agency.name.clone())
                    .unwrap_or_default(),
                year: r.year,
                version: r.version,
                format: rep.format.as_str(),
                published_on: rep.published_on,
                status: if superseded {
                    "superseded"
                } else {
                    "published"
                },
                reason: r.reason.clone(),
            });
        }
        Ok(out)
    }

    /// The cells of the current published reports (not the superseded versions) as CSV, one
    /// line per cell: the open-data download of a jurisdiction.
    pub async fn public_reports_csv(
        &self,
        year: Option<i32>,
        agency: Option<AgencyId>,
    ) -> Result<String> {
        let mut out =
            String::from("report_id,agency,year,version,format,table,row,column,label,value\n");
        for p in self.public_annual_reports(year, agency).await? {
            if p.status != "published" {
                continue;
            }
            let Some((_, r)) = self.public_annual_report(p.id).await? else {
                continue;
            };
            let lead = format!(
                "{},{},{},{},{}",
                p.id,
                csv_field(&p.agency),
                p.year,
                p.version,
                p.format
            );
            cells_csv(&mut out, &lead, &r)?;
        }
        Ok(out)
    }
}

impl Service {
    /// The years of an agency whose report has been published on the platform (locked years):
    /// a change to a case counted in one of them needs a restatement.
    pub async fn locked_report_years(&self, agency: AgencyId) -> Result<Vec<i32>> {
        let mut years: Vec<i32> = self
            .store
            .annual_reports(agency)
            .await?
            .iter()
            .filter(|r| r.origin == "compiled" && r.published_at.is_some())
            .filter_map(|r| i32::try_from(r.year).ok())
            .collect();
        years.dedup();
        Ok(years)
    }
}

/// The published report years a case is counted in: from its receipt to its closing (or to
/// today while it is open).
pub fn locked_years_of_case(case: &Case, today: NaiveDate, locked: &[i32]) -> Vec<i32> {
    let Some(from) = case.receipt_date.map(|d| d.year()) else {
        return Vec::new();
    };
    let to = case.closed_on.unwrap_or(today).year();
    locked
        .iter()
        .copied()
        .filter(|y| (from..=to).contains(y))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_domain::application::Channel;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_case_is_in_every_locked_year_from_receipt_to_closing() {
        let mut c = Case::registered(Channel::Online, d("2024-12-20"), d("2024-12-20"));
        let locked = [2023, 2024, 2025];
        // Open: up to today.
        assert_eq!(
            locked_years_of_case(&c, d("2025-06-01"), &locked),
            [2024, 2025]
        );
        c.closed_on = Some(d("2025-01-10"));
        assert_eq!(
            locked_years_of_case(&c, d("2026-06-01"), &locked),
            [2024, 2025]
        );
        c.closed_on = Some(d("2024-12-28"));
        assert_eq!(locked_years_of_case(&c, d("2026-06-01"), &locked), [2024]);
        c.receipt_date = None;
        assert!(locked_years_of_case(&c, d("2026-06-01"), &locked).is_empty());
    }

    #[test]
    fn figures_are_read_as_their_cell_type_requires() {
        assert_eq!(
            parse_figure(CellType::Count, "１２０"),
            Ok(Some(Decimal::from(120)))
        );
        assert_eq!(parse_figure(CellType::Count, ""), Ok(None));
        assert!(parse_figure(CellType::Count, "-1").is_err());
        assert!(parse_figure(CellType::Count, "1.5").is_err());
        assert_eq!(
            parse_figure(CellType::SignedCount, "+2"),
            Ok(Some(Decimal::from(2)))
        );
        assert_eq!(
            parse_figure(CellType::SignedCount, "－3"),
            Ok(Some(Decimal::from(-3)))
        );
        assert_eq!(
            parse_figure(CellType::Money, "96,171.60"),
            Ok(Some(Decimal::new(961_716, 1)))
        );
        assert!(parse_figure(CellType::Money, "abc").is_err());
        assert!(parse_figure(CellType::Count, "18446744073709551616").is_err());
        assert!(parse_figure(CellType::Money, "1.1234567").is_err());
        assert_eq!(
            parse_figure(CellType::Money, "0.000001"),
            Ok(Some(Decimal::new(1, 6)))
        );
    }

    #[test]
    fn the_format_follows_the_report_year() {
        assert!(format_for_year(2018).is_err());
        assert_eq!(format_for_year(2020).unwrap(), Format::V2019);
        assert_eq!(format_for_year(2021).unwrap(), Format::V2021);
    }
}

/// What a restatement changed: the cells that differ from the version it replaced.
#[derive(Clone, Debug, Serialize)]
pub struct Restatement {
    pub version: i64,
    pub reason: String,
    pub changes: Vec<CellChange>,
}

impl Service {
    /// The restatements published for a portal item's report, oldest first, each with the cells
    /// it changed (public).
    pub async fn restatements_of_item(&self, item: i64) -> Result<Vec<Restatement>> {
        let Some(row) = self.store.annual_report_of_item(item).await? else {
            return Ok(Vec::new());
        };
        let mut published: Vec<AnnualReportRow> = self
            .store
            .annual_reports(row.agency_id)
            .await?
            .into_iter()
            .filter(|r| r.item_id == Some(item) && r.published_at.is_some())
            .collect();
        published.sort_by_key(|r| r.version);
        let mut out = Vec::new();
        for pair in published.windows(2) {
            if let (Some(a), Some(b)) = (stored_report(&pair[0]), stored_report(&pair[1])) {
                out.push(Restatement {
                    version: pair[1].version,
                    reason: pair[1].reason.clone(),
                    changes: table_changes(&a, &b),
                });
            }
        }
        Ok(out)
    }
}

impl Service {
    /// The 主题分类 of a report's item: 综合政务\\政务公开 when the site's taxonomy has it, else
    /// its nearest value there (the taxonomy is the administrator's to change).
    async fn report_topic(&self) -> Result<String> {
        let taxonomy = self.topic_taxonomy().await?;
        Ok(["综合政务\\政务公开", "综合政务", "其他"]
            .into_iter()
            .find(|t| taxonomy.contains(t))
            .map(str::to_owned)
            .or_else(|| taxonomy.entries.first().map(|(t, _)| t.clone()))
            .unwrap_or_default())
    }
}
