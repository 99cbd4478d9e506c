//! The demo jurisdiction (`gongkai serve --demo`): 示例市人民政府 with two departments, divisions
//! and one account of every role, so a newcomer sees a living site.
//!
//! Demo passwords are random, generated when the demo is first loaded, kept in
//! `demo-logins.txt` in the data directory (mode 0600) and printed on every start.

use std::path::Path;

use gongkai_domain::Role;
use gongkai_service::{Actor, NewUser, Service};

/// The portal columns of the demo agencies (the EMS bureau has all six).
const DEMO_COLUMNS: [(&str, &str); 6] = [
    ("新闻动态", "news"),
    ("政策文件", "policy"),
    ("规划计划", "plan"),
    ("公示公告", "notice"),
    ("政策解读", "interpretation"),
    ("应急科普", "general"),
];

const LOGINS_FILE: &str = "demo-logins.txt";
const ROOT: &str = "示例市人民政府";

/// `(username, name, agency, division, roles)` of a demo account.
type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [Role],
);

const USERS: [DemoUser; 7] = [
    ("admin", "王管理", ROOT, Some("办公室"), &[Role::Admin]),
    (
        "jiandu",
        "赵监督",
        ROOT,
        Some("政务公开办公室"),
        &[Role::Supervisor],
    ),
    (
        "gongkaiban",
        "钱公开",
        "示例市应急管理局",
        Some("办公室"),
        &[Role::Office],
    ),
    (
        "jingban",
        "孙经办",
        "示例市应急管理局",
        Some("应急救援科"),
        &[Role::Drafter],
    ),
    (
        "chuzhang",
        "李科长",
        "示例市应急管理局",
        Some("应急救援科"),
        &[Role::DivisionHead],
    ),
    (
        "fenguan",
        "周局长",
        "示例市应急管理局",
        None,
        &[Role::Leader],
    ),
    (
        "jt.jingban",
        "吴经办",
        "示例市交通运输局",
        Some("运输管理科"),
        &[Role::Drafter, Role::Office],
    ),
];

/// Loads the demo into an empty database (or finds it loaded) and returns the login lines.
pub async fn ensure(svc: &Service, data_dir: &Path) -> Result<Vec<String>, String> {
    let file = data_dir.join(LOGINS_FILE);
    let store = svc.store();
    let loaded = store
        .agency_by_name(ROOT)
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    if loaded {
        let text = std::fs::read_to_string(&file).map_err(|_| {
            format!("数据库中已有演示数据，但找不到 {}（演示账号密码记录）；可用 gongkai admin reset-password 重置", file.display())
        })?;
        return Ok(text.lines().map(str::to_owned).collect());
    }
    if !store
        .agencies()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err(
            "--demo 只能用于空数据库：该数据库已有其他机关。请换一个数据目录（--data）".into(),
        );
    }
    let actor = Actor::System;
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let root = svc
        .create_agency(&actor, None, ROOT, "government")
        .await
        .map_err(msg)?;
    let ems = svc
        .create_agency(&actor, Some(root.id), "示例市应急管理局", "department")
        .await
        .map_err(msg)?;
    let trans = svc
        .create_agency(&actor, Some(root.id), "示例市交通运输局", "department")
        .await
        .map_err(msg)?;
    for (agency, names) in [
        (root.id, &["办公室", "政务公开办公室"][..]),
        (
            ems.id,
            &["办公室", "政策法规科", "应急救援科", "安全生产基础科"][..],
        ),
        (trans.id, &["办公室", "运输管理科"][..]),
    ] {
        for n in names {
            svc.create_division(&actor, agency, n).await.map_err(msg)?;
        }
    }
    for (agency, names) in [
        (ems.id, &DEMO_COLUMNS[..]),
        (root.id, &DEMO_COLUMNS[..5]),
        (trans.id, &DEMO_COLUMNS[..5]),
    ] {
        for (name, kind) in names {
            svc.create_column(&actor, agency, None, name, kind, None)
                .await
                .map_err(msg)?;
        }
    }
    let mut lines = Vec::new();
    for (username, name, agency, division, roles) in USERS {
        let a = store
            .agency_by_name(agency)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("demo agency")?;
        let division_id = match division {
            Some(d) => store
                .divisions(a.id)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|x| x.name == d)
                .map(|x| x.id.0),
            None => None,
        };
        let (_, token) = svc
            .create_user(
                &actor,
                &NewUser {
                    username: username.into(),
                    display_name: name.into(),
                    agency_id: a.id.0,
                    division_id,
                    roles: roles.iter().map(|r| r.id().to_owned()).collect(),
                },
            )
            .await
            .map_err(msg)?;
        let pw = demo_password()?;
        svc.set_password_with_token(&token, &pw, &pw)
            .await
            .map_err(msg)?;
        let labels: Vec<_> = roles.iter().map(|r| r.label()).collect();
        lines.push(format!(
            "{username:<11} 密码 {pw}  {}（{agency}）",
            labels.join("、")
        ));
    }
    write_private(&file, &(lines.join("\n") + "\n"))?;
    Ok(lines)
}

fn demo_password() -> Result<String, String> {
    let mut b = [0u8; 5];
    getrandom::fill(&mut b).map_err(|e| e.to_string())?;
    let hex = b.iter().fold(String::new(), |mut s, x| {
        use std::fmt::Write as _;
        let _ = write!(s, "{x:02x}");
        s
    });
    Ok(format!("Demo-{hex}-7"))
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}
