//! 政府信息公开指南 (Art. 12): a structured page per agency with the six mandatory contact fields
//! of the 工作机构 and the sections of publishing.md §4.1, shown at the top of the agency's
//! 政府信息公开指南 column and stamped with its last update.

use gongkai_domain::{Action, AgencyId};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The 指南 of one agency.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Guide {
    /// 分类、编排体系.
    pub classification: String,
    /// 获取方式 (主动公开的渠道、依申请公开的方式).
    pub access: String,
    /// 工作机构名称.
    pub office_name: String,
    /// 办公地址.
    pub office_address: String,
    /// 办公时间.
    pub office_hours: String,
    /// 联系电话.
    pub office_phone: String,
    /// 传真号码.
    pub office_fax: String,
    /// 互联网联系方式.
    pub office_online_contact: String,
    /// 查阅场所.
    pub reading_rooms: String,
    /// 监督和救济.
    pub remedies: String,
    /// Unix ms of the last change (set by the service).
    pub updated_at: i64,
}

fn key(agency: AgencyId) -> String {
    format!("guide.{agency}")
}

impl Service {
    /// The agency's 指南, if written.
    pub async fn guide(&self, agency: AgencyId) -> Result<Option<Guide>> {
        Ok(self
            .store
            .setting(&key(agency))
            .await?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Saves the 指南; the six fields of the 工作机构 and the two main sections are required.
    pub async fn save_guide(&self, actor: &Actor, agency: AgencyId, g: &Guide) -> Result<Guide> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageColumns, agency).await?;
        let mut g = g.clone();
        let mut errs = Vec::new();
        for (field, label, value) in [
            ("classification", "分类、编排体系", &mut g.classification),
            ("access", "获取方式", &mut g.access),
            ("office_name", "工作机构名称", &mut g.office_name),
            ("office_address", "办公地址", &mut g.office_address),
            ("office_hours", "办公时间", &mut g.office_hours),
            ("office_phone", "联系电话", &mut g.office_phone),
            ("office_fax", "传真号码", &mut g.office_fax),
            (
                "office_online_contact",
                "互联网联系方式",
                &mut g.office_online_contact,
            ),
            ("reading_rooms", "查阅场所", &mut g.reading_rooms),
            ("remedies", "监督和救济", &mut g.remedies),
        ] {
            *value = value.trim().to_owned();
            let required = !matches!(field, "reading_rooms" | "remedies");
            if required && value.is_empty() {
                errs.push(FieldError {
                    field,
                    message: format!("请填写{label}（条例第十二条规定的必备内容）"),
                });
            }
            if value.chars().count() > 5000 {
                errs.push(FieldError {
                    field,
                    message: format!("{label}最多 5000 个字符"),
                });
            }
        }
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        g.updated_at = self.now_ms();
        let text = serde_json::to_string(&g).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        tx.set_setting(&key(agency), &text).await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "guide.update",
            ("agency", agency.to_string()),
            json!({ "office_name": g.office_name }),
        )
        .await?;
        tx.commit().await?;
        Ok(g)
    }
}
