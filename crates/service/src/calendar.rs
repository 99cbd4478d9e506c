//! The working-day calendar as data: seeded from the shipped file, extended by administrators
//! with each year's notice (calendar.md §4), read by every deadline computation.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use gongkai_domain::calendar::{CalendarDay, TsvIssue, WorkingCalendar, parse_tsv};
use gongkai_domain::{Action, Role};
use gongkai_store::CalendarRevision;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// What an import did.
#[derive(Clone, Debug, Serialize)]
pub struct CalendarImport {
    pub revision: i64,
    pub years: Vec<i32>,
    pub rows: usize,
    pub warnings: Vec<TsvIssue>,
    /// Open applications whose deadline moved.
    pub recomputed: usize,
}

const SHIPPED_SOURCE: &str = "随软件提供：国务院办公厅关于2019—2026年部分节假日安排的通知（含2019年劳动节调整、2020年春节延长）";

fn content_hash(days: &[CalendarDay]) -> String {
    let mut h = Sha256::new();
    for d in days {
        h.update(format!("{}\t{}\t{}\n", d.date, d.kind.id(), d.name).as_bytes());
    }
    gongkai_domain::hex(&h.finalize())
}

impl Service {
    /// Loads the shipped calendar into an empty database (start-up). Returns whether it did.
    pub async fn ensure_calendar_seeded(&self) -> Result<bool> {
        if !self.store.calendar_revisions().await?.is_empty() {
            return Ok(false);
        }
        let parsed = parse_tsv(gongkai_domain::calendar::SHIPPED_TSV)
            .map_err(|e| ServiceError::Internal(format!("shipped calendar: {e:?}")))?;
        self.load_calendar(&Actor::System, parsed.days, SHIPPED_SOURCE, "")
            .await?;
        Ok(true)
    }

    /// The current calendar.
    pub async fn calendar(&self) -> Result<WorkingCalendar> {
        let days = self.store.calendar_days().await?;
        Ok(WorkingCalendar::new(
            days.into_iter().map(|d| (d.date, d.kind)),
        ))
    }

    pub async fn calendar_revisions(&self) -> Result<Vec<CalendarRevision>> {
        Ok(self.store.calendar_revisions().await?)
    }

    /// Imports a calendar file (calendar.md §1.1). Every year in the file replaces that year's
    /// listed days. Only the shell or an administrator of a top-level agency may do it; a change
    /// to a date already past needs a reason.
    pub async fn import_calendar(
        &self,
        actor: &Actor,
        text: &str,
        source: &str,
        reason: &str,
    ) -> Result<CalendarImport> {
        if let Actor::User(u) = actor {
            self.authorize(actor, Action::ManageAgencies, u.agency_id)
                .await?;
            let root = self
                .store
                .agency(u.agency_id)
                .await?
                .is_some_and(|a| a.parent_id.is_none());
            if !root || !u.roles.contains(&Role::Admin) {
                return Err(ServiceError::Refused(
                    "工作日历由本平台顶级机关的系统管理员维护".into(),
                ));
            }
        }
        let source = source.trim();
        if source.is_empty() {
            return Err(ServiceError::field(
                "source",
                "请填写依据：通知名称和文号，例如“国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）”",
            ));
        }
        let parsed = parse_tsv(text).map_err(|issues| {
            ServiceError::Invalid(
                issues
                    .into_iter()
                    .map(|i| FieldError {
                        field: "file",
                        message: format!("第 {} 行：{}", i.line, i.message),
                    })
                    .collect(),
            )
        })?;
        if parsed.days.is_empty() {
            return Err(ServiceError::field("file", "文件中没有日期行"));
        }
        // A change to a past date needs a reason (closed cases may need review).
        let today = self.clock.today();
        let years: BTreeSet<i32> = parsed.days.iter().map(|d| d.date.year()).collect();
        let old: BTreeMap<_, _> = self
            .store
            .calendar_days()
            .await?
            .into_iter()
            .filter(|d| years.contains(&d.date.year()))
            .map(|d| (d.date, (d.kind, d.name)))
            .collect();
        let new: BTreeMap<_, _> = parsed
            .days
            .iter()
            .map(|d| (d.date, (d.kind, d.name.clone())))
            .collect();
        let past_changed = old
            .keys()
            .chain(new.keys())
            .any(|d| *d < today && old.get(d) != new.get(d));
        if past_changed && reason.trim().is_empty() {
            return Err(ServiceError::field(
                "reason",
                "此次导入改动了已过去的日期，请填写理由（已办结事项的期限不会被改写）",
            ));
        }
        let revision = self
            .load_calendar(actor, parsed.days.clone(), source, reason.trim())
            .await?;
        // Every open case's deadline follows the new calendar; each move is recorded on the case.
        let recomputed = self.recompute_application_deadlines(actor).await?;
        Ok(CalendarImport {
            revision,
            recomputed,
            years: years.into_iter().collect(),
            rows: parsed.days.len(),
            warnings: parsed.warnings,
        })
    }

    async fn load_calendar(
        &self,
        actor: &Actor,
        days: Vec<CalendarDay>,
        source: &str,
        reason: &str,
    ) -> Result<i64> {
        let years: Vec<i32> = days
            .iter()
            .map(|d| d.date.year())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let years_text = years
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rev = CalendarRevision {
            id: 0,
            at: self.now_ms(),
            actor: actor.label(),
            source: source.to_owned(),
            reason: reason.to_owned(),
            years: years_text.clone(),
            rows: days.len() as i64,
            content_hash: content_hash(&days),
        };
        let mut tx = self.store.begin().await?;
        let id = tx.replace_calendar_years(&years, &days, &rev).await?;
        self.audit(&mut tx, actor, None, "calendar.import", ("calendar_revision", id.to_string()), json!({
            "source": source, "reason": reason, "years": years_text, "rows": days.len(), "content_hash": rev.content_hash,
        })).await?;
        tx.commit().await?;
        Ok(id)
    }
}
