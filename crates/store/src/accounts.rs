//! Staff accounts, their roles, one-time account tokens and failed-login records.

use gongkai_domain::{AgencyId, DivisionId, Role, UserId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, opt_i64};

/// A staff account as the application sees it (the password hash is read separately).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub agency_id: AgencyId,
    pub division_id: Option<DivisionId>,
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// Set once the account has a password (accounts start with a setup link).
    pub has_password: bool,
    /// Raised on every password change or reset and on disabling: older sessions end.
    pub auth_epoch: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a one-time account token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Create the first administrator of a new site.
    Setup,
    /// Set a password for an existing account (new account or admin reset).
    Reset,
}

impl TokenPurpose {
    const fn id(self) -> &'static str {
        match self {
            TokenPurpose::Setup => "setup",
            TokenPurpose::Reset => "reset",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountToken {
    pub purpose: TokenPurpose,
    pub user_id: Option<UserId>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const USER_COLS: &str = "SELECT id, username, display_name, agency_id, division_id, disabled, \
     auth_epoch, created_at, updated_at, \
     CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END AS has_password FROM users";

fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        agency_id: AgencyId(row.try_get("agency_id")?),
        division_id: opt_i64(row, "division_id")?.map(DivisionId),
        roles: Vec::new(),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        has_password: row.try_get::<i64, _>("has_password")? != 0,
        auth_epoch: row.try_get("auth_epoch")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    async fn with_roles(&self, mut users: Vec<User>) -> Result<Vec<User>> {
        if users.is_empty() {
            return Ok(users);
        }
        // One query for all roles; the user lists of a page are small.
        let rows = sqlx::query("SELECT user_id, role FROM user_roles ORDER BY user_id")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let uid: i64 = r.try_get("user_id")?;
            let role: String = r.try_get("role")?;
            if let Some(u) = users.iter_mut().find(|u| u.id.0 == uid)
                && let Ok(role) = role.parse::<Role>()
            {
                u.roles.push(role);
            }
        }
        for u in &mut users {
            u.roles.sort();
        }
        Ok(users)
    }

    async fn roles_of(&self, id: UserId) -> Result<Vec<Role>> {
        let rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1")
            .bind(id.0)
            .fetch_all(&self.pool)
            .await?;
        let mut roles: Vec<Role> = rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>("role").ok()?.parse().ok())
            .collect();
        roles.sort();
        Ok(roles)
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{USER_COLS} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut u = user(&row)?;
        u.roles = self.roles_of(u.id).await?;
        Ok(Some(u))
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{USER_COLS} WHERE username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut u = user(&row)?;
        u.roles = self.roles_of(u.id).await?;
        Ok(Some(u))
    }

    /// Every account, ordered by agency then user name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{USER_COLS} ORDER BY agency_id, username"
        )))
        .fetch_all(&self.pool)
        .await?;
        let users = rows.iter().map(user).collect::<Result<Vec<_>>>()?;
        self.with_roles(users).await
    }

    pub async fn password_hash(&self, id: UserId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| {
            r.try_get::<Option<String>, _>("password_hash")
                .ok()
                .flatten()
        }))
    }

    /// Whether any enabled administrator with a password exists (else the site needs setup).
    pub async fn has_admin(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users u JOIN user_roles r ON r.user_id = u.id \
             WHERE r.role = 'admin' AND u.disabled = 0 AND u.password_hash IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    pub async fn account_token(&self, token_hash: &str) -> Result<Option<AccountToken>> {
        let row = sqlx::query(
            "SELECT purpose, user_id, expires_at, used_at FROM account_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let purpose: String = row.try_get("purpose")?;
        Ok(Some(AccountToken {
            purpose: if purpose == "setup" {
                TokenPurpose::Setup
            } else {
                TokenPurpose::Reset
            },
            user_id: opt_i64(&row, "user_id")?.map(UserId),
            expires_at: row.try_get("expires_at")?,
            used_at: opt_i64(&row, "used_at")?,
        }))
    }

    /// Times of failed logins under `key` after `since_ms`.
    pub async fn login_failures(&self, key: &str, since_ms: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT at FROM login_failures WHERE key = $1 AND at > $2")
            .bind(key)
            .bind(since_ms)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("at")?))
            .collect()
    }

    /// Records a failed login (outside any audited transaction: it must stick even when the
    /// login is refused) and forgets failures older than `forget_before_ms`.
    pub async fn record_login_failure(
        &self,
        keys: &[String],
        now_ms: i64,
        forget_before_ms: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for key in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(forget_before_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_user(
        &mut self,
        username: &str,
        display_name: &str,
        agency_id: AgencyId,
        division_id: Option<DivisionId>,
        roles: &[Role],
        password_hash: Option<&str>,
        now_ms: i64,
    ) -> Result<UserId> {
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, agency_id, division_id, password_hash, \
             disabled, auth_epoch, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $6) RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(agency_id.0)
        .bind(division_id.map(|d| d.0))
        .bind(password_hash)
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| StoreError::conflict_or(e, format!("用户名“{username}”")))?;
        let id = UserId(row.try_get("id")?);
        self.set_roles(id, roles).await?;
        Ok(id)
    }

    pub async fn set_roles(&mut self, id: UserId, roles: &[Role]) -> Result<()> {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        for r in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(id.0)
                .bind(r.id())
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn update_user_profile(
        &mut self,
        id: UserId,
        display_name: &str,
        division_id: Option<DivisionId>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET display_name = $1, division_id = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(display_name)
        .bind(division_id.map(|d| d.0))
        .bind(now_ms)
        .bind(id.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Sets the password hash (or clears it) and raises the auth epoch, ending older sessions.
    pub async fn set_password_hash(
        &mut self,
        id: UserId,
        hash: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE users SET password_hash = $1, auth_epoch = auth_epoch + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(now_ms)
        .bind(id.0)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn set_disabled(&mut self, id: UserId, disabled: bool, now_ms: i64) -> Result<()> {
        sqlx::query(
            "UPDATE users SET disabled = $1, auth_epoch = auth_epoch + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(i64::from(disabled))
        .bind(now_ms)
        .bind(id.0)
        .execute(&mut *self.inner)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Stores a one-time token (its hash only); earlier unused tokens of the same purpose and
    /// user are revoked.
    pub async fn insert_account_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        user_id: Option<UserId>,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE account_tokens SET used_at = $1 WHERE used_at IS NULL AND purpose = $2 \
             AND ((user_id IS NULL AND $3 IS NULL) OR user_id = $3)",
        )
        .bind(now_ms)
        .bind(purpose.id())
        .bind(user_id.map(|u| u.0))
        .execute(&mut *self.inner)
        .await?;
        sqlx::query(
            "INSERT INTO account_tokens (token_hash, purpose, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(purpose.id())
        .bind(user_id.map(|u| u.0))
        .bind(now_ms)
        .bind(expires_at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Marks a token used; `false` if it was already used (a concurrent use lost the race).
    pub async fn use_account_token(&mut self, token_hash: &str, now_ms: i64) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(now_ms)
        .bind(token_hash)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn clear_login_failures(&mut self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}
