//! Helpers for test harnesses: fresh databases on a PostgreSQL server.

use sqlx::Connection;

use crate::{Result, StoreError};

/// Drops and re-creates database `name` on the server of `server_url` and returns its URL.
/// `name` must be a plain identifier (letters, digits, `_`).
pub async fn recreate_postgres_database(server_url: &str, name: &str) -> Result<String> {
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || name.is_empty() {
        return Err(StoreError::Other(format!("bad database name {name}")));
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(server_url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // Replace the database part of the URL (before any query string).
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let root = match base.rfind('/') {
        Some(i) if base[..i].contains("://") && i > base.find("://").unwrap_or(0) + 2 => &base[..i],
        _ => base,
    };
    Ok(match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    })
}
