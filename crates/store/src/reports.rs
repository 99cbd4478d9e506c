//! The annual report compiled from the platform's data: figures entered per year and the
//! versions of each agency's report (compiled here or imported from a published file).

use gongkai_domain::AgencyId;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Item, Result, Store, Tx, opt_i64};

/// A table-2 cell entered by the office, with its source.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportFigure {
    pub cell: String,
    /// Exact decimal as text; `None` when not known.
    pub value: Option<String>,
    pub unit: Option<String>,
    pub source: String,
    pub actor: String,
    pub updated_at: i64,
}

/// One version of an agency's report for a year.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnnualReportRow {
    pub id: i64,
    pub agency_id: AgencyId,
    pub year: i64,
    /// `compiled` or `imported`.
    pub origin: String,
    pub version: i64,
    pub sections_json: String,
    /// The report frozen at submission (compiled) or as imported.
    pub report_json: Option<String>,
    pub source_name: String,
    /// Why this version restates the previous one.
    pub reason: String,
    pub item_id: Option<i64>,
    pub submitted_at: Option<i64>,
    pub published_at: Option<i64>,
    pub actor: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What table 3 needs of an application, without the personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedApplication {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub applicant_type: String,
    pub receipt_date: Option<String>,
    pub closed_on: Option<String>,
    pub disposition: Option<String>,
    /// The case document, only where the report reads it: cases with a fee notice and cases
    /// closed as 保护第三方合法权益 or 无正当理由大量反复申请 (rule S13).
    pub case_json: Option<String>,
}

const REPORT_COLS: &str = "SELECT id, agency_id, year, origin, version, sections_json, report_json, source_name, \
     reason, item_id, submitted_at, published_at, actor, created_at, updated_at FROM annual_reports";

