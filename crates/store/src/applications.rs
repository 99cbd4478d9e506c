//! Disclosure applications: one row per case (the procedural record as JSON, with the columns
//! lists and dashboards filter on), its events, files and reminders; the 复议/诉讼 register;
//! intake attempts for rate limiting.

use std::fmt::Write as _;

use gongkai_domain::{AgencyId, DivisionId, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, Tx, opt_i64};

/// An application row. Dates are `YYYY-MM-DD` text; the JSON columns hold the domain types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRow {
    pub id: i64,
    pub agency_id: AgencyId,
    pub case_no: String,
    pub query_hash: String,
    pub channel: String,
    pub state: String,
    pub applicant_type: String,
    pub applicant_key: String,
    pub applicant_json: String,
    pub request_json: String,
    pub case_json: String,
    pub summary: String,
    pub receipt_date: Option<String>,
    pub due_date: Option<String>,
    pub closed_on: Option<String>,
    pub disposition: Option<String>,
    pub handler_id: Option<UserId>,
    pub division_id: Option<DivisionId>,
    pub calendar_version: i64,
    pub submitted_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const COLS: &str = "SELECT id, agency_id, case_no, query_hash, channel, state, applicant_type, applicant_key, \
     applicant_json, request_json, case_json, summary, receipt_date, due_date, closed_on, disposition, \
     handler_id, division_id, calendar_version, submitted_at, created_at, updated_at, version FROM applications";

const FILE_COLS: &str = "SELECT id, application_id, name, content_type, size, sha256, actor, created_at FROM application_files";

