//! The working-day calendar as data: listed days and the revisions that loaded them.

use gongkai_domain::calendar::{CalendarDay, DayKind};
use sqlx::Row;

use crate::{Result, Store, StoreError, Tx};

/// One load of calendar data (a notice, a correction).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CalendarRevision {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// The notice: title and 文号, or "shipped".
    pub source: String,
    pub reason: String,
    /// The years the revision replaced, e.g. `2027`.
    pub years: String,
    pub rows: i64,
    pub content_hash: String,
}

impl Store {
    /// Every listed day, in date order.
    pub async fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        let rows = sqlx::query("SELECT day, kind, name FROM calendar_days ORDER BY day")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                let kind: String = r.try_get("kind")?;
                Ok(CalendarDay {
                    date: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|_| StoreError::Other(format!("bad calendar date {day}")))?,
                    kind: DayKind::parse(&kind)
                        .ok_or_else(|| StoreError::Other(format!("bad kind {kind}")))?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub async fn calendar_revisions(&self) -> Result<Vec<CalendarRevision>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, source, reason, years, rows, content_hash FROM calendar_revisions ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CalendarRevision {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    source: r.try_get("source")?,
                    reason: r.try_get("reason")?,
                    years: r.try_get("years")?,
                    rows: r.try_get("rows")?,
                    content_hash: r.try_get("content_hash")?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// Replaces every listed day of `years` with `days` and records the revision; returns its id.
    pub async fn replace_calendar_years(
        &mut self,
        years: &[i32],
        days: &[CalendarDay],
        rev: &CalendarRevision,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO calendar_revisions (at, actor, source, reason, years, rows, content_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(rev.at)
        .bind(&rev.actor)
        .bind(&rev.source)
        .bind(&rev.reason)
        .bind(&rev.years)
        .bind(rev.rows)
        .bind(&rev.content_hash)
        .fetch_one(&mut *self.inner)
        .await?;
        let id: i64 = row.try_get("id")?;
        for y in years {
            // Dates are ISO strings, so a year is a string range.
            sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
                .bind(format!("{y:04}-01-01"))
                .bind(format!("{y:04}-12-31"))
                .execute(&mut *self.inner)
                .await?;
        }
        for d in days {
            sqlx::query(
                "INSERT INTO calendar_days (day, kind, name, revision) VALUES ($1, $2, $3, $4)",
            )
            .bind(d.date.format("%Y-%m-%d").to_string())
            .bind(d.kind.id())
            .bind(&d.name)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(id)
    }
}
