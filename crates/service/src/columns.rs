//! Portal columns (栏目): the standard 政府信息公开 tree of every agency, and the agency's own.

use gongkai_domain::column::{StandardColumn, column_name, standard_tree};
use gongkai_domain::{Action, AgencyId, ColumnId, ColumnKind};
use gongkai_store::{Column, NewColumn, Tx};
use serde::Serialize;
use serde_json::json;

use crate::{Actor, Result, Service, ServiceError};

/// A column with its depth, in tree order.
#[derive(Clone, Debug, Serialize)]
pub struct ColumnNode {
    pub column: Column,
    pub depth: usize,
    /// Whether it has sub-columns (then it cannot be deleted).
    pub has_children: bool,
}

/// Orders columns depth first by position.
pub fn column_tree(all: &[Column]) -> Vec<ColumnNode> {
    let mut out = Vec::with_capacity(all.len());
    let mut stack: Vec<(&Column, usize)> = Vec::new();
    let children = |p: Option<ColumnId>| {
        let mut v: Vec<&Column> = all.iter().filter(|c| c.parent_id == p).collect();
        v.sort_by_key(|c| (c.position, c.id));
        v
    };
    stack.extend(children(None).into_iter().rev().map(|c| (c, 0)));
    while let Some((c, depth)) = stack.pop() {
        let kids = children(Some(c.id));
        out.push(ColumnNode {
            column: c.clone(),
            depth,
            has_children: !kids.is_empty(),
        });
        if out.len() > all.len() {
            break;
        }
        stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
    }
    out
}

/// Inserts the standard tree for `agency` (inside the caller's transaction); returns how many
/// columns were created.
pub(crate) async fn insert_standard_tree(
    tx: &mut Tx,
    agency: AgencyId,
    now_ms: i64,
) -> Result<usize> {
    let mut n = 0;
    let mut pending: Vec<(Option<ColumnId>, StandardColumn)> = vec![(None, standard_tree())];
    while let Some((parent, col)) = pending.pop() {
        let id = tx
            .insert_column(
                &NewColumn {
                    agency_id: agency,
                    parent_id: parent,
                    name: col.name,
                    kind: col.kind,
                    law_item: col.law_item,
                    stale_days: None,
                    standard: true,
                },
                now_ms,
            )
            .await?;
        n += 1;
        // Reversed onto the stack, so siblings are inserted (and numbered) in the article's order.
        for child in col.children.into_iter().rev() {
            pending.push((Some(id), child));
        }
    }
    Ok(n)
}

/// Adds the Art. 21 sub-columns of `level` that the agency's 法定主动公开内容 lacks; returns how
/// many were added.
pub(crate) async fn add_art21_columns(
    tx: &mut Tx,
    store: &gongkai_store::Store,
    agency: AgencyId,
    level: Option<gongkai_domain::AgencyLevel>,
    now_ms: i64,
) -> Result<usize> {
    let columns = store.columns(agency).await?;
    let Some(parent) = columns.iter().find(|c| c.kind == ColumnKind::Statutory) else {
        return Ok(0);
    };
    let mut n = 0;
    for col in gongkai_domain::column::art21_columns(level) {
        // Already there — or a column of the same name (土地征收, 房屋征收 and 社会救助 are in both
        // lists) serves the item after a change of level.
        if columns.iter().any(|c| {
            c.law_item == col.law_item || (c.parent_id == Some(parent.id) && c.name == col.name)
        }) {
            continue;
        }
        tx.insert_column(
            &NewColumn {
                agency_id: agency,
                parent_id: Some(parent.id),
                name: col.name,
                kind: col.kind,
                law_item: col.law_item,
                stale_days: None,
                standard: true,
            },
            now_ms,
        )
        .await?;
        n += 1;
    }
    Ok(n)
}

fn stale_days(v: Option<i64>) -> Result<Option<i64>> {
    match v {
        Some(d) if !(1..=3660).contains(&d) => Err(ServiceError::field(
            "stale_days",
            "更新期限应为 1–3660 天；留空则按栏目类型的检查标准",
        )),
        v => Ok(v),
    }
}

impl Service {
    /// Creates the standard 政府信息公开 column for every agency that lacks it (start-up).
    pub async fn ensure_standard_columns(&self) -> Result<usize> {
        let mut total = 0;
        for agency in self.store.agencies_without_standard_column().await? {
            let mut tx = self.store.begin().await?;
            let n = insert_standard_tree(&mut tx, agency, self.now_ms()).await?;
            self.audit(
                &mut tx,
                &Actor::System,
                Some(agency),
                "column.standard",
                ("agency", agency.to_string()),
                json!({ "columns": n }),
            )
            .await?;
            tx.commit().await?;
            total += n;
        }
        Ok(total)
    }

    /// The columns of an agency in tree order.
    pub async fn columns(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<ColumnNode>> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        Ok(column_tree(&self.store.columns(agency).await?))
    }

