//! Staff roles (岗位角色). A user holds one or more roles in exactly one agency.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The seven roles of the platform. Ids are stable (stored in the database); labels are what staff see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 经办人 — drafts items and handles assigned applications.
    Drafter,
    /// 处室负责人 — first sign-off of the confidentiality review for the division.
    DivisionHead,
    /// 分管领导 — final sign-off.
    Leader,
    /// 公开办 — the disclosure office: applications and annual reports.
    Office,
    /// 公开办负责人 — head of the 政府信息公开工作机构: approves extensions, fees, Art. 35 delays
    /// and final replies to applications.
    OfficeHead,
    /// 监督 — read-only everything in the agency and its subtree, including the audit log.
    Supervisor,
    /// 系统管理员 — accounts, agencies, divisions, site settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Drafter,
        Role::DivisionHead,
        Role::Leader,
        Role::Office,
        Role::OfficeHead,
        Role::Supervisor,
        Role::Admin,
    ];

    /// The stable id stored in the database.
    pub const fn id(self) -> &'static str {
        match self {
            Role::Drafter => "drafter",
            Role::DivisionHead => "division_head",
            Role::Leader => "leader",
            Role::Office => "office",
            Role::OfficeHead => "office_head",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// The Chinese label shown to staff.
    pub const fn label(self) -> &'static str {
        match self {
            Role::Drafter => "经办人",
            Role::DivisionHead => "处室负责人",
            Role::Leader => "分管领导",
            Role::Office => "公开办",
            Role::OfficeHead => "公开办负责人",
            Role::Supervisor => "监督",
            Role::Admin => "系统管理员",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An unknown role id; the message lists the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "未知角色“{0}”，可选：drafter（经办人）、division_head（处室负责人）、leader（分管领导）、office（公开办）、office_head（公开办负责人）、supervisor（监督）、admin（系统管理员）"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.id() == s || r.label() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_labels_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.id().parse::<Role>(), Ok(r));
            assert_eq!(r.label().parse::<Role>(), Ok(r));
        }
        assert!(
            "root"
                .parse::<Role>()
                .unwrap_err()
                .to_string()
                .contains("经办人")
        );
    }
}
