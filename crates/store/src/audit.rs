//! The append-only, hash-chained audit log.

use std::fmt::Write as _;

use gongkai_domain::audit::{AuditEvent, NewAuditEvent};
use gongkai_domain::{ChainReport, ChainVerifier, GENESIS_HASH};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, Tx, opt_i64};

/// Filters of the audit browser. `agencies` limits to events of those agencies (a supervisor's
/// subtree); `None` means all. Empty strings are ignored.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub agencies: Option<Vec<i64>>,
    pub actor: Option<String>,
    /// Action id or its prefix (`user.` matches `user.create`, `user.disable`, …).
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events with `seq` below this (keyset pagination, newest first).
    pub before_seq: Option<i64>,
}

const COLS: &str = "SELECT seq, at, actor_id, actor, agency_id, action, object_type, object_id, \
     detail, prev_hash, hash FROM audit_events";

fn event(row: &AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at")?,
        actor_id: opt_i64(row, "actor_id")?,
        actor: row.try_get("actor")?,
        agency_id: opt_i64(row, "agency_id")?,
        action: row.try_get("action")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        detail: row.try_get("detail")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

impl Store {
    /// One page of events, newest first.
    pub async fn audit_events(&self, f: &AuditFilter, limit: i64) -> Result<Vec<AuditEvent>> {
        // Placeholders are numbered here; QueryBuilder<Any> would emit `?`, which PostgreSQL refuses.
        let mut sql = format!("{COLS} WHERE 1 = 1");
        let mut ints: Vec<i64> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        // Integers are bound first, then texts: build the SQL in that order.
        if let Some(ids) = &f.agencies {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let ph: Vec<String> = ids.iter().map(|_| format!("${}", next())).collect();
            let _ = write!(sql, " AND agency_id IN ({})", ph.join(", "));
            ints.extend(ids);
        }
        for (v, cond) in [
            (f.from_ms, "at >="),
            (f.to_ms, "at <"),
            (f.before_seq, "seq <"),
        ] {
            if let Some(v) = v {
                let _ = write!(sql, " AND {cond} ${}", next());
                ints.push(v);
            }
        }
        if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
            let _ = write!(sql, " AND actor = ${}", next());
            texts.push(a.to_owned());
        }
        if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
            let i = next();
            let j = next();
            let _ = write!(
                sql,
                " AND (action = ${i} OR substr(action, 1, {}) = ${j})",
                a.len() as i64
            );
            texts.push(a.to_owned());
            texts.push(a.to_owned());
        }
        let _ = write!(sql, " ORDER BY seq DESC LIMIT ${}", next());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in ints {
            q = q.bind(v);
        }
        for t in texts {
            q = q.bind(t);
        }
        q = q.bind(limit);
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(event).collect()
    }

    pub async fn audit_event(&self, seq: i64) -> Result<Option<AuditEvent>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLS} WHERE seq = $1")))
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(event).transpose()
    }

    /// Walks the whole chain in pages and reports the first break.
    pub async fn verify_audit_chain(&self, anchor: Option<(i64, String)>) -> Result<ChainReport> {
        let mut v = ChainVerifier::new(anchor);
        // Pages by row position, not by seq value: a gap in seq must still be seen.
        let mut offset = 0_i64;
        'pages: loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{COLS} ORDER BY seq LIMIT 1000 OFFSET $1"
            )))
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            offset += rows.len() as i64;
            for r in &rows {
                let e = event(r)?;
                if !v.feed(&e) {
                    break 'pages;
                }
            }
        }
        Ok(v.finish())
    }
}

impl Tx {
    /// Appends the audit event of this transaction's change. Call before [`Tx::commit`].
    pub async fn audit(&mut self, e: NewAuditEvent) -> Result<i64> {
        let (seq, hash) = match self.tail.take() {
            Some(t) => t,
            None => {
                let row =
                    sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *self.inner)
                        .await?;
                match row {
                    Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
                    None => (0, GENESIS_HASH.to_owned()),
                }
            }
        };
        let ev = e.chain(seq, &hash);
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor_id, actor, agency_id, action, object_type, \
             object_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(ev.seq)
        .bind(ev.at_ms)
        .bind(ev.actor_id)
        .bind(&ev.actor)
        .bind(ev.agency_id)
        .bind(&ev.action)
        .bind(&ev.object_type)
        .bind(&ev.object_id)
        .bind(&ev.detail)
        .bind(&ev.prev_hash)
        .bind(&ev.hash)
        .execute(&mut *self.inner)
        .await?;
        self.tail = Some((ev.seq, ev.hash));
        Ok(ev.seq)
    }
}
