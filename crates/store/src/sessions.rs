//! Sessions live in the database so any instance can serve any request.
//! Only the SHA-256 of the cookie value is stored.

use gongkai_domain::UserId;
use sqlx::Row;

use crate::{Result, Store, opt_i64};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: Option<UserId>,
    pub auth_epoch: i64,
    pub csrf: String,
    pub touched_at: i64,
    pub expires_at: i64,
    pub absolute_expires_at: i64,
}

impl Store {
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT user_id, auth_epoch, csrf, touched_at, expires_at, absolute_expires_at \
             FROM sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRow {
            user_id: opt_i64(&row, "user_id")?.map(UserId),
            auth_epoch: row.try_get("auth_epoch")?,
            csrf: row.try_get("csrf")?,
            touched_at: row.try_get("touched_at")?,
            expires_at: row.try_get("expires_at")?,
            absolute_expires_at: row.try_get("absolute_expires_at")?,
        }))
    }

    pub async fn insert_session(&self, id_hash: &str, s: &SessionRow, now_ms: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, auth_epoch, csrf, created_at, touched_at, \
             expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id_hash)
        .bind(s.user_id.map(|u| u.0))
        .bind(s.auth_epoch)
        .bind(&s.csrf)
        .bind(now_ms)
        .bind(s.touched_at)
        .bind(s.expires_at)
        .bind(s.absolute_expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Slides the inactivity expiry forward.
    pub async fn touch_session(&self, id_hash: &str, now_ms: i64, expires_at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET touched_at = $1, expires_at = $2 WHERE id_hash = $3")
            .bind(now_ms)
            .bind(expires_at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes expired sessions; returns how many.
    pub async fn purge_sessions(&self, now_ms: i64) -> Result<u64> {
        let r =
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR absolute_expires_at < $1")
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
        Ok(r.rows_affected())
    }
}
