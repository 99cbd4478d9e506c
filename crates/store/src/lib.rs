//! gongkai-store — the only place with SQL.
//!
//! One [`Store`] over SQLite (embedded, the default: one file in the data directory, WAL mode) or
//! PostgreSQL (for scale: several stateless instances). Both run the same `$N`-placeholder SQL
//! through sqlx's `Any` driver; the few DDL differences live in `migrations/{sqlite,postgres}/`,
//! numbered alike (a test checks). Conventions (docs/adr/0005): timestamps are BIGINT Unix
//! milliseconds, booleans INTEGER 0/1, every integer decoded as `i64`, `SUM()` cast to BIGINT.
//!
//! Writes go through [`Tx`] (see [`Store::begin`]): a transaction that serialises writers
//! (`BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL) so the audit hash chain can be
//! extended without races, and whose [`Tx::audit`] appends the audit event of the change in the
//! same transaction. What must not be here: permission checks, HTML, HTTP.

mod accounts;
mod agencies;
mod applications;
mod audit;
mod calendar;
mod columns;
mod items;
mod migrate;
mod reports;
mod sessions;
pub mod testing;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};

pub use accounts::{AccountToken, TokenPurpose, User};
pub use agencies::{Agency, AgencyKind, Division};
pub use applications::{
    ApplicationEvent, ApplicationFile, ApplicationFilter, ApplicationRow, ProceedingRow, Reminder,
};
pub use audit::AuditFilter;
pub use calendar::CalendarRevision;
pub use columns::{Column, NewColumn};
pub use items::{Attachment, Item, ItemContent, ItemEvent, ItemFilter, ItemStat};
pub use migrate::migrations;
pub use reports::{AnnualReportRow, CountedApplication, ReportFigure};
pub use sessions::SessionRow;

/// The database behind a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors of the storage layer. `Display` is for logs and the operator, not for the public.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}")]
    BadUrl(String),
    #[error("无法打开数据库 {url}：{source}")]
    Open { url: String, source: sqlx::Error },
    #[error("数据库迁移失败（{url}）：{source}")]
    Migrate {
        url: String,
        source: sqlx::migrate::MigrateError,
    },
    /// A unique constraint refused the write; the text names what already exists.
    #[error("已存在：{0}")]
    Conflict(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    fn conflict_or(e: sqlx::Error, what: impl Into<String>) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return StoreError::Conflict(what.into());
        }
        StoreError::Db(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The platform's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The URL with any password removed, for messages.
    display_url: String,
    sqlite_path: Option<PathBuf>,
}

/// The SQLite file inside a data directory.
pub fn sqlite_file(data_dir: &Path) -> PathBuf {
    data_dir.join("gongkai.db")
}

/// The URL of the SQLite database of a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", sqlite_file(data_dir).display())
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host → postgres://user:***@host
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
        && let Some((user, _)) = cred.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_owned()
}

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`) without migrating.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let display_url = redact(url);
        let (backend, sqlite_path) = if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            (Backend::Sqlite, Some(PathBuf::from(path)))
        } else if url.starts_with("sqlite:") {
            (Backend::Sqlite, None)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, None)
        } else {
            return Err(StoreError::BadUrl(format!(
                "“{display_url}” 既不是 sqlite:// 也不是 postgres:// 地址"
            )));
        };
        if let Some(p) = &sqlite_path
            && let Some(dir) = p.parent()
            && !dir.as_os_str().is_empty()
            && !dir.is_dir()
        {
            return Err(StoreError::Open {
                url: display_url,
                source: sqlx::Error::Configuration(format!("目录 {} 不存在", dir.display()).into()),
            });
        }
        let max = if backend == Backend::Sqlite { 8 } else { 16 };
        let read_only = url.contains("mode=ro");
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if conn.backend_name() == "SQLite" && read_only {
                        sqlx::raw_sql("PRAGMA busy_timeout=10000;")
                            .execute(&mut *conn)
                            .await?;
                    } else if conn.backend_name() == "SQLite" {
                        // FULL: an acknowledged commit survives power loss, not only a crash.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
                        )
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                url: display_url.clone(),
                source,
            })?;
        Ok(Self {
            pool,
            backend,
            display_url,
            sqlite_path,
        })
    }

    /// Connects and applies every pending migration.
    pub async fn open(url: &str) -> Result<Self> {
        let s = Self::connect(url).await?;
        s.migrate().await?;
        Ok(s)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password hidden.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// The SQLite file, when the store is an SQLite file.
    pub fn sqlite_path(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begins a write transaction. Writers are serialised: on SQLite by `BEGIN IMMEDIATE`, on
    /// PostgreSQL by a transaction-level advisory lock, so the audit chain's tail is stable.
    pub async fn begin(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7261001)")
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(Tx {
            inner: tx,
            backend: self.backend,
            tail: None,
        })
    }

    /// A consistent online copy of an SQLite database (`VACUUM INTO`), safe while the server runs.
    pub async fn sqlite_snapshot(&self, dest: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Other(
                "在线快照仅适用于 SQLite；PostgreSQL 请使用 pg_dump（见 README 的“备份”一节）"
                    .into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Other(format!(
                "目标文件 {} 已存在，不会覆盖",
                dest.display()
            )));
        }
        let path = dest.to_string_lossy().replace('\'', "''");
        sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'")))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts rows of a table; for tests and the admin overview. `table` must be a known name.
    pub async fn count(&self, table: &str) -> Result<i64> {
        const TABLES: [&str; 11] = [
            "applications",
            "application_events",
            "proceedings",
            "agencies",
            "divisions",
            "users",
            "sessions",
            "audit_events",
            "account_tokens",
            "columns",
            "items",
        ];
        if !TABLES.contains(&table) {
            return Err(StoreError::Other(format!("unknown table {table}")));
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// A site setting (`settings` table).
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get::<String, _>("value")).transpose()?)
    }
}

/// A write transaction; see [`Store::begin`]. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    /// The audit chain's tail `(seq, hash)` once read in this transaction.
    tail: Option<(i64, String)>,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sets a site setting.
    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    pub async fn delete_setting(&mut self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(key)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

fn opt_i64(row: &AnyRow, col: &str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(col)?)
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" => Ok(Backend::Postgres),
            _ => Err(format!("unknown backend {s}")),
        }
    }
}
