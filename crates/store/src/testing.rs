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

/// One published item for [`bulk_published_items`].
#[derive(Clone, Debug)]
pub struct BulkItem {
    pub agency_id: i64,
    pub column_id: i64,
    pub drafter_id: i64,
    pub content: crate::ItemContent,
    pub index_no: String,
    pub published_at: i64,
}

/// Inserts published items directly, bypassing review and audit — for benchmarks only
/// (`gongkai bench-seed`), never for real data.
/// `public_json` builds the published rendition from the new id.
pub async fn bulk_published_items(
    store: &crate::Store,
    items: &[BulkItem],
    mut public_json: impl FnMut(i64, &BulkItem) -> String,
) -> Result<()> {
    use sqlx::Row;
    let mut tx = store.pool.begin().await?;
    for i in items {
        let c = &i.content;
        let row = sqlx::query(
            "INSERT INTO items (agency_id, column_id, drafter_id, title, summary, body, publisher, doc_number, \
             generated_on, topic, genre, keywords, attribute, attribute_reason, status, review_round, \
             was_published, publish_due, index_no, published_at, created_at, updated_at, validity, repealed_on, \
             doc_class) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', '', 'published', 1, 1, $13, \
             $14, $15, $15, $15, $16, $17, $18) RETURNING id",
        )
        .bind(i.agency_id)
        .bind(i.column_id)
        .bind(i.drafter_id)
        .bind(&c.title)
        .bind(&c.summary)
        .bind(&c.body)
        .bind(&c.publisher)
        .bind(&c.doc_number)
        .bind(&c.generated_on)
        .bind(&c.topic)
        .bind(&c.genre)
        .bind(&c.keywords)
        .bind(&c.generated_on)
        .bind(&i.index_no)
        .bind(i.published_at)
        .bind(c.validity.clone())
        .bind(c.repealed_on.clone())
        .bind(c.doc_class.clone())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        sqlx::query("UPDATE items SET public_json = $1 WHERE id = $2")
            .bind(public_json(id, i))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
