//! The permission table: which role may do which action on which agency.
//!
//! Every service function asks [`permits`] before it touches anything. The relation is between the
//! actor's agency and the agency the action is about: the same agency, one below it in the
//! hierarchy (集约化 deployments and supervision), or any other. Nobody acts on an agency above or
//! beside their own.

use serde::{Deserialize, Serialize};

use crate::Role;

/// Where the target agency stands relative to the actor's agency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relation {
    /// The actor's own agency.
    Own,
    /// An agency below the actor's (child, grandchild, …).
    Descendant,
    /// Any other agency: parent, sibling, unrelated.
    Other,
}

/// Everything a person can do on the platform that needs a permission.
///
/// The list grows with each feature; the permission-matrix test runs every role × every action ×
/// every relation, so a new action cannot land without its row in [`permits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Open the back office (工作台) of an agency.
    ViewBackOffice,
    /// See the staff accounts of an agency.
    ViewUsers,
    /// Create accounts, change roles and divisions, disable/enable, reset passwords.
    ManageUsers,
    /// Create subordinate agencies and edit agency details.
    ManageAgencies,
    /// Create and rename divisions (处室).
    ManageDivisions,
    /// Browse the audit log (审计日志) of an agency and verify the chain.
    ViewAudit,
    /// Create, rename, order and delete the portal columns (栏目) of an agency.
    ManageColumns,
    /// Draft information items, edit them, mask scan findings and submit them for review.
    DraftItems,
    /// Sign off items in the review chain (the step's role is checked by the review rules) and
    /// withdraw published items (分管领导).
    ReviewItems,
    /// Publish approved items (now or at a set time).
    PublishItems,
    /// See the applications (依申请公开) of an agency: the 公开办, its head and 分管领导 see all of
    /// them, a 经办人 those assigned to them (checked by the service), supervisors read them with
    /// personal data masked.
    ViewApplications,
    /// Register applications, confirm receipt, assign and handle cases (补正, consultation,
    /// drafts, delivery). A 经办人 only on cases assigned to them.
    HandleApplications,
    /// The 公开办负责人's approvals: extensions, fees, Art. 35 delays, final replies.
    ApproveApplications,
    /// Keep the 行政复议/行政诉讼 register and the application settings.
    ManageProceedings,
    /// Read an agency's annual reports (政府信息公开工作年度报告), compiled or imported.
    ViewAnnualReports,
    /// Compile the agency's own report: figures from other systems, narrative, submission for
    /// review, restatement, import of its earlier published reports.
    PrepareAnnualReports,
    /// The supervising 政务公开办: import subordinates' published reports, see their status and
    /// compile (汇总) the jurisdiction.
    SuperviseAnnualReports,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::ViewBackOffice,
        Action::ViewUsers,
        Action::ManageUsers,
        Action::ManageAgencies,
        Action::ManageDivisions,
        Action::ViewAudit,
        Action::ManageColumns,
        Action::DraftItems,
        Action::ReviewItems,
        Action::PublishItems,
        Action::ViewApplications,
        Action::HandleApplications,
        Action::ApproveApplications,
        Action::ManageProceedings,
        Action::ViewAnnualReports,
        Action::PrepareAnnualReports,
        Action::SuperviseAnnualReports,
    ];

    /// The Chinese name used in "no permission" messages.
    pub const fn label(self) -> &'static str {
        match self {
            Action::ViewBackOffice => "进入工作台",
            Action::ViewUsers => "查看用户",
            Action::ManageUsers => "管理用户",
            Action::ManageAgencies => "管理机关",
            Action::ManageDivisions => "管理处室",
            Action::ViewAudit => "查看审计日志",
            Action::ManageColumns => "管理栏目",
            Action::DraftItems => "起草信息",
            Action::ReviewItems => "审核信息",
            Action::PublishItems => "发布信息",
            Action::ViewApplications => "查看依申请公开",
            Action::HandleApplications => "办理依申请公开",
            Action::ApproveApplications => "审批依申请公开",
            Action::ManageProceedings => "管理依申请公开设置和复议诉讼登记",
            Action::ViewAnnualReports => "查看年度报告",
            Action::PrepareAnnualReports => "编制年度报告",
            Action::SuperviseAnnualReports => "监督下级年度报告",
        }
    }
}

