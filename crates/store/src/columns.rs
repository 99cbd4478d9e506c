//! Portal columns (栏目) of each agency.

use gongkai_domain::{AgencyId, ColumnId, ColumnKind, LawItem};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, opt_i64};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Column {
    pub id: ColumnId,
    pub agency_id: AgencyId,
    pub parent_id: Option<ColumnId>,
    pub name: String,
    pub kind: ColumnKind,
    pub law_item: Option<LawItem>,
    /// Order among siblings (ascending).
    pub position: i64,
    /// Days without a new item after which the column is stale; `None` = the kind's default.
    pub stale_days: Option<i64>,
    /// Part of the standard 政府信息公开 column: never renamed, moved or deleted by hand.
    pub standard: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new column.
#[derive(Clone, Debug)]
pub struct NewColumn<'a> {
    pub agency_id: AgencyId,
    pub parent_id: Option<ColumnId>,
    pub name: &'a str,
    pub kind: ColumnKind,
    pub law_item: Option<LawItem>,
    pub stale_days: Option<i64>,
    pub standard: bool,
}

const COLS: &str = "SELECT id, agency_id, parent_id, name, kind, law_item, position, stale_days, standard, \
     created_at, updated_at FROM columns";

fn column(row: &AnyRow) -> Result<Column> {
    let kind: String = row.try_get("kind")?;
    let law: Option<String> = row.try_get("law_item")?;
    Ok(Column {
        id: ColumnId(row.try_get("id")?),
        agency_id: AgencyId(row.try_get("agency_id")?),
        parent_id: opt_i64(row, "parent_id")?.map(ColumnId),
        name: row.try_get("name")?,
        kind: ColumnKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(format!("unknown column kind {kind}")))?,
        law_item: law.as_deref().and_then(LawItem::parse),
        position: row.try_get("position")?,
        stale_days: opt_i64(row, "stale_days")?,
        standard: row.try_get::<i64, _>("standard")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// The columns of an agency, ordered by parent then position.
    pub async fn columns(&self, agency: AgencyId) -> Result<Vec<Column>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{COLS} WHERE agency_id = $1 ORDER BY parent_id, position, id"
        )))
        .bind(agency.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(column).collect()
    }

    pub async fn column(&self, id: ColumnId) -> Result<Option<Column>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{COLS} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(column).transpose()
    }

    /// Agencies that have no standard 政府信息公开 column yet.
    pub async fn agencies_without_standard_column(&self) -> Result<Vec<AgencyId>> {
        let rows = sqlx::query(
            "SELECT a.id FROM agencies a WHERE NOT EXISTS \
             (SELECT 1 FROM columns c WHERE c.agency_id = a.id AND c.kind = 'disclosure') ORDER BY a.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(AgencyId(r.try_get("id")?)))
            .collect()
    }
}

impl Tx {
    /// Inserts a column at the end of its siblings. A sibling with the same name is a conflict.
    pub async fn insert_column(&mut self, c: &NewColumn<'_>, now_ms: i64) -> Result<ColumnId> {
        let siblings = sqlx::query(
            "SELECT name, position FROM columns WHERE agency_id = $1 AND \
             ((parent_id IS NULL AND $2 IS NULL) OR parent_id = $2)",
        )
        .bind(c.agency_id.0)
        .bind(c.parent_id.map(|p| p.0))
        .fetch_all(&mut *self.inner)
        .await?;
        let mut last = 0_i64;
        for r in &siblings {
            let name: String = r.try_get("name")?;
            if name == c.name {
                return Err(StoreError::Conflict(format!(
                    "同一上级栏目下的栏目“{}”",
                    c.name
                )));
            }
            last = last.max(r.try_get::<i64, _>("position")?);
        }
        let row = sqlx::query(
            "INSERT INTO columns (agency_id, parent_id, name, kind, law_item, position, stale_days, standard, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(c.agency_id.0)
        .bind(c.parent_id.map(|p| p.0))
        .bind(c.name)
        .bind(c.kind.id())
        .bind(c.law_item.map(LawItem::id))
        .bind(last + 1)
        .bind(c.stale_days)
        .bind(i64::from(c.standard))
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(ColumnId(row.try_get("id")?))
    }

    /// Renames a column, changes its kind and freshness override. A sibling with the new name is
    /// a conflict.
    pub async fn update_column(
        &mut self,
        c: &Column,
        name: &str,
        kind: ColumnKind,
        stale_days: Option<i64>,
        now_ms: i64,
    ) -> Result<()> {
        let clash = sqlx::query(
            "SELECT COUNT(*) AS n FROM columns WHERE agency_id = $1 AND id <> $2 AND name = $3 AND \
             ((parent_id IS NULL AND $4 IS NULL) OR parent_id = $4)",
        )
        .bind(c.agency_id.0)
        .bind(c.id.0)
        .bind(name)
        .bind(c.parent_id.map(|p| p.0))
        .fetch_one(&mut *self.inner)
        .await?;
        if clash.try_get::<i64, _>("n")? > 0 {
            return Err(StoreError::Conflict(format!(
                "同一上级栏目下的栏目“{name}”"
            )));
        }
        sqlx::query("UPDATE columns SET name = $1, kind = $2, stale_days = $3, updated_at = $4 WHERE id = $5")
            .bind(name)
            .bind(kind.id())
            .bind(stale_days)
            .bind(now_ms)
            .bind(c.id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Swaps the positions of two sibling columns.
    pub async fn swap_columns(&mut self, a: &Column, b: &Column, now_ms: i64) -> Result<()> {
        for (id, pos) in [(a.id, b.position), (b.id, a.position)] {
            sqlx::query("UPDATE columns SET position = $1, updated_at = $2 WHERE id = $3")
                .bind(pos)
                .bind(now_ms)
                .bind(id.0)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn delete_column(&mut self, id: ColumnId) -> Result<()> {
        sqlx::query("DELETE FROM columns WHERE id = $1")
            .bind(id.0)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}