fn report_row(r: &AnyRow) -> Result<AnnualReportRow> {
    Ok(AnnualReportRow {
        id: r.try_get("id")?,
        agency_id: AgencyId(r.try_get("agency_id")?),
        year: r.try_get("year")?,
        origin: r.try_get("origin")?,
        version: r.try_get("version")?,
        sections_json: r.try_get("sections_json")?,
        report_json: r.try_get("report_json")?,
        source_name: r.try_get("source_name")?,
        reason: r.try_get("reason")?,
        item_id: opt_i64(r, "item_id")?,
        submitted_at: opt_i64(r, "submitted_at")?,
        published_at: opt_i64(r, "published_at")?,
        actor: r.try_get("actor")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// The figures entered for an agency's year.
    pub async fn report_figures(&self, agency: AgencyId, year: i32) -> Result<Vec<ReportFigure>> {
        let rows = sqlx::query(
            "SELECT cell, value, unit, source, actor, updated_at FROM report_figures \
             WHERE agency_id = $1 AND year = $2 ORDER BY cell",
        )
        .bind(agency.0)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportFigure {
                    cell: r.try_get("cell")?,
                    value: r.try_get("value")?,
                    unit: r.try_get("unit")?,
                    source: r.try_get("source")?,
                    actor: r.try_get("actor")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Every version of an agency's reports, newest year first, then newest version first.
    pub async fn annual_reports(&self, agency: AgencyId) -> Result<Vec<AnnualReportRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPORT_COLS} WHERE agency_id = $1 ORDER BY year DESC, version DESC, id DESC"
        )))
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_row).collect()
    }

    /// Every version of every agency's report for a year (supervision).
    pub async fn annual_reports_of_year(&self, year: i32) -> Result<Vec<AnnualReportRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPORT_COLS} WHERE year = $1 ORDER BY agency_id, version DESC, id DESC"
        )))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_row).collect()
    }

    /// Every published version compiled on the platform (open data), oldest year first.
    pub async fn published_annual_reports(&self) -> Result<Vec<AnnualReportRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPORT_COLS} WHERE origin = 'compiled' AND published_at IS NOT NULL \
             ORDER BY year, agency_id, version"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_row).collect()
    }

    pub async fn annual_report(&self, id: i64) -> Result<Option<AnnualReportRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{REPORT_COLS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(report_row).transpose()
    }

    /// The compiled report version published through (or waiting in) this item's review.
    pub async fn annual_report_of_item(&self, item: i64) -> Result<Option<AnnualReportRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REPORT_COLS} WHERE item_id = $1 ORDER BY version DESC LIMIT 1"
        )))
        .bind(item)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(report_row).transpose()
    }

    /// The applications that can count in `year`'s table 3: received by its end and not closed
    /// before it began.
    pub async fn counted_applications(
        &self,
        agency: AgencyId,
        year: i32,
    ) -> Result<Vec<CountedApplication>> {
        let (end, start) = (format!("{year:04}-12-31"), format!("{year:04}-01-01"));
        // The counting columns only (covered by `applications_tally`) …
        let rows = sqlx::query(
            "SELECT id, case_no, state, applicant_type, receipt_date, closed_on, disposition \
             FROM applications WHERE agency_id = $1 AND receipt_date IS NOT NULL AND receipt_date <= $2 \
             AND (closed_on IS NULL OR closed_on >= $3) ORDER BY id",
        )
        .bind(agency.0)
        .bind(&end)
        .bind(&start)
        .fetch_all(&self.pool)
        .await?;
        // … and the case document of the few the report reads into: fee notices (found by their
        // event) and the two refusals rule S13 looks behind.
        let docs = sqlx::query(
            "SELECT id, case_json FROM applications WHERE agency_id = $1 AND receipt_date IS NOT NULL \
             AND receipt_date <= $2 AND (closed_on IS NULL OR closed_on >= $3) AND (id IN \
             (SELECT application_id FROM application_events WHERE kind = 'issue_fee_notice') \
             OR disposition IN ('denied_third_party_rights', 'not_processed_excessive'))",
        )
        .bind(agency.0)
        .bind(&end)
        .bind(&start)
        .fetch_all(&self.pool)
        .await?;
        let mut json: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for r in &docs {
            json.insert(r.try_get("id")?, r.try_get("case_json")?);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                Ok(CountedApplication {
                    id,
                    case_no: r.try_get("case_no")?,
                    state: r.try_get("state")?,
                    applicant_type: r.try_get("applicant_type")?,
                    receipt_date: r.try_get("receipt_date")?,
                    closed_on: r.try_get("closed_on")?,
                    disposition: r.try_get("disposition")?,
                    case_json: json.remove(&id),
                })
            })
            .collect()
    }

    /// Review work on an agency's items in a year: `(submissions, approvals, returns)`.
    pub async fn review_counts(&self, agency: AgencyId, year: i32) -> Result<(i64, i64, i64)> {
        let ms = |y: i32| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(gongkai_domain::beijing_midnight_ms)
                .unwrap_or(0)
        };
        let (from, to) = (ms(year), ms(year + 1));
        let rows = sqlx::query(
            "SELECT e.kind AS kind, COUNT(*) AS n FROM item_events e JOIN items i ON i.id = e.item_id \
             WHERE i.agency_id = $1 AND e.at >= $2 AND e.at < $3 AND e.kind IN ('submit', 'approve', 'reject') \
             GROUP BY e.kind",
        )
        .bind(agency.0)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut out = (0, 0, 0);
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let n: i64 = r.try_get("n")?;
            match kind.as_str() {
                "submit" => out.0 = n,
                "approve" => out.1 = n,
                _ => out.2 = n,
            }
        }
        Ok(out)
    }

    /// An agency's 规章 and 行政规范性文件 (items with a document class), for table 2 item （一）.
    pub async fn classed_items(&self, agency: AgencyId) -> Result<Vec<Item>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE agency_id = $1 AND doc_class IS NOT NULL ORDER BY generated_on, id",
            crate::items::COLS
        )))
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::items::item).collect()
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn upsert_report_figure(
        &mut self,
        agency: AgencyId,
        year: i32,
        cell: &str,
        value: Option<&str>,
        unit: Option<&str>,
        source: &str,
        actor: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO report_figures (agency_id, year, cell, value, unit, source, actor, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (agency_id, year, cell) DO UPDATE SET \
             value = excluded.value, unit = excluded.unit, source = excluded.source, actor = excluded.actor, \
             updated_at = excluded.updated_at",
        )
        .bind(agency.0)
        .bind(i64::from(year))
        .bind(cell)
        .bind(value.map(str::to_owned))
        .bind(unit.map(str::to_owned))
        .bind(source)
        .bind(actor)
        .bind(now_ms)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Inserts a version; returns its id. The version number is the next one of its origin.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_annual_report(
        &mut self,
        agency: AgencyId,
        year: i32,
        origin: &str,
        sections_json: &str,
        report_json: Option<&str>,
        source_name: &str,
        reason: &str,
        item_id: Option<i64>,
        actor: &str,
        now_ms: i64,
    ) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS v FROM annual_reports \
             WHERE agency_id = $1 AND year = $2 AND origin = $3",
        )
        .bind(agency.0)
        .bind(i64::from(year))
        .bind(origin)
        .fetch_one(&mut *self.inner)
        .await?;
        let version: i64 = row.try_get::<i64, _>("v")? + 1;
        let row = sqlx::query(
            "INSERT INTO annual_reports (agency_id, year, origin, version, sections_json, report_json, \
             source_name, reason, item_id, actor, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(agency.0)
        .bind(i64::from(year))
        .bind(origin)
        .bind(version)
        .bind(sections_json)
        .bind(report_json.map(str::to_owned))
        .bind(source_name)
        .bind(reason)
        .bind(item_id)
        .bind(actor)
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok((row.try_get("id")?, version))
    }

    pub async fn set_annual_report_sections(
        &mut self,
        id: i64,
        sections_json: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query("UPDATE annual_reports SET sections_json = $1, updated_at = $2 WHERE id = $3")
            .bind(sections_json)
            .bind(now_ms)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Freezes the report at submission and links the item that carries it through review.
    /// `false` when the version is already linked to another item (a concurrent submission).
    pub async fn submit_annual_report(
        &mut self,
        id: i64,
        report_json: &str,
        item_id: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE annual_reports SET report_json = $1, item_id = $2, submitted_at = $3, updated_at = $3 \
             WHERE id = $4 AND published_at IS NULL AND (item_id IS NULL OR item_id = $2)",
        )
        .bind(report_json)
        .bind(item_id)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Called when an item is published: the submitted, unpublished version it carries becomes
    /// the published one. Returns the number of versions marked (0 or 1).
    pub async fn mark_annual_report_published(&mut self, item: i64, now_ms: i64) -> Result<u64> {
        let r = sqlx::query(
            "UPDATE annual_reports SET published_at = $1, updated_at = $1 \
             WHERE item_id = $2 AND submitted_at IS NOT NULL AND published_at IS NULL",
        )
        .bind(now_ms)
        .bind(item)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected())
    }
}