    async fn column_or_404(&self, id: ColumnId) -> Result<Column> {
        self.store
            .column(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该栏目".into()))
    }

    /// Adds a column at the end of `parent`'s sub-columns (or at the top level).
    pub async fn create_column(
        &self,
        actor: &Actor,
        agency: AgencyId,
        parent: Option<ColumnId>,
        name: &str,
        kind: &str,
        stale: Option<i64>,
    ) -> Result<Column> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageColumns, agency).await?;
        if let Some(p) = parent {
            let pc = self.column_or_404(p).await?;
            if pc.agency_id != agency {
                return Err(ServiceError::field("parent_id", "上级栏目不属于该机关"));
            }
        }
        let name = column_name(name).map_err(|m| ServiceError::field("name", m))?;
        let kind = ColumnKind::parse(kind)
            .filter(|k| !k.is_standard())
            .ok_or_else(|| ServiceError::field("kind", "请选择栏目类型"))?;
        let stale = stale_days(stale)?;
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_column(
                &NewColumn {
                    agency_id: agency,
                    parent_id: parent,
                    name: &name,
                    kind,
                    law_item: None,
                    stale_days: stale,
                    standard: false,
                },
                self.now_ms(),
            )
            .await?;
        self.audit(&mut tx, actor, Some(agency), "column.create", ("column", id.to_string()),
            json!({ "name": name, "kind": kind.id(), "parent": parent.map(|p| p.0), "stale_days": stale })).await?;
        tx.commit().await?;
        self.column_or_404(id).await
    }

    /// Renames a column, changes its kind and freshness override. Standard columns keep their
    /// name and kind; only their freshness override may change.
    pub async fn update_column(
        &self,
        actor: &Actor,
        id: ColumnId,
        name: &str,
        kind: &str,
        stale: Option<i64>,
    ) -> Result<Column> {
        let c = self.column_or_404(id).await?;
        self.authorize(actor, Action::ManageColumns, c.agency_id)
            .await?;
        let stale = stale_days(stale)?;
        let (name, kind) = if c.standard {
            (c.name.clone(), c.kind)
        } else {
            let name = column_name(name).map_err(|m| ServiceError::field("name", m))?;
            let kind = ColumnKind::parse(kind)
                .filter(|k| !k.is_standard())
                .ok_or_else(|| ServiceError::field("kind", "请选择栏目类型"))?;
            (name, kind)
        };
        let mut tx = self.store.begin().await?;
        tx.update_column(&c, &name, kind, stale, self.now_ms())
            .await?;
        self.audit(&mut tx, actor, Some(c.agency_id), "column.update", ("column", id.to_string()), json!({
            "name": [c.name, name], "kind": [c.kind.id(), kind.id()], "stale_days": [c.stale_days, stale],
        })).await?;
        tx.commit().await?;
        self.column_or_404(id).await
    }

    /// Moves a column one place up or down among its siblings.
    pub async fn move_column(&self, actor: &Actor, id: ColumnId, up: bool) -> Result<Column> {
        let c = self.column_or_404(id).await?;
        self.authorize(actor, Action::ManageColumns, c.agency_id)
            .await?;
        if c.standard {
            return Err(ServiceError::Refused(
                "标准栏目“政府信息公开”的顺序按规定固定，不能调整".into(),
            ));
        }
        let mut siblings: Vec<Column> = self
            .store
            .columns(c.agency_id)
            .await?
            .into_iter()
            .filter(|s| s.parent_id == c.parent_id)
            .collect();
        siblings.sort_by_key(|s| (s.position, s.id));
        let Some(i) = siblings.iter().position(|s| s.id == id) else {
            return Ok(c);
        };
        let j = if up {
            i.checked_sub(1)
        } else {
            Some(i + 1).filter(|&j| j < siblings.len())
        };
        let Some(j) = j else { return Ok(c) };
        let other = siblings[j].clone();
        if other.standard {
            return Err(ServiceError::Refused(
                "不能移到标准栏目“政府信息公开”之前".into(),
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.swap_columns(&c, &other, self.now_ms()).await?;
        self.audit(
            &mut tx,
            actor,
            Some(c.agency_id),
            "column.move",
            ("column", id.to_string()),
            json!({ "name": c.name, "direction": if up { "up" } else { "down" } }),
        )
        .await?;
        tx.commit().await?;
        self.column_or_404(id).await
    }

    /// Deletes an empty column without sub-columns. Standard columns cannot be deleted.
    pub async fn delete_column(&self, actor: &Actor, id: ColumnId) -> Result<()> {
        let c = self.column_or_404(id).await?;
        self.authorize(actor, Action::ManageColumns, c.agency_id)
            .await?;
        if c.standard {
            return Err(ServiceError::Refused(
                "标准栏目“政府信息公开”及其子栏目不能删除".into(),
            ));
        }
        if self
            .store
            .columns(c.agency_id)
            .await?
            .iter()
            .any(|s| s.parent_id == Some(id))
        {
            return Err(ServiceError::Refused(format!(
                "栏目“{}”下还有子栏目，请先删除或移走子栏目",
                c.name
            )));
        }
        let n = self.store.items_in_column(id.0).await?;
        if n > 0 {
            return Err(ServiceError::Refused(format!(
                "栏目“{}”中有 {n} 条信息（含草稿和已撤回的），不能删除；可改名或调整类型",
                c.name
            )));
        }
        let mut tx = self.store.begin().await?;
        tx.delete_column(id).await?;
        self.audit(
            &mut tx,
            actor,
            Some(c.agency_id),
            "column.delete",
            ("column", id.to_string()),
            json!({ "name": c.name }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
