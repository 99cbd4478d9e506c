//! Per-agency publishing settings: the review chain (保密审查 sign-off steps), the sensitive-word
//! list of the scan, and the site's 网站标识码.

use gongkai_domain::review::Chain;
use gongkai_domain::{Action, AgencyId, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{Actor, FieldError, Result, Service, ServiceError};

/// The settings form.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishingSettings {
    /// Role ids of the sign-off steps after submission, in order.
    pub chain: Vec<String>,
    /// One word or phrase per line.
    pub sensitive_words: String,
}

/// The roles that may form a review step.
pub const CHAIN_ROLES: [Role; 3] = [Role::DivisionHead, Role::Office, Role::Leader];

impl Service {
    /// The agency's review chain (default 处室负责人 → 分管领导).
    pub async fn review_chain(&self, agency: AgencyId) -> Result<Chain> {
        let Some(v) = self
            .store
            .setting(&format!("review.chain.{agency}"))
            .await?
        else {
            return Ok(Chain::default());
        };
        let roles: Vec<Role> = v.split(',').filter_map(|r| r.trim().parse().ok()).collect();
        Ok(if roles.is_empty() {
            Chain::default()
        } else {
            Chain(roles)
        })
    }

    pub async fn publishing_settings(
        &self,
        actor: &Actor,
        agency: AgencyId,
    ) -> Result<PublishingSettings> {
        self.authorize(actor, Action::ViewBackOffice, agency)
            .await?;
        Ok(PublishingSettings {
            chain: self
                .review_chain(agency)
                .await?
                .0
                .iter()
                .map(|r| r.id().to_owned())
                .collect(),
            sensitive_words: self
                .store
                .setting(&format!("pii.sensitive_words.{agency}"))
                .await?
                .unwrap_or_default(),
        })
    }

    /// Saves the chain and the word list. The chain has one to three distinct steps and ends
    /// with 分管领导 (who signs the release, 签发).
    pub async fn save_publishing_settings(
        &self,
        actor: &Actor,
        agency: AgencyId,
        f: &PublishingSettings,
    ) -> Result<()> {
        self.agency_or_404(agency).await?;
        self.authorize(actor, Action::ManageColumns, agency).await?;
        let mut roles: Vec<Role> = Vec::new();
        for r in f.chain.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            let role: Role = r.parse().map_err(|e: gongkai_domain::role::UnknownRole| {
                ServiceError::field("chain", e.to_string())
            })?;
            if !CHAIN_ROLES.contains(&role) {
                return Err(ServiceError::field(
                    "chain",
                    "审核环节只能由处室负责人、公开办（保密审查员）、分管领导担任",
                ));
            }
            if roles.contains(&role) {
                return Err(ServiceError::field(
                    "chain",
                    format!("{}在审核流程中出现了两次", role.label()),
                ));
            }
            roles.push(role);
        }
        if roles.last() != Some(&Role::Leader) {
            return Err(ServiceError::Invalid(vec![FieldError {
                field: "chain",
                message: "审核流程须以分管领导签发结束".into(),
            }]));
        }
        let words: Vec<&str> = f
            .sensitive_words
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        if words.iter().any(|w| w.chars().count() > 40) || words.len() > 2000 {
            return Err(ServiceError::field(
                "sensitive_words",
                "每行一个敏感词，每个最多 40 个字符，最多 2000 个",
            ));
        }
        let chain_text = roles.iter().map(|r| r.id()).collect::<Vec<_>>().join(",");
        let mut tx = self.store.begin().await?;
        tx.set_setting(&format!("review.chain.{agency}"), &chain_text)
            .await?;
        tx.set_setting(&format!("pii.sensitive_words.{agency}"), &words.join("\n"))
            .await?;
        self.audit(
            &mut tx,
            actor,
            Some(agency),
            "settings.publishing",
            ("agency", agency.to_string()),
            json!({ "chain": chain_text, "sensitive_words": words.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