fn application(r: &AnyRow) -> Result<ApplicationRow> {
    Ok(ApplicationRow {
        id: r.try_get("id")?,
        agency_id: AgencyId(r.try_get("agency_id")?),
        case_no: r.try_get("case_no")?,
        query_hash: r.try_get("query_hash")?,
        channel: r.try_get("channel")?,
        state: r.try_get("state")?,
        applicant_type: r.try_get("applicant_type")?,
        applicant_key: r.try_get("applicant_key")?,
        applicant_json: r.try_get("applicant_json")?,
        request_json: r.try_get("request_json")?,
        case_json: r.try_get("case_json")?,
        summary: r.try_get("summary")?,
        receipt_date: r.try_get("receipt_date")?,
        due_date: r.try_get("due_date")?,
        closed_on: r.try_get("closed_on")?,
        disposition: r.try_get("disposition")?,
        handler_id: opt_i64(r, "handler_id")?.map(UserId),
        division_id: opt_i64(r, "division_id")?.map(DivisionId),
        calendar_version: r.try_get("calendar_version")?,
        submitted_at: r.try_get("submitted_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// One entry of a case's history.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationEvent {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub actor: String,
    pub role: String,
    pub at: i64,
    pub detail_json: String,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    pub calendar_version: i64,
}

/// A file attached to a case (identity proof, scans of letters and receipts).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationFile {
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub actor: String,
    pub created_at: i64,
}

/// A reminder that fired (shown on screen; e-mailed or logged).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reminder {
    pub application_id: i64,
    pub kind: String,
    pub due_date: String,
    pub message: String,
    pub at: i64,
}

/// A register row; `json` holds the domain `Proceeding`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProceedingRow {
    pub id: i64,
    pub agency_id: AgencyId,
    pub application_id: Option<i64>,
    pub json: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Filters of application lists.
#[derive(Clone, Debug, Default)]
pub struct ApplicationFilter {
    pub agency: Option<AgencyId>,
    /// Only these states (ids); empty = all.
    pub states: Vec<String>,
    pub handler: Option<UserId>,
    /// Only open cases whose reply deadline is on or before this date.
    pub due_on_or_before: Option<String>,
    /// Case number or words of the summary.
    pub text: Option<String>,
}

enum Bind {
    I(i64),
    T(String),
}

impl Store {
    pub async fn application(&self, id: i64) -> Result<Option<ApplicationRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(application).transpose()
    }

    pub async fn application_by_case_no(&self, case_no: &str) -> Result<Option<ApplicationRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLS} WHERE case_no = $1")))
            .bind(case_no)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(application).transpose()
    }

    /// Applications by filter, the most urgent first (open ones by deadline), with a total.
    pub async fn applications(
        &self,
        f: &ApplicationFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ApplicationRow>, i64)> {
        let mut cond = String::from(" WHERE 1 = 1");
        let mut binds: Vec<Bind> = Vec::new();
        if let Some(a) = f.agency {
            binds.push(Bind::I(a.0));
            let _ = write!(cond, " AND agency_id = ${}", binds.len());
        }
        if !f.states.is_empty() {
            let mut ph = Vec::new();
            for s in &f.states {
                binds.push(Bind::T(s.clone()));
                ph.push(format!("${}", binds.len()));
            }
            let _ = write!(cond, " AND state IN ({})", ph.join(", "));
        }
        if let Some(h) = f.handler {
            binds.push(Bind::I(h.0));
            let _ = write!(cond, " AND handler_id = ${}", binds.len());
        }
        if let Some(d) = &f.due_on_or_before {
            binds.push(Bind::T(d.clone()));
            let _ = write!(
                cond,
                " AND due_date IS NOT NULL AND due_date <= ${} AND state NOT IN ('closed', 'archived')",
                binds.len()
            );
        }
        if let Some(t) = f.text.as_ref().filter(|t| !t.trim().is_empty()) {
            let like = format!(
                "%{}%",
                t.trim()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            binds.push(Bind::T(like));
            let n = binds.len();
            let _ = write!(
                cond,
                " AND (case_no LIKE ${n} ESCAPE '\\' OR summary LIKE ${n} ESCAPE '\\')"
            );
        }
        let bind_all = |sql: String, binds: &[Bind]| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in binds {
                q = match b {
                    Bind::I(v) => q.bind(*v),
                    Bind::T(v) => q.bind(v.clone()),
                };
            }
            q
        };
        let total: i64 = bind_all(
            format!("SELECT COUNT(*) AS n FROM applications{cond}"),
            &binds,
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let n = binds.len();
        let sql = format!(
            "{COLS}{cond} ORDER BY CASE WHEN state IN ('closed', 'archived') THEN 1 ELSE 0 END, \
             COALESCE(due_date, '9999-12-31'), id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let rows = bind_all(sql, &binds)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok((
            rows.iter().map(application).collect::<Result<Vec<_>>>()?,
            total,
        ))
    }

    /// Every application of an agency (table 3 counting, dashboards).
    pub async fn agency_applications(&self, agency: AgencyId) -> Result<Vec<ApplicationRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE agency_id = $1 ORDER BY id"
        )))
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application).collect()
    }

    /// Every open application of every agency (reminders, calendar recomputation).
    pub async fn open_applications(&self) -> Result<Vec<ApplicationRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE state NOT IN ('closed', 'archived') ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application).collect()
    }

    /// The same applicant's applications at an agency (repeat hints, the fee count).
    pub async fn applications_of(
        &self,
        agency: AgencyId,
        applicant_key: &str,
    ) -> Result<Vec<ApplicationRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE agency_id = $1 AND applicant_key = $2 ORDER BY receipt_date, id"
        )))
        .bind(agency.0)
        .bind(applicant_key)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application).collect()
    }

    pub async fn application_events(&self, id: i64) -> Result<Vec<ApplicationEvent>> {
        let rows = sqlx::query(
            "SELECT id, application_id, kind, actor, role, at, detail_json, due_before, due_after, \
             calendar_version FROM application_events WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApplicationEvent {
                    id: r.try_get("id")?,
                    application_id: r.try_get("application_id")?,
                    kind: r.try_get("kind")?,
                    actor: r.try_get("actor")?,
                    role: r.try_get("role")?,
                    at: r.try_get("at")?,
                    detail_json: r.try_get("detail_json")?,
                    due_before: r.try_get("due_before")?,
                    due_after: r.try_get("due_after")?,
                    calendar_version: r.try_get("calendar_version")?,
                })
            })
            .collect()
    }

    pub async fn application_files(&self, id: i64) -> Result<Vec<ApplicationFile>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{FILE_COLS} WHERE application_id = $1 ORDER BY id"
        )))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application_file).collect()
    }

    pub async fn application_file(&self, id: i64) -> Result<Option<ApplicationFile>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{FILE_COLS} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(application_file).transpose()
    }

    /// Reminders of an agency's cases fired since `since_ms`, newest first.
    pub async fn reminders(&self, agency: AgencyId, since_ms: i64) -> Result<Vec<Reminder>> {
        let rows = sqlx::query(
            "SELECT r.application_id, r.kind, r.due_date, r.message, r.at FROM application_reminders r \
             JOIN applications a ON a.id = r.application_id \
             WHERE a.agency_id = $1 AND r.at >= $2 AND a.state NOT IN ('closed', 'archived') \
             ORDER BY r.at DESC, r.id DESC LIMIT 200",
        )
        .bind(agency.0)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Reminder {
                    application_id: r.try_get("application_id")?,
                    kind: r.try_get("kind")?,
                    due_date: r.try_get("due_date")?,
                    message: r.try_get("message")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Intake attempts from one address since `since_ms`.
    pub async fn intake_attempts(&self, addr_hash: &str, since_ms: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM intake_attempts WHERE addr_hash = $1 AND at >= $2",
        )
        .bind(addr_hash)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn proceedings(&self, agency: AgencyId) -> Result<Vec<ProceedingRow>> {
        let rows = sqlx::query(
            "SELECT id, agency_id, application_id, json, created_at, updated_at FROM proceedings \
             WHERE agency_id = $1 ORDER BY filed_on DESC, id DESC",
        )
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(proceeding).collect()
    }

    pub async fn proceeding(&self, id: i64) -> Result<Option<ProceedingRow>> {
        let row = sqlx::query(
            "SELECT id, agency_id, application_id, json, created_at, updated_at FROM proceedings WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(proceeding).transpose()
    }
}

fn application_file(r: &AnyRow) -> Result<ApplicationFile> {
    Ok(ApplicationFile {
        id: r.try_get("id")?,
        application_id: r.try_get("application_id")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        actor: r.try_get("actor")?,
        created_at: r.try_get("created_at")?,
    })
}

fn proceeding(r: &AnyRow) -> Result<ProceedingRow> {
    Ok(ProceedingRow {
        id: r.try_get("id")?,
        agency_id: AgencyId(r.try_get("agency_id")?),
        application_id: opt_i64(r, "application_id")?,
        json: r.try_get("json")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Tx {
    /// Inserts a new application; returns its id.
    pub async fn insert_application(&mut self, a: &ApplicationRow) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO applications (agency_id, case_no, query_hash, channel, state, applicant_type, \
             applicant_key, applicant_json, request_json, case_json, summary, receipt_date, due_date, \
             closed_on, disposition, handler_id, division_id, calendar_version, submitted_at, created_at, \
             updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $20, 0) RETURNING id",
        )
        .bind(a.agency_id.0)
        .bind(a.case_no.clone())
        .bind(a.query_hash.clone())
        .bind(a.channel.clone())
        .bind(a.state.clone())
        .bind(a.applicant_type.clone())
        .bind(a.applicant_key.clone())
        .bind(a.applicant_json.clone())
        .bind(a.request_json.clone())
        .bind(a.case_json.clone())
        .bind(a.summary.clone())
        .bind(a.receipt_date.clone())
        .bind(a.due_date.clone())
        .bind(a.closed_on.clone())
        .bind(a.disposition.clone())
        .bind(a.handler_id.map(|u| u.0))
        .bind(a.division_id.map(|d| d.0))
        .bind(a.calendar_version)
        .bind(a.submitted_at)
        .bind(a.created_at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Writes back a changed application if nobody changed it since it was read (`version`);
    /// returns false on a lost update.
    pub async fn update_application(&mut self, a: &ApplicationRow) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE applications SET state = $1, applicant_type = $2, applicant_key = $3, applicant_json = $4, \
             request_json = $5, case_json = $6, summary = $7, receipt_date = $8, due_date = $9, closed_on = $10, \
             disposition = $11, handler_id = $12, division_id = $13, calendar_version = $14, updated_at = $15, \
             version = version + 1 WHERE id = $16 AND version = $17",
        )
        .bind(a.state.clone())
        .bind(a.applicant_type.clone())
        .bind(a.applicant_key.clone())
        .bind(a.applicant_json.clone())
        .bind(a.request_json.clone())
        .bind(a.case_json.clone())
        .bind(a.summary.clone())
        .bind(a.receipt_date.clone())
        .bind(a.due_date.clone())
        .bind(a.closed_on.clone())
        .bind(a.disposition.clone())
        .bind(a.handler_id.map(|u| u.0))
        .bind(a.division_id.map(|d| d.0))
        .bind(a.calendar_version)
        .bind(a.updated_at)
        .bind(a.id)
        .bind(a.version)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_application_event(&mut self, e: &ApplicationEvent) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO application_events (application_id, kind, actor, role, at, detail_json, due_before, \
             due_after, calendar_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(e.application_id)
        .bind(e.kind.clone())
        .bind(e.actor.clone())
        .bind(e.role.clone())
        .bind(e.at)
        .bind(e.detail_json.clone())
        .bind(e.due_before.clone())
        .bind(e.due_after.clone())
        .bind(e.calendar_version)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn insert_application_file(&mut self, f: &ApplicationFile) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO application_files (application_id, name, content_type, size, sha256, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(f.application_id)
        .bind(f.name.clone())
        .bind(f.content_type.clone())
        .bind(f.size)
        .bind(f.sha256.clone())
        .bind(f.actor.clone())
        .bind(f.created_at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Records a reminder once per case, kind and deadline; returns whether it is new.
    pub async fn insert_reminder(&mut self, r: &Reminder) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO application_reminders (application_id, kind, due_date, message, at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, kind, due_date) DO NOTHING",
        )
        .bind(r.application_id)
        .bind(r.kind.clone())
        .bind(r.due_date.clone())
        .bind(r.message.clone())
        .bind(r.at)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Intake attempts from one address since `since_ms`, inside this transaction.
    pub async fn intake_attempts(&mut self, addr_hash: &str, since_ms: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM intake_attempts WHERE addr_hash = $1 AND at >= $2",
        )
        .bind(addr_hash)
        .bind(since_ms)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Records an intake attempt and forgets those older than `forget_before_ms`.
    pub async fn record_intake_attempt(
        &mut self,
        addr_hash: &str,
        at: i64,
        forget_before_ms: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM intake_attempts WHERE at < $1")
            .bind(forget_before_ms)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("INSERT INTO intake_attempts (addr_hash, at) VALUES ($1, $2)")
            .bind(addr_hash)
            .bind(at)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_proceeding(
        &mut self,
        agency: AgencyId,
        application: Option<i64>,
        kind: &str,
        filed_on: &str,
        result: &str,
        json: &str,
        now_ms: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO proceedings (agency_id, application_id, kind, filed_on, result, json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(agency.0)
        .bind(application)
        .bind(kind)
        .bind(filed_on)
        .bind(result)
        .bind(json)
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(row.try_get("id")?)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn update_proceeding(
        &mut self,
        id: i64,
        application: Option<i64>,
        kind: &str,
        filed_on: &str,
        result: &str,
        json: &str,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE proceedings SET application_id = $1, kind = $2, filed_on = $3, result = $4, json = $5, \
             updated_at = $6 WHERE id = $7",
        )
        .bind(application)
        .bind(kind)
        .bind(filed_on)
        .bind(result)
        .bind(json)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}