/// Whether a holder of `roles` may perform `action` on an agency standing in `relation` to theirs.
pub fn permits(roles: &[Role], action: Action, relation: Relation) -> bool {
    roles.iter().any(|&r| role_permits(r, action, relation))
}

fn role_permits(role: Role, action: Action, relation: Relation) -> bool {
    use Action as A;
    use Relation as R;
    if relation == R::Other {
        return false;
    }
    match action {
        // Every staff member works in their own agency; supervisors and administrators also
        // see the agencies below them.
        A::ViewBackOffice => relation == R::Own || matches!(role, Role::Supervisor | Role::Admin),
        A::ViewUsers | A::ViewAudit => matches!(role, Role::Supervisor | Role::Admin),
        A::ManageUsers | A::ManageAgencies | A::ManageDivisions => role == Role::Admin,
        // The disclosure office runs its own agency's portal; administrators run their subtree's.
        A::ManageColumns => role == Role::Admin || (role == Role::Office && relation == R::Own),
        // Publishing work stays inside the agency.
        A::DraftItems => {
            relation == R::Own
                && matches!(
                    role,
                    Role::Drafter | Role::DivisionHead | Role::Leader | Role::Office
                )
        }
        // 公开办 signs when the agency puts a 保密审查 step of its own into the chain.
        A::ReviewItems => {
            relation == R::Own && matches!(role, Role::DivisionHead | Role::Leader | Role::Office)
        }
        A::PublishItems => relation == R::Own && matches!(role, Role::Drafter | Role::Office),
        // Applications are handled inside the agency; supervisors read them (masked).
        A::ViewApplications => {
            (relation == R::Own
                && matches!(
                    role,
                    Role::Drafter | Role::Leader | Role::Office | Role::OfficeHead
                ))
                || role == Role::Supervisor
        }
        A::HandleApplications => {
            relation == R::Own && matches!(role, Role::Drafter | Role::Office | Role::OfficeHead)
        }
        A::ApproveApplications => relation == R::Own && role == Role::OfficeHead,
        A::ManageProceedings => {
            relation == R::Own && matches!(role, Role::Office | Role::OfficeHead)
        }
        // The report is the office's work, read by its leadership; supervisors read their
        // subtree's and compile it.
        A::ViewAnnualReports => {
            (relation == R::Own && matches!(role, Role::Office | Role::OfficeHead | Role::Leader))
                || role == Role::Supervisor
        }
        A::PrepareAnnualReports => {
            relation == R::Own && matches!(role, Role::Office | Role::OfficeHead)
        }
        A::SuperviseAnnualReports => role == Role::Supervisor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_acts_on_other_agencies() {
        for a in Action::ALL {
            assert!(!permits(&Role::ALL, a, Relation::Other), "{a:?}");
        }
    }

    #[test]
    fn drafters_only_work_in_their_own_agency() {
        for a in Action::ALL {
            let expected = matches!(
                a,
                Action::ViewBackOffice
                    | Action::DraftItems
                    | Action::PublishItems
                    | Action::ViewApplications
                    | Action::HandleApplications
            );
            assert_eq!(
                permits(&[Role::Drafter], a, Relation::Own),
                expected,
                "{a:?}"
            );
            assert!(!permits(&[Role::Drafter], a, Relation::Descendant), "{a:?}");
        }
    }

    #[test]
    fn supervisors_read_but_never_manage() {
        for rel in [Relation::Own, Relation::Descendant] {
            assert!(permits(&[Role::Supervisor], Action::ViewAudit, rel));
            assert!(permits(&[Role::Supervisor], Action::ViewUsers, rel));
            assert!(!permits(&[Role::Supervisor], Action::ManageUsers, rel));
        }
    }
}
