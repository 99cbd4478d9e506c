//! Browsing and verifying the audit log (监督 and administrators).

use gongkai_domain::audit::{AuditEvent, ChainReport};
use gongkai_domain::{Action, AgencyId};
use gongkai_store::AuditFilter;

use crate::{Actor, Result, Service, ServiceError};

/// Filters of the audit browser, as entered.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub agency: Option<AgencyId>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub before_seq: Option<i64>,
}

impl Service {
    /// One page (newest first) of the events of the agencies the actor may audit. Events without
    /// an agency (site setup, failed logins of unknown names) are shown to the shell and to
    /// administrators of a root agency.
    pub async fn audit_events(
        &self,
        actor: &Actor,
        q: &AuditQuery,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let agencies = match actor {
            Actor::System => None,
            Actor::User(_) => {
                let visible = self.agencies_for(actor, Action::ViewAudit).await?;
                if visible.is_empty() {
                    return Err(ServiceError::Forbidden {
                        action: Action::ViewAudit,
                    });
                }
                Some(visible.into_iter().map(|a| a.0).collect::<Vec<_>>())
            }
        };
        let agencies = match (q.agency, agencies) {
            (Some(a), Some(v)) => {
                if !v.contains(&a.0) {
                    return Err(ServiceError::Forbidden {
                        action: Action::ViewAudit,
                    });
                }
                Some(vec![a.0])
            }
            (Some(a), None) => Some(vec![a.0]),
            (None, v) => v,
        };
        let f = AuditFilter {
            agencies,
            actor: q.actor.clone(),
            action: q.action.clone(),
            from_ms: q.from_ms,
            to_ms: q.to_ms,
            before_seq: q.before_seq,
        };
        Ok(self.store.audit_events(&f, limit.clamp(1, 500)).await?)
    }

    /// Verifies the whole chain. Any supervisor or administrator may run it: the result says
    /// only whether and where the log was altered.
    pub async fn verify_audit(
        &self,
        actor: &Actor,
        anchor: Option<(i64, String)>,
    ) -> Result<ChainReport> {
        if let Actor::User(u) = actor {
            self.authorize(actor, Action::ViewAudit, u.agency_id)
                .await?;
        }
        Ok(self.store.verify_audit_chain(anchor).await?)
    }
}
