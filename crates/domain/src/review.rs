//! The confidentiality review before publication (保密审查, 先审查、后公开; publishing.md §9).
//!
//! An item is drafted, submitted, signed off by each step of the chain in order (by default
//! 处室负责人 then 分管领导), and only then published. A rejection returns it to the drafter with
//! the opinion; any change to what was approved (its fingerprint) voids the approvals and sends it
//! back to the drafter; publication checks the fingerprint again. Withdrawal of a published item
//! needs a reason. This module is the state machine only; who may act is also checked here (the
//! role of the step), the agency scope by the service.

use serde::{Deserialize, Serialize};

use crate::Role;

/// Where an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草稿 (also after a rejection or a change).
    Draft,
    /// 审核中, at `step` of the chain.
    InReview,
    /// 已审核，待发布 (possibly scheduled).
    Approved,
    /// 已发布.
    Published,
    /// 已撤回 (was published; reason recorded).
    Withdrawn,
}

impl Status {
    pub const fn id(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Published => "published",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::InReview => "审核中",
            Status::Approved => "已审核待发布",
            Status::Published => "已发布",
            Status::Withdrawn => "已撤回",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::Draft,
            Status::InReview,
            Status::Approved,
            Status::Published,
            Status::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.id() == s)
    }
}

/// The sign-off chain after the drafter's submission (configurable per agency).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain(pub Vec<Role>);

impl Default for Chain {
    /// 经办人 submits → 处室负责人 → 分管领导.
    fn default() -> Self {
        Chain(vec![Role::DivisionHead, Role::Leader])
    }
}

/// The review state of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewState {
    pub status: Status,
    /// Index into the chain while `InReview`.
    pub step: usize,
    /// Increases with every submission; approvals belong to one round.
    pub round: u32,
    /// Fingerprint of the content that was submitted (and approved) in this round.
    pub fingerprint: Option<String>,
    /// Whether the item has ever been published (a later change is a 变更).
    pub was_published: bool,
}

impl Default for ReviewState {
    fn default() -> Self {
        Self {
            status: Status::Draft,
            step: 0,
            round: 0,
            fingerprint: None,
            was_published: false,
        }
    }
}

/// What someone does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The drafter submits the content with this fingerprint.
    Submit { fingerprint: String },
    /// A reviewer decides on the current step.
    Decide { approve: bool, roles: Vec<Role> },
    /// The content changed; `fingerprint` is the new one.
    Edit { fingerprint: String },
    /// Publish the approved content, whose current fingerprint is given.
    Publish { fingerprint: String },
    /// Withdraw a published item.
    Withdraw { roles: Vec<Role>, reason: String },
}

/// Why a transition is refused (the message is shown to the person).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("当前状态为“{}”，不能{action}", .status.label())]
    WrongStatus {
        status: Status,
        action: &'static str,
    },
    #[error("本步需由{}审核", .role.label())]
    NotYourStep { role: Role },
    #[error("内容在审核通过后已被修改，须重新送审")]
    ChangedAfterApproval,
    #[error("撤回须由分管领导决定并写明理由")]
    WithdrawNeedsLeaderAndReason,
}

impl ReviewState {
    /// Applies `event` under `chain`, returning the new state.
    pub fn apply(&self, chain: &Chain, event: &Event) -> Result<ReviewState, ReviewError> {
        let mut s = self.clone();
        match event {
            Event::Submit { fingerprint } => {
                // A draft, or a change to a published (or withdrawn) item (变更).
                if !matches!(
                    self.status,
                    Status::Draft | Status::Published | Status::Withdrawn
                ) {
                    return Err(ReviewError::WrongStatus {
                        status: self.status,
                        action: "送审",
                    });
                }
                s.round += 1;
                s.fingerprint = Some(fingerprint.clone());
                if chain.0.is_empty() {
                    s.status = Status::Approved;
                } else {
                    s.status = Status::InReview;
                    s.step = 0;
                }
            }
            Event::Decide { approve, roles } => {
                if self.status != Status::InReview {
                    return Err(ReviewError::WrongStatus {
                        status: self.status,
                        action: "审核",
                    });
                }
                let role = chain.0.get(self.step).copied().unwrap_or(Role::Leader);
                if !roles.contains(&role) {
                    return Err(ReviewError::NotYourStep { role });
                }
                if *approve {
                    if self.step + 1 >= chain.0.len() {
                        s.status = Status::Approved;
                    } else {
                        s.step += 1;
                    }
                } else {
                    s.status = Status::Draft;
                    s.step = 0;
                }
            }
            Event::Edit { fingerprint } => {
                if self.fingerprint.as_deref() != Some(fingerprint.as_str())
                    && matches!(self.status, Status::InReview | Status::Approved)
                {
                    // What was submitted or approved is not what is there now: start again.
                    s.status = Status::Draft;
                    s.step = 0;
                }
            }
            Event::Publish { fingerprint } => {
                if self.status != Status::Approved {
                    return Err(ReviewError::WrongStatus {
                        status: self.status,
                        action: "发布",
                    });
                }
                if self.fingerprint.as_deref() != Some(fingerprint.as_str()) {
                    return Err(ReviewError::ChangedAfterApproval);
                }
                s.status = Status::Published;
                s.was_published = true;
            }
            Event::Withdraw { roles, reason } => {
                if self.status != Status::Published {
                    return Err(ReviewError::WrongStatus {
                        status: self.status,
                        action: "撤回",
                    });
                }
                if !roles.contains(&Role::Leader) || reason.trim().is_empty() {
                    return Err(ReviewError::WithdrawNeedsLeaderAndReason);
                }
                s.status = Status::Withdrawn;
            }
        }
        Ok(s)
    }

