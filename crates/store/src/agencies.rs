//! Agencies (机关) in a hierarchy, and their divisions (处室).

use gongkai_domain::{AgencyId, DivisionId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, opt_i64};

/// What kind of agency: a people's government (本级政府), one of its departments, or other
/// (e.g. a public institution with disclosure duties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Government,
    Department,
    Other,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 3] = [
        AgencyKind::Government,
        AgencyKind::Department,
        AgencyKind::Other,
    ];

    pub const fn id(self) -> &'static str {
        match self {
            AgencyKind::Government => "government",
            AgencyKind::Department => "department",
            AgencyKind::Other => "other",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            AgencyKind::Government => "人民政府",
            AgencyKind::Department => "政府部门",
            AgencyKind::Other => "其他机关或单位",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.id() == s || k.label() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Agency {
    pub id: AgencyId,
    pub parent_id: Option<AgencyId>,
    pub name: String,
    pub kind: AgencyKind,
    /// `province`, `city` (设区的市), `county`, `township`; unset until an administrator sets it.
    pub level: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Division {
    pub id: DivisionId,
    pub agency_id: AgencyId,
    pub name: String,
    pub created_at: i64,
}

fn agency(row: &AnyRow) -> Result<Agency> {
    let kind: String = row.try_get("kind")?;
    Ok(Agency {
        id: AgencyId(row.try_get("id")?),
        parent_id: opt_i64(row, "parent_id")?.map(AgencyId),
        name: row.try_get("name")?,
        kind: AgencyKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(format!("unknown agency kind {kind}")))?,
        level: row.try_get("level")?,
        created_at: row.try_get("created_at")?,
    })
}

fn division(row: &AnyRow) -> Result<Division> {
    Ok(Division {
        id: DivisionId(row.try_get("id")?),
        agency_id: AgencyId(row.try_get("agency_id")?),
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

const AGENCY_COLS: &str = "SELECT id, parent_id, name, kind, level, created_at FROM agencies";

impl Store {
    /// Every agency, ordered by id (parents are always created before their children).
    pub async fn agencies(&self) -> Result<Vec<Agency>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{AGENCY_COLS} ORDER BY id")))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(agency).collect()
    }

    pub async fn agency(&self, id: AgencyId) -> Result<Option<Agency>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{AGENCY_COLS} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(agency).transpose()
    }

    pub async fn agency_by_name(&self, name: &str) -> Result<Option<Agency>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{AGENCY_COLS} WHERE name = $1"
        )))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agency).transpose()
    }

    pub async fn divisions(&self, agency_id: AgencyId) -> Result<Vec<Division>> {
        let rows = sqlx::query(
            "SELECT id, agency_id, name, created_at FROM divisions WHERE agency_id = $1 ORDER BY id",
        )
        .bind(agency_id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(division).collect()
    }

    pub async fn division(&self, id: DivisionId) -> Result<Option<Division>> {
        let row =
            sqlx::query("SELECT id, agency_id, name, created_at FROM divisions WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(division).transpose()
    }
}

impl Tx {
    pub async fn insert_agency(
        &mut self,
        parent: Option<AgencyId>,
        name: &str,
        kind: AgencyKind,
        now_ms: i64,
    ) -> Result<AgencyId> {
        let row = sqlx::query(
            "INSERT INTO agencies (parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(parent.map(|p| p.0))
        .bind(name)
        .bind(kind.id())
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| StoreError::conflict_or(e, format!("机关“{name}”")))?;
        Ok(AgencyId(row.try_get("id")?))
    }

    pub async fn rename_agency(
        &mut self,
        id: AgencyId,
        name: &str,
        kind: AgencyKind,
        level: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE agencies SET name = $1, kind = $2, level = $3 WHERE id = $4")
            .bind(name)
            .bind(kind.id())
            .bind(level.map(str::to_owned))
            .bind(id.0)
            .execute(&mut *self.inner)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("机关“{name}”")))?;
        Ok(())
    }

    pub async fn insert_division(
        &mut self,
        agency_id: AgencyId,
        name: &str,
        now_ms: i64,
    ) -> Result<DivisionId> {
        let row = sqlx::query(
            "INSERT INTO divisions (agency_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(agency_id.0)
        .bind(name)
        .bind(now_ms)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| StoreError::conflict_or(e, format!("处室“{name}”")))?;
        Ok(DivisionId(row.try_get("id")?))
    }

    pub async fn rename_division(&mut self, id: DivisionId, name: &str) -> Result<()> {
        sqlx::query("UPDATE divisions SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(&mut *self.inner)
            .await
            .map_err(|e| StoreError::conflict_or(e, format!("处室“{name}”")))?;
        Ok(())
    }
}
