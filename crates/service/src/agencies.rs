//! Agencies in a hierarchy and their divisions.

use gongkai_domain::topic::Taxonomy;
use gongkai_domain::{Action, AgencyId, AgencyLevel, DivisionId, Relation, permits};
use gongkai_store::{Agency, AgencyKind, Division};
use serde::Serialize;
use serde_json::json;

use crate::accounts::agency_name;
use crate::{Actor, Result, Service, ServiceError};

/// An agency with its depth in the tree, for indented lists.
#[derive(Clone, Debug, Serialize)]
pub struct AgencyNode {
    pub agency: Agency,
    pub depth: usize,
}

fn division_name(s: &str) -> Result<String> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err(ServiceError::field("name", "请填写处室名称，例如“办公室”"));
    }
    if n > 32 || s.chars().any(char::is_control) {
        return Err(ServiceError::field(
            "name",
            "处室名称最多 32 个字符，且不能包含控制字符",
        ));
    }
    Ok(s.to_owned())
}

/// Agencies in tree order (depth first, siblings by id) with their depth. Agencies whose parent
/// is missing are not reachable and are left out; cycles cannot form (parents are created first).
fn tree_order(all: &[Agency]) -> Vec<AgencyNode> {
    let mut children: std::collections::HashMap<Option<AgencyId>, Vec<&Agency>> =
        std::collections::HashMap::new();
    for a in all {
        children.entry(a.parent_id).or_default().push(a);
    }
    let mut out = Vec::with_capacity(all.len());
    // Explicit stack instead of recursion: no depth limit needed.
    let mut stack: Vec<(&Agency, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|a| (*a, 0)).collect())
        .unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        out.push(AgencyNode {
            agency: a.clone(),
            depth,
        });
        if out.len() > all.len() {
            break;
        }
        if let Some(kids) = children.get(&Some(a.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

impl Service {
    /// Every agency in tree order (parents before children, siblings by id) with its depth.
    pub async fn agency_tree(&self) -> Result<Vec<AgencyNode>> {
        let all = self.store.agencies().await?;
        Ok(tree_order(&all))
    }

    /// The agencies on which `actor` may perform `action`, in tree order.
    pub async fn agencies_for(&self, actor: &Actor, action: Action) -> Result<Vec<AgencyId>> {
        let tree = self.agency_tree().await?;
        let Actor::User(u) = actor else {
            return Ok(tree.into_iter().map(|n| n.agency.id).collect());
        };
        if u.disabled {
            return Ok(Vec::new());
        }
        // Tree order means a parent is classified before its children.
        let mut rel: std::collections::HashMap<AgencyId, Relation> =
            std::collections::HashMap::new();
        let mut out = Vec::new();
        for n in &tree {
            let r = if n.agency.id == u.agency_id {
                Relation::Own
            } else if let Some(p) = n.agency.parent_id
                && matches!(rel.get(&p), Some(Relation::Own | Relation::Descendant))
            {
                Relation::Descendant
            } else {
                Relation::Other
            };
            rel.insert(n.agency.id, r);
            if permits(&u.roles, action, r) {
                out.push(n.agency.id);
            }
        }
        Ok(out)
    }

    /// One agency, with permission to see its back office.
    pub async fn agency(&self, actor: &Actor, id: AgencyId) -> Result<Agency> {
        let a = self.agency_or_404(id).await?;
        self.authorize(actor, Action::ViewBackOffice, id).await?;
        Ok(a)
    }

    /// Creates an agency under `parent` (or a root agency from the shell).
    pub async fn create_agency(
        &self,
        actor: &Actor,
        parent: Option<AgencyId>,
        name: &str,
        kind: &str,
    ) -> Result<Agency> {
        match parent {
            Some(p) => {
                self.agency_or_404(p).await?;
                self.authorize(actor, Action::ManageAgencies, p).await?;
            }
            None if matches!(actor, Actor::System) => {}
            None => {
                return Err(ServiceError::Forbidden {
                    action: Action::ManageAgencies,
                });
            }
        }
        let name = agency_name(name).map_err(|m| ServiceError::field("name", m))?;
        let kind =
            AgencyKind::parse(kind).ok_or_else(|| ServiceError::field("kind", "请选择机关类型"))?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let id = tx.insert_agency(parent, &name, kind, now).await?;
        let columns = crate::columns::insert_standard_tree(&mut tx, id, now).await?;
        self.audit(
            &mut tx,
            actor,
            Some(id),
            "agency.create",
            ("agency", id.to_string()),
            json!({ "name": name, "kind": kind.id(), "parent": parent.map(|p| p.0), "standard_columns": columns }),
        )
        .await?;
        tx.commit().await?;
        self.agency_or_404(id).await
    }

    pub async fn update_agency(
        &self,
        actor: &Actor,
        id: AgencyId,
        name: &str,
        kind: &str,
        level: &str,
    ) -> Result<Agency> {
        let before = self.agency_or_404(id).await?;
        self.authorize(actor, Action::ManageAgencies, id).await?;
        let name = agency_name(name).map_err(|m| ServiceError::field("name", m))?;
        let kind =
            AgencyKind::parse(kind).ok_or_else(|| ServiceError::field("kind", "请选择机关类型"))?;
        let level = match level.trim() {
            "" => None,
            l => Some(AgencyLevel::parse(l).ok_or_else(|| {
                ServiceError::field("level", "层级应为省级、设区的市级、县级或乡（镇）、街道")
            })?),
        };
        let mut tx = self.store.begin().await?;
        tx.rename_agency(id, &name, kind, level.map(AgencyLevel::id))
            .await?;
        // The Art. 21 items of the level become sub-columns of 法定主动公开内容 (existing ones,
        // and their items, stay when the level changes).
        let added =
            crate::columns::add_art21_columns(&mut tx, &self.store, id, level, self.now_ms())
                .await?;
        self.audit(
            &mut tx,
            actor,
            Some(id),
            "agency.update",
            ("agency", id.to_string()),
            json!({
                "name": [before.name, name], "kind": [before.kind.id(), kind.id()],
                "level": [before.level, level.map(AgencyLevel::id)], "art21_columns": added,
            }),
        )
        .await?;
        tx.commit().await?;
        self.agency_or_404(id).await
    }

    /// The divisions of an agency the actor may see.
    pub async fn divisions(&self, actor: &Actor, agency: AgencyId) -> Result<Vec<Division>> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        Ok(self.store.divisions(agency).await?)
    }

    pub async fn create_division(
        &self,
        actor: &Actor,
        agency: AgencyId,
        name: &str,
    ) -> Result<Division> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageDivisions, agency)
            .await?;
        let name = division_name(name)?;
        let mut tx = self.store.begin().await?;
        let id = tx.insert_division(agency, &name, self.now_ms()).await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "division.create",
            ("division", id.to_string()),
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        self.store
            .division(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该处室".into()))
    }

    pub async fn rename_division(
        &self,
        actor: &Actor,
        id: DivisionId,
        name: &str,
    ) -> Result<Division> {
        let d = self
            .store
            .division(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该处室".into()))?;
        self.authorize(actor, Action::ManageDivisions, d.agency_id)
            .await?;
        let name = division_name(name)?;
        let mut tx = self.store.begin().await?;
        tx.rename_division(id, &name).await?;
        self.audit(
            &mut tx,
            actor,
            Some(d.agency_id),
            "division.update",
            ("division", id.to_string()),
            json!({ "name": [d.name, name] }),
        )
        .await?;
        tx.commit().await?;
        self.store
            .division(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound("该处室".into()))
    }
}

impl Service {
    /// The site's name: the first root agency's name (the portal's owner).
    pub async fn site_name(&self) -> Result<String> {
        Ok(self
            .store
            .agencies()
            .await?
            .into_iter()
            .find(|a| a.parent_id.is_none())
            .map_or_else(|| "政府信息公开平台".to_owned(), |a| a.name))
    }

    /// The site's 网站标识码 (publishing.md §11.3), if set.
    pub async fn site_id_code(&self) -> Result<Option<String>> {
        Ok(self
            .store
            .setting("site.id_code")
            .await?
            .filter(|c| !c.is_empty()))
    }

    /// Sets the 网站标识码: 10 characters — a 6-digit 行政区划代码 and a 4-digit serial
    /// (`1304000009`), or `bm` and 8 digits for State Council departments. Empty clears it.
    /// Only the administrator of the top-level agency (the site's 主办单位).
    /// Site-wide settings (网站标识码, 主题分类) belong to the administrator of the top-level
    /// agency, the site's 主办单位.
    async fn authorize_site_admin(&self, actor: &Actor, what: &str) -> Result<()> {
        if let Actor::User(u) = actor {
            self.authorize(actor, Action::ManageAgencies, u.agency_id)
                .await?;
            let root = self
                .store
                .agency(u.agency_id)
                .await?
                .is_some_and(|a| a.parent_id.is_none());
            if !root {
                return Err(ServiceError::Refused(format!(
                    "{what}由本平台顶级机关（网站主办单位）的系统管理员设置"
                )));
            }
        }
        Ok(())
    }

    pub async fn set_site_id_code(&self, actor: &Actor, code: &str) -> Result<()> {
        self.authorize_site_admin(actor, "网站标识码").await?;
        let code = code.trim();
        let ok = code.is_empty()
            || (code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()))
            || (code.len() == 10
                && code.starts_with("bm")
                && code.bytes().skip(2).all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(ServiceError::field(
                "site_id_code",
                "网站标识码为 10 位：6 位行政区划代码加 4 位序号（如 1304000009），国务院部门为 bm 加 8 位数字；留空表示不显示",
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.set_setting("site.id_code", code).await?;
        self.audit(
            &mut tx,
            actor,
            None,
            "site.id_code",
            ("site", "id_code".into()),
            serde_json::json!({ "code": code }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The site's 主题分类 (publishing.md §6.2): the administrator's, else the spec's default.
    pub async fn topic_taxonomy(&self) -> Result<Taxonomy> {
        Ok(self
            .store
            .setting(TAXONOMY_SETTING)
            .await?
            .and_then(|t| Taxonomy::parse(&t).ok())
            .unwrap_or_default())
    }

    /// The 主题分类 settings page: the taxonomy as text, whether it is the site's own, and the
    /// values items still use that it no longer has (top-level administrator).
    pub async fn topic_settings(&self, actor: &Actor) -> Result<TopicSettings> {
        self.authorize_site_admin(actor, "主题分类").await?;
        let taxonomy = self.topic_taxonomy().await?;
        Ok(TopicSettings {
            text: taxonomy.to_text(),
            custom: self.store.setting(TAXONOMY_SETTING).await?.is_some(),
            values: taxonomy.all().len(),
            orphans: self.orphan_topics(&taxonomy).await?,
        })
    }

    /// Replaces the site's 主题分类 (`None`: back to the spec's default). Items keep their
    /// values; returns the 主题分类 still used by items that the new taxonomy no longer has,
    /// with their counts.
    pub async fn set_topic_taxonomy(
        &self,
        actor: &Actor,
        text: Option<&str>,
    ) -> Result<Vec<(String, i64)>> {
        self.authorize_site_admin(actor, "主题分类").await?;
        let taxonomy = match text {
            Some(t) => {
                Taxonomy::parse(t).map_err(|e| ServiceError::field("taxonomy", e.to_string()))?
            }
            None => Taxonomy::default(),
        };
        let mut tx = self.store.begin().await?;
        if text.is_some() {
            tx.set_setting(TAXONOMY_SETTING, &taxonomy.to_text())
                .await?;
        } else {
            tx.delete_setting(TAXONOMY_SETTING).await?;
        }
        self.audit(
            &mut tx,
            actor,
            None,
            "site.topics",
            ("site", "topics".into()),
            serde_json::json!({
                "default": text.is_none(),
                "top_level": taxonomy.entries.len(),
                "values": taxonomy.all().len(),
            }),
        )
        .await?;
        tx.commit().await?;
        self.orphan_topics(&taxonomy).await
    }

    /// 主题分类 used by items but absent from `taxonomy`, with their item counts.
    pub async fn orphan_topics(&self, taxonomy: &Taxonomy) -> Result<Vec<(String, i64)>> {
        Ok(self
            .store
            .topic_counts()
            .await?
            .into_iter()
            .filter(|(t, _)| !t.is_empty() && !taxonomy.contains(t))
            .collect())
    }
}

const TAXONOMY_SETTING: &str = "site.topics";

/// See [`Service::topic_settings`].
#[derive(Clone, Debug, Serialize)]
pub struct TopicSettings {
    pub text: String,
    pub custom: bool,
    /// Selectable values (一级 and 一级\二级).
    pub values: usize,
    pub orphans: Vec<(String, i64)>,
}