    /// The role that must act now, while in review.
    pub fn waiting_for(&self, chain: &Chain) -> Option<Role> {
        (self.status == Status::InReview)
            .then(|| chain.0.get(self.step).copied())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn submit(f: &str) -> Event {
        Event::Submit {
            fingerprint: f.into(),
        }
    }
    fn decide(approve: bool, r: Role) -> Event {
        Event::Decide {
            approve,
            roles: vec![r],
        }
    }

    #[test]
    fn the_default_chain_end_to_end() {
        let c = Chain::default();
        let s = ReviewState::default();
        assert!(
            s.apply(
                &c,
                &Event::Publish {
                    fingerprint: "a".into()
                }
            )
            .is_err(),
            "nothing is published unreviewed"
        );
        let s = s.apply(&c, &submit("a")).unwrap();
        assert_eq!(s.waiting_for(&c), Some(Role::DivisionHead));
        assert_eq!(
            s.apply(&c, &decide(true, Role::Leader)),
            Err(ReviewError::NotYourStep {
                role: Role::DivisionHead
            })
        );
        let s = s.apply(&c, &decide(true, Role::DivisionHead)).unwrap();
        assert_eq!(s.waiting_for(&c), Some(Role::Leader));
        let s = s.apply(&c, &decide(true, Role::Leader)).unwrap();
        assert_eq!(s.status, Status::Approved);
        assert_eq!(
            s.apply(
                &c,
                &Event::Publish {
                    fingerprint: "b".into()
                }
            ),
            Err(ReviewError::ChangedAfterApproval)
        );
        let p = s
            .apply(
                &c,
                &Event::Publish {
                    fingerprint: "a".into(),
                },
            )
            .unwrap();
        assert_eq!(p.status, Status::Published);
        assert!(
            p.apply(
                &c,
                &Event::Withdraw {
                    roles: vec![Role::Office],
                    reason: "错".into()
                }
            )
            .is_err()
        );
        assert!(
            p.apply(
                &c,
                &Event::Withdraw {
                    roles: vec![Role::Leader],
                    reason: " ".into()
                }
            )
            .is_err()
        );
        let w = p
            .apply(
                &c,
                &Event::Withdraw {
                    roles: vec![Role::Leader],
                    reason: "数据有误".into(),
                },
            )
            .unwrap();
        assert_eq!(w.status, Status::Withdrawn);
        // A change to approved content sends it back.
        let back = s
            .apply(
                &c,
                &Event::Edit {
                    fingerprint: "b".into(),
                },
            )
            .unwrap();
        assert_eq!(back.status, Status::Draft);
        // Rejection returns to the drafter.
        let r = ReviewState::default()
            .apply(&c, &submit("x"))
            .unwrap()
            .apply(&c, &decide(false, Role::DivisionHead))
            .unwrap();
        assert_eq!(r.status, Status::Draft);
        assert_eq!(r.round, 1);
    }

    fn event() -> impl Strategy<Value = Event> {
        let role = prop::sample::select(Role::ALL.to_vec());
        let fp = prop::sample::select(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]);
        prop_oneof![
            fp.clone().prop_map(|f| Event::Submit { fingerprint: f }),
            (any::<bool>(), prop::collection::vec(role.clone(), 0..3))
                .prop_map(|(approve, roles)| Event::Decide { approve, roles }),
            fp.clone().prop_map(|f| Event::Edit { fingerprint: f }),
            fp.prop_map(|f| Event::Publish { fingerprint: f }),
            (
                prop::collection::vec(role, 0..3),
                prop::sample::select(vec![String::new(), "理由".to_owned()])
            )
                .prop_map(|(roles, reason)| Event::Withdraw { roles, reason }),
        ]
    }

    proptest! {
        /// Whatever happens, an item is published only with the content every step approved in
        /// that round, in chain order, by the step's role.
        #[test]
        fn publication_only_after_every_step_approved_the_same_content(events in prop::collection::vec(event(), 0..40)) {
            let chain = Chain::default();
            let mut s = ReviewState::default();
            let mut content = "a".to_owned();
            let mut approvals: Vec<Role> = Vec::new();
            let mut submitted: Option<String> = None;
            for e in &events {
                let e = match e {
                    // Edits change the content; publish and submit use the current content.
                    Event::Edit { fingerprint } => { content.clone_from(fingerprint); Event::Edit { fingerprint: content.clone() } }
                    Event::Publish { .. } => Event::Publish { fingerprint: content.clone() },
                    Event::Submit { .. } => Event::Submit { fingerprint: content.clone() },
                    e => e.clone(),
                };
                let before = s.clone();
                match s.apply(&chain, &e) {
                    Ok(next) => {
                        if let Event::Submit { fingerprint } = &e { approvals.clear(); submitted = Some(fingerprint.clone()); }
                        if let Event::Decide { approve: true, .. } = &e { approvals.push(chain.0[before.step]); }
                        if next.status == Status::Draft { approvals.clear(); }
                        if next.status == Status::Published && before.status != Status::Published {
                            prop_assert_eq!(&approvals, &chain.0);
                            prop_assert_eq!(submitted.as_deref(), Some(content.as_str()));
                        }
                        s = next;
                    }
                    Err(_) => prop_assert_eq!(&s, &before),
                }
                prop_assert!(s.step < chain.0.len().max(1));
            }
        }
    }
}
