//! The demo jurisdiction (`gongkai serve --demo`): 示例市人民政府 with two departments, divisions
//! and one account of every role, so a newcomer sees a living site.
//!
//! Demo passwords are random, generated when the demo is first loaded, kept in
//! `demo-logins.txt` in the data directory (mode 0600) and printed on every start.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use gongkai_domain::{FixedClock, Role};
use gongkai_service::{Actor, ItemForm, NewUser, Service, ServiceConfig};

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

const USERS: [DemoUser; 8] = [
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
        "gkb.fzr",
        "郑主任",
        "示例市应急管理局",
        Some("办公室"),
        &[Role::OfficeHead, Role::DivisionHead],
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
    demo_items(svc).await?;
    demo_applications(svc).await?;
    demo_report_2020(svc).await?;
    write_private(&file, &(lines.join("\n") + "\n"))?;
    Ok(lines)
}

fn demo_password() -> Result<String, String> {
    let mut b = [0u8; 5];
    getrandom::fill(&mut b).map_err(|e| e.to_string())?;
    Ok(format!("Demo-{}-7", gongkai_domain::hex(&b)))
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

/// `(column, title, summary, body, doc number, topic, genre, law item, publication day)`.
type DemoItem = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (u32, u32),
);

const ITEMS: [DemoItem; 10] = [
    (
        "新闻动态",
        "市应急管理局召开2026年全市安全生产工作会议",
        "总结2025年安全生产工作，部署2026年重点任务。",
        "1月8日，市应急管理局召开2026年全市安全生产工作会议，总结2025年工作，分析当前形势，部署2026年重点任务。\n\n会议要求，各地各部门要压紧压实安全生产责任，深入开展重点行业领域专项整治。",
        "",
        "市场监管、安全生产监管\\安全生产监管",
        "",
        "",
        (1, 9),
    ),
    (
        "政策文件",
        "示例市安全生产约谈实施办法",
        "规范安全生产约谈的对象、情形、程序和整改要求。",
        "第一条　为规范安全生产约谈工作，落实安全生产责任，制定本办法。\n\n第二条　本办法适用于本市行政区域内的安全生产约谈工作。",
        "示应急规〔2026〕1号",
        "市场监管、安全生产监管\\安全生产监管",
        "通知",
        "A20_01",
        (2, 16),
    ),
    (
        "政策解读",
        "《示例市安全生产约谈实施办法》政策解读",
        "解读约谈办法的制定背景、主要内容和适用范围。",
        "一、制定背景\n\n为压实安全生产责任，市应急管理局起草了《示例市安全生产约谈实施办法》。\n\n二、主要内容\n\n办法明确了约谈对象、约谈情形和整改要求。",
        "",
        "市场监管、安全生产监管\\安全生产监管",
        "",
        "",
        (2, 16),
    ),
    (
        "公示公告",
        "关于2026年度安全生产标准化三级达标企业名单的公示",
        "公示拟确认的安全生产标准化三级达标企业名单，公示期5个工作日。",
        "根据评审结果，拟确认以下企业为2026年度安全生产标准化三级达标企业，现予公示。\n\n公示期间如有异议，请以书面形式向市应急管理局反映。",
        "",
        "市场监管、安全生产监管\\安全生产监管",
        "公告",
        "",
        (4, 20),
    ),
    (
        "规划计划",
        "示例市应急体系建设“十五五”规划",
        "明确“十五五”时期应急体系建设的目标、任务和保障措施。",
        "为加快推进应急管理体系和能力现代化，制定本规划。\n\n规划期为2026年至2030年。",
        "示应急〔2026〕12号",
        "综合政务\\应急管理",
        "",
        "A20_03",
        (5, 12),
    ),
    (
        "应急科普",
        "家庭应急物资储备建议清单",
        "介绍家庭应急物资储备的基础和扩充清单。",
        "家庭应急物资储备分为基础储备和扩充储备。\n\n基础储备包括饮用水、食品、手电筒、急救包等。",
        "",
        "综合政务\\应急管理",
        "",
        "",
        (6, 3),
    ),
    (
        "新闻动态",
        "全市开展防汛防台风应急演练",
        "检验防汛防台风应急预案，提升协同处置能力。",
        "6月18日，全市防汛防台风应急演练在滨江区举行。\n\n演练模拟强降雨引发城市内涝，检验了预警发布、人员转移和抢险救援等环节。",
        "",
        "综合政务\\应急管理",
        "",
        "A20_12",
        (6, 19),
    ),
    (
        "突发公共事件的应急预案、预警信息及应对情况",
        "示例市突发事件总体应急预案",
        "规定全市突发事件应对的组织体系、运行机制和保障措施。",
        "1　总则\n\n1.1　编制目的：为提高政府保障公共安全和处置突发事件的能力，制定本预案。",
        "示政发〔2026〕18号",
        "综合政务\\应急管理",
        "通知",
        "A20_12",
        (7, 22),
    ),
    (
        "政府信息公开指南",
        "示例市应急管理局政府信息公开指南",
        "说明本机关政府信息的分类、获取方式和工作机构联系方式。",
        "一、主动公开\n\n本机关主动公开的政府信息通过本网站“政府信息公开”栏目发布。\n\n二、依申请公开\n\n公民、法人或者其他组织可以向本机关申请获取相关政府信息。\n\n三、工作机构\n\n名称：示例市应急管理局办公室；办公地址：示例市人民路1号；办公时间：工作日上午9:00—12:00，下午13:30—17:30；联系电话：0513-85000000；传真：0513-85000001；互联网联系方式：本网站“依申请公开”栏目。",
        "",
        "综合政务\\政务公开",
        "",
        "",
        (1, 6),
    ),
    (
        "新闻动态",
        "市应急管理局部署国庆中秋期间安全防范工作",
        "部署节日期间安全生产和应急值守工作。",
        "9月26日，市应急管理局召开专题会议，部署国庆中秋期间安全防范工作。\n\n会议要求严格落实24小时值班和领导带班制度。",
        "",
        "市场监管、安全生产监管\\安全生产监管",
        "",
        "",
        (9, 27),
    ),
];

/// A year of items for the EMS bureau, each through the whole review chain, published at its
/// date (a demo-only clock; the real clock is never moved).
async fn demo_items(svc: &Service) -> Result<(), String> {
    let store = svc.store();
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let ems = store
        .agency_by_name("示例市应急管理局")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo agency")?;
    let root = store
        .agency_by_name(ROOT)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo root")?;
    let trans = store
        .agency_by_name("示例市交通运输局")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo agency")?;
    for (a, code) in [
        (ems.id, "11320600MB1790201X"),
        (root.id, "11320600014000001K"),
        (trans.id, "11320600MB1790302Y"),
    ] {
        svc.set_credit_code(&Actor::System, a, code)
            .await
            .map_err(msg)?;
    }
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await
            .ok()
            .flatten()
            .map(Actor::User)
            .ok_or_else(|| format!("demo user {name}"))
    };
    let (drafter, head, leader, office) = (
        user("jingban").await?,
        user("chuzhang").await?,
        user("fenguan").await?,
        user("gongkaiban").await?,
    );
    let clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 1, 30, 0)
            .single()
            .ok_or("date")?,
    ));
    let demo = Service::new(store.clone(), clock.clone(), ServiceConfig::default());
    let columns = store.columns(ems.id).await.map_err(|e| e.to_string())?;
    let mut policy_id = None;
    for (column, title, summary, body, doc, topic, genre, law, (m, d)) in ITEMS {
        let col = columns
            .iter()
            .find(|c| c.name == column)
            .ok_or_else(|| format!("demo column {column}"))?;
        let at = Utc
            .with_ymd_and_hms(2026, m, d, 2, 0, 0)
            .single()
            .ok_or("date")?;
        clock.set(at - chrono::Duration::days(2));
        let generated = (at - chrono::Duration::days(3))
            .format("%Y-%m-%d")
            .to_string();
        let form = ItemForm {
            column_id: col.id.to_string(),
            title: title.into(),
            summary: summary.into(),
            body: body.into(),
            publisher: "示例市应急管理局".into(),
            doc_number: doc.into(),
            generated_on: generated,
            topic: topic.into(),
            genre: genre.into(),
            attribute: "active".into(),
            law_item: law.into(),
            validity: if law == "A20_01" {
                "valid".into()
            } else {
                String::new()
            },
            effective_on: if law == "A20_01" {
                at.format("%Y-%m-%d").to_string()
            } else {
                String::new()
            },
            interprets_id: if column == "政策解读" {
                policy_id.map(|p: i64| p.to_string()).unwrap_or_default()
            } else {
                String::new()
            },
            // A 规范性文件 (its 文号 says 规) counts in table 2 of the annual report.
            doc_class: if doc.contains("规〔") {
                "normative".into()
            } else {
                String::new()
            },
            ..ItemForm::default()
        };
        let item = demo
            .create_item(&drafter, ems.id, &form)
            .await
            .map_err(msg)?;
        demo.submit_item(&drafter, item.id).await.map_err(msg)?;
        clock.advance(chrono::Duration::hours(20));
        demo.decide_item(&head, item.id, true, "同意", "")
            .await
            .map_err(msg)?;
        demo.decide_item(&leader, item.id, true, "同意发布", "")
            .await
            .map_err(msg)?;
        clock.set(at);
        demo.publish_item(&office, item.id, None)
            .await
            .map_err(msg)?;
        if column == "政策文件" {
            policy_id = Some(item.id);
        }
    }
    svc.save_guide(&Actor::System, ems.id, &gongkai_service::Guide {
        classification: "本机关主动公开的政府信息按“政府信息公开”栏目编排：政府信息公开指南、政府信息公开制度、法定主动公开内容（按条例第二十条各项分设子栏目）、政府信息公开年报；每条信息标注索引号、主题分类、发布机构、成文日期和文号。".into(),
        access: "（一）主动公开：通过本网站“政府信息公开”栏目发布，并在市政务服务中心、市档案馆和市图书馆查阅场所提供。\n（二）依申请公开：公民、法人或者其他组织可以通过本网站在线提交、当面递交、邮寄或传真申请表。本机关收到申请之日起 20 个工作日内答复；需要延长的，经负责人同意可延长不超过 20 个工作日。".into(),
        office_name: "示例市应急管理局办公室".into(),
        office_address: "示例市人民路1号".into(),
        office_hours: "工作日上午 9:00—12:00，下午 13:30—17:30（法定节假日除外）".into(),
        office_phone: "0513-85000000".into(),
        office_fax: "0513-85000001".into(),
        office_online_contact: "本网站“依申请公开”栏目".into(),
        reading_rooms: "示例市政务服务中心一楼政府信息查阅点；示例市档案馆；示例市图书馆。".into(),
        remedies: "认为本机关在政府信息公开工作中侵犯其合法权益的，可以向示例市人民政府政务公开办公室投诉、举报，也可以依法申请行政复议或者提起行政诉讼。".into(),
        updated_at: 0,
    }).await.map_err(msg)?;
    // Work in progress: one item waiting for the division head, one draft with personal data.
    clock.set(morning(2026, 11, 20)?);
    let notice = columns
        .iter()
        .find(|c| c.name == "公示公告")
        .ok_or("demo column")?;
    let mut form = ItemForm {
        column_id: notice.id.to_string(),
        title: "关于2026年度安全生产先进集体和先进个人的公示".into(),
        summary: "公示拟表彰的先进集体和先进个人名单。".into(),
        body: "经推荐和评审，拟表彰以下先进集体和先进个人，现予公示。".into(),
        publisher: "示例市应急管理局".into(),
        generated_on: "2026-11-18".into(),
        topic: "市场监管、安全生产监管\\安全生产监管".into(),
        attribute: "active".into(),
        ..ItemForm::default()
    };
    let waiting = demo
        .create_item(&drafter, ems.id, &form)
        .await
        .map_err(msg)?;
    demo.submit_item(&drafter, waiting.id).await.map_err(msg)?;
    form.title = "关于应急救援队伍补充人员的公告（草稿）".into();
    form.body = "联系人：张某某，手机13812345678，身份证号11010519491231002X。".into();
    form.generated_on = "2026-11-19".into();
    demo.create_item(&drafter, ems.id, &form)
        .await
        .map_err(msg)?;
    Ok(())
}

/// One demo application: receipt date, applicant type,
/// name, what is asked, and how far it goes.
type DemoCase = (
    (i32, u32, u32),
    &'static str,
    &'static str,
    &'static str,
    DemoPath,
);

#[derive(Clone, Copy)]
enum DemoPath {
    /// Decided with this disposition and delivered; `true` = archived too.
    Decided(gongkai_domain::application::Disposition, bool),
    CorrectionLapsed,
    FeeLapsed,
    Withdrawn,
    /// Left open in this state.
    Open(&'static str),
}

const CASES: &[DemoCase] = {
    use DemoPath::{CorrectionLapsed, Decided, FeeLapsed, Open, Withdrawn};
    use gongkai_domain::application::Disposition as D;
    &[
        // 2020: the cases behind the seed example's table 3 (seven applications from natural
        // persons: four granted, one refused to protect a third party, two not held).
        (
            (2020, 3, 9),
            "natural_person",
            "周敏",
            "2019年度安全生产执法检查计划",
            Decided(D::Granted, true),
        ),
        (
            (2020, 4, 13),
            "natural_person",
            "吴刚",
            "某化工企业2019年行政处罚决定书",
            Decided(D::Granted, true),
        ),
        (
            (2020, 5, 18),
            "natural_person",
            "郑丽",
            "2020年防汛抗旱应急预案",
            Decided(D::Granted, true),
        ),
        (
            (2020, 6, 15),
            "natural_person",
            "王磊",
            "全市应急避难场所建设规划",
            Decided(D::Granted, true),
        ),
        (
            (2020, 7, 13),
            "natural_person",
            "冯涛",
            "某企业安全评价报告全文",
            Decided(D::DeniedThirdPartyRights, true),
        ),
        (
            (2020, 8, 17),
            "natural_person",
            "陈静",
            "1998年某矿山事故调查原始笔录",
            Decided(D::UnableNotHeld, true),
        ),
        (
            (2020, 9, 14),
            "natural_person",
            "褚明",
            "省级应急物资储备库选址论证材料",
            Decided(D::UnableNotHeld, true),
        ),
        (
            (2025, 12, 22),
            "natural_person",
            "陈明",
            "2025年度冬季森林防火检查通报",
            Decided(D::Granted, true),
        ),
        (
            (2026, 1, 12),
            "natural_person",
            "刘芳",
            "某化工园区2025年度安全评价报告",
            Decided(D::PartiallyGranted, true),
        ),
        (
            (2026, 1, 26),
            "commercial_enterprise",
            "示例市宏达建材有限公司",
            "本企业安全生产许可证审查意见",
            Decided(D::Granted, true),
        ),
        (
            (2026, 2, 9),
            "natural_person",
            "黄伟",
            "应急物资储备库选址论证会议记录",
            Decided(D::DeniedProcessInformation, true),
        ),
        (
            (2026, 2, 27),
            "natural_person",
            "周静",
            "某县2019年地震应急演练方案",
            Decided(D::UnableNotHeld, false),
        ),
        (
            (2026, 3, 10),
            "research_institution",
            "示例大学公共安全研究院",
            "全市2015—2025年生产安全事故逐月统计分析",
            Decided(D::UnableNeedsCreation, false),
        ),
        (
            (2026, 3, 24),
            "natural_person",
            "吴强",
            "关于某企业违法排污问题的举报",
            Decided(D::NotProcessedPetition, false),
        ),
        (
            (2026, 4, 8),
            "natural_person",
            "吴强",
            "关于某企业违法排污问题的处理结果",
            Decided(D::NotProcessedRepeated, false),
        ),
        (
            (2026, 4, 21),
            "natural_person",
            "郑丽",
            "《示例市应急管理年鉴（2025）》",
            Decided(D::NotProcessedPublication, false),
        ),
        (
            (2026, 5, 11),
            "natural_person",
            "孙浩",
            "本人已收到的行政处罚决定书的重新出具",
            Decided(D::NotProcessedConfirmation, false),
        ),
        (
            (2026, 5, 25),
            "public_interest_org",
            "示例市绿色环境保护协会",
            "危险化学品重大危险源企业名单",
            Decided(D::DeniedSecurityStability, false),
        ),
        (
            (2026, 6, 8),
            "legal_service_org",
            "示例律师事务所",
            "某安全事故调查报告中涉及企业的商业信息",
            Decided(D::DeniedThirdPartyRights, false),
        ),
        (
            (2026, 6, 22),
            "natural_person",
            "马军",
            "某事故行政处罚案卷全部材料",
            Decided(D::DeniedEnforcementFiles, false),
        ),
        (
            (2026, 7, 6),
            "natural_person",
            "朱红",
            "本机关2025年人员招录内部考核记录",
            Decided(D::DeniedInternalAffairs, false),
        ),
        (
            (2026, 7, 20),
            "natural_person",
            "胡斌",
            "某地下人防工程平面布置图",
            Decided(D::DeniedStateSecret, false),
        ),
        (
            (2026, 8, 3),
            "natural_person",
            "林琳",
            "他人名下不动产登记资料",
            Decided(D::DeniedAdministrativeQuery, false),
        ),
        (
            (2026, 8, 17),
            "other_org",
            "示例市某社区居民委员会",
            "某涉密文件的全文",
            Decided(D::DeniedProhibitedByLaw, false),
        ),
        (
            (2026, 9, 1),
            "natural_person",
            "何平",
            "关于某事项的文件",
            Decided(D::UnableStillUnclear, false),
        ),
        (
            (2026, 9, 14),
            "natural_person",
            "罗刚",
            "全市所有企业近十年的全部执法文书",
            Decided(D::NotProcessedExcessive, false),
        ),
        (
            (2026, 9, 28),
            "natural_person",
            "高洁",
            "关于某工程的有关材料",
            CorrectionLapsed,
        ),
        (
            (2026, 10, 12),
            "commercial_enterprise",
            "示例市信息咨询有限公司",
            "2026年度全部安全检查记录（约 300 页）",
            FeeLapsed,
        ),
        (
            (2026, 10, 19),
            "natural_person",
            "梁宇",
            "某路段积水点整治方案",
            Withdrawn,
        ),
        (
            (2026, 10, 26),
            "natural_person",
            "宋佳",
            "2026年防汛应急预案修订说明",
            Decided(D::Granted, false),
        ),
        (
            (2026, 11, 2),
            "natural_person",
            "唐亮",
            "某建设项目安全设施设计审查意见",
            Open("decided"),
        ),
        (
            (2026, 11, 5),
            "natural_person",
            "韩雪",
            "2026年安全生产专项整治资金使用情况",
            Open("under_review"),
        ),
        (
            (2026, 11, 9),
            "commercial_enterprise",
            "示例市安达物流有限公司",
            "本企业危险货物运输事故调查结论",
            Open("consulting"),
        ),
        (
            (2026, 11, 12),
            "natural_person",
            "冯涛",
            "近五年全部安全检查记录",
            Open("awaiting_payment"),
        ),
        (
            (2026, 11, 16),
            "natural_person",
            "曹敏",
            "某企业应急预案备案情况",
            Open("awaiting_correction"),
        ),
        (
            (2026, 11, 18),
            "natural_person",
            "彭飞",
            "大量重复的同类信息",
            Open("awaiting_explanation"),
        ),
        (
            (2026, 11, 20),
            "natural_person",
            "曾亮",
            "2026年第三季度安全生产形势分析",
            Open("in_progress"),
        ),
        (
            (2026, 11, 24),
            "natural_person",
            "邓颖",
            "某危化品仓库的应急处置预案",
            Open("registered"),
        ),
        (
            (2026, 11, 25),
            "natural_person",
            "蔡琴",
            "2026年应急避难场所名录",
            Open("submitted"),
        ),
    ]
};

/// A year of applications for the EMS bureau in every state and with every outcome, each
/// handled through the real service on a demo clock set to the day of each event.
async fn demo_applications(svc: &Service) -> Result<(), String> {
    use gongkai_domain::application::{
        Command, ConsultationKind, Decision, DeliveryKind, Disposition as D, FeeMethod, Withheld,
    };
    let store = svc.store();
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let ems = store
        .agency_by_name("示例市应急管理局")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo agency")?;
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| format!("demo user {name}"))
    };
    let office = Actor::User(user("gongkaiban").await?);
    let head = Actor::User(user("gkb.fzr").await?);
    let handler = user("jingban").await?;
    let drafter = Actor::User(handler.clone());
    let clock = Arc::new(FixedClock::new(morning(2025, 12, 22)?));
    let demo = Service::new(store.clone(), clock.clone(), ServiceConfig::default());
    let day = |y: i32, m: u32, d: u32| -> Result<chrono::NaiveDate, String> {
        chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "demo date".to_owned())
    };
    let at =
        |d: chrono::NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap_or_default());
    let cal = svc.calendar().await.map_err(msg)?;
    for ((year, m, d), kind, name, title, path) in CASES {
        let receipt = day(*year, *m, *d)?;
        clock.set(at(receipt));
        let org = *kind != "natural_person";
        let form = gongkai_service::ApplicationForm {
            kind: if org {
                "organisation"
            } else {
                "natural_person"
            }
            .into(),
            applicant_type: if org { (*kind).into() } else { String::new() },
            name: (*name).into(),
            id_type: if org {
                String::new()
            } else {
                "resident_id".into()
            },
            phone: "0513-85001234".into(),
            postal_address: "示例市某区某路某号".into(),
            info_title: (*title).into(),
            medium: "paper".into(),
            delivery: "post".into(),
            channel: if matches!(path, DemoPath::Open("submitted")) {
                "post_ordinary"
            } else {
                "in_person"
            }
            .into(),
            submitted_on: receipt.to_string(),
            received_on: receipt.to_string(),
            ..gongkai_service::ApplicationForm::default()
        };
        let (id, _, _) = demo
            .register_application(&office, ems.id, &form)
            .await
            .map_err(msg)?;
        if matches!(path, DemoPath::Open("submitted")) {
            continue;
        }
        if matches!(path, DemoPath::Open("registered")) {
            continue;
        }
        demo.assign_application(&office, id, Some(handler.id), None)
            .await
            .map_err(msg)?;
        // The n-th working day after receipt, as a date to act on.
        let wd = |n: u32| cal.add_working_days(receipt, n, false).unwrap_or(receipt);
        let act = |on: chrono::NaiveDate, who: &Actor, cmd: Command| {
            let (demo, clock, who) = (demo.clone(), clock.clone(), who.clone());
            async move {
                clock.set(at(on));
                demo.act_on_application(&who, id, cmd).await.map(drop)
            }
        };
        let decision = |disp: D| Decision {
            disposition: disp,
            basis: if disp.usual_basis().is_empty() {
                "《中华人民共和国政府信息公开条例》第三十九条".into()
            } else {
                disp.usual_basis().into()
            },
            reasons: demo_reason(disp).to_owned(),
            provided: if matches!(disp, D::Granted | D::PartiallyGranted) {
                "随本答复书邮寄所申请信息的复印件。".into()
            } else {
                String::new()
            },
            withheld: if disp == D::PartiallyGranted {
                vec![Withheld {
                    what: "评价报告中企业的工艺参数".into(),
                    reason: "属于商业秘密，公开会损害企业合法权益".into(),
                    basis: "条例第十五条".into(),
                }]
            } else {
                Vec::new()
            },
            letter_no: None,
            issued_on: None,
            on_spot: false,
            letters: None,
            preliminary_review: None,
        };
        let decide = |disp: D, from: u32| {
            let act = &act;
            let (drafter, head) = (&drafter, &head);
            async move {
                act(
                    wd(from),
                    drafter,
                    Command::SubmitDraft {
                        decision: decision(disp),
                    },
                )
                .await?;
                act(
                    wd(from + 1),
                    head,
                    Command::ApproveDecision {
                        on: wd(from + 1),
                        letter_no: String::new(),
                    },
                )
                .await
            }
        };
        let deliver = |on: chrono::NaiveDate| {
            act(
                on,
                &drafter,
                Command::Deliver {
                    kind: DeliveryKind::Posted,
                    on,
                    proof: "EMS 挂号信回执".into(),
                },
            )
        };
        let r: Result<(), gongkai_service::ServiceError> = async {
            match *path {
                DemoPath::Decided(disp, archive) => {
                    if disp == D::UnableStillUnclear {
                        act(
                            wd(2),
                            &drafter,
                            Command::RequestCorrection {
                                on: wd(2),
                                received_on: None,
                                items: "请写明所需文件的标题、文号或形成时间".into(),
                                guidance: "可在本机关网站“政府信息公开”栏目检索".into(),
                                period_wd: None,
                            },
                        )
                        .await?;
                        act(wd(5), &drafter, Command::ReceiveCorrection { on: wd(5) }).await?;
                    }
                    if disp == D::NotProcessedExcessive {
                        act(wd(2), &drafter, Command::RequestExplanation { on: wd(2) }).await?;
                        act(
                            wd(6),
                            &drafter,
                            Command::ExplanationReceived {
                                on: wd(6),
                                accepted: false,
                            },
                        )
                        .await?;
                    }
                    if matches!(disp, D::PartiallyGranted | D::DeniedThirdPartyRights) {
                        act(
                            wd(3),
                            &drafter,
                            Command::StartConsultation {
                                kind: ConsultationKind::ThirdParty,
                                party: "有关企业".into(),
                                on: wd(3),
                            },
                        )
                        .await?;
                        act(
                            wd(4),
                            &drafter,
                            Command::ConsultationReceived {
                                index: 0,
                                on: wd(4),
                            },
                        )
                        .await?;
                        act(
                            wd(9),
                            &drafter,
                            Command::ConsultationAnswered {
                                index: 0,
                                on: wd(9),
                                opinion: "不同意公开涉及本企业商业秘密的内容".into(),
                                objected: true,
                            },
                        )
                        .await?;
                    }
                    if *m == 1 && *d == 26 {
                        act(
                            wd(8),
                            &head,
                            Command::ApproveExtension {
                                on: wd(8),
                                wd: 10,
                                reason: "需调取多个科室的审查材料".into(),
                            },
                        )
                        .await?;
                    }
                    decide(disp, 10).await?;
                    deliver(wd(12)).await?;
                    if archive {
                        act(wd(14), &drafter, Command::Archive).await?;
                    }
                }
                DemoPath::CorrectionLapsed => {
                    act(
                        wd(3),
                        &drafter,
                        Command::RequestCorrection {
                            on: wd(3),
                            received_on: None,
                            items: "请写明所需材料的名称或工程名称".into(),
                            guidance: String::new(),
                            period_wd: None,
                        },
                    )
                    .await?;
                    act(wd(15), &drafter, Command::CorrectionLapsed).await?;
                }
                DemoPath::FeeLapsed => {
                    act(
                        wd(2),
                        &head,
                        Command::IssueFeeNotice {
                            on: wd(2),
                            received_on: None,
                            method: FeeMethod::PerPage,
                            units: 300,
                            amount_yuan: 0,
                        },
                    )
                    .await?;
                    act(wd(24), &drafter, Command::FeeLapsed).await?;
                }
                DemoPath::Withdrawn => {
                    act(
                        wd(3),
                        &office,
                        Command::Withdraw {
                            on: wd(3),
                            reason: "申请人书面撤回申请".into(),
                        },
                    )
                    .await?;
                }
                DemoPath::Open(state) => match state {
                    "decided" => {
                        decide(D::Granted, 8).await?;
                    }
                    "under_review" => {
                        act(
                            wd(3),
                            &drafter,
                            Command::SubmitDraft {
                                decision: decision(D::Granted),
                            },
                        )
                        .await?;
                    }
                    "consulting" => {
                        act(
                            wd(2),
                            &drafter,
                            Command::StartConsultation {
                                kind: ConsultationKind::ThirdParty,
                                party: "示例市安达物流有限公司事故相关方".into(),
                                on: wd(2),
                            },
                        )
                        .await?;
                        act(
                            wd(3),
                            &drafter,
                            Command::ConsultationReceived {
                                index: 0,
                                on: wd(3),
                            },
                        )
                        .await?;
                    }
                    "awaiting_payment" => {
                        act(
                            wd(2),
                            &head,
                            Command::IssueFeeNotice {
                                on: wd(2),
                                received_on: None,
                                method: FeeMethod::PerPage,
                                units: 150,
                                amount_yuan: 0,
                            },
                        )
                        .await?;
                    }
                    "awaiting_correction" => {
                        act(
                            wd(2),
                            &drafter,
                            Command::RequestCorrection {
                                on: wd(2),
                                received_on: None,
                                items: "请写明企业名称".into(),
                                guidance: String::new(),
                                period_wd: None,
                            },
                        )
                        .await?;
                    }
                    "awaiting_explanation" => {
                        act(wd(2), &drafter, Command::RequestExplanation { on: wd(2) }).await?;
                    }
                    _ => {}
                },
            }
            Ok(())
        }
        .await;
        r.map_err(|e| format!("demo application {title}: {e}"))?;
    }
    // One reconsideration and one lawsuit in the register.
    let mut f = gongkai_service::ProceedingForm {
        kind: "administrative_review".into(),
        subject: "application_decision".into(),
        case_number: "示政复〔2026〕12号".into(),
        body: "示例市人民政府".into(),
        procedure: "simple".into(),
        plaintiff: "黄伟".into(),
        filed_on: "2026-04-02".into(),
        notified_on: "2026-04-03".into(),
        result: "upheld".into(),
        result_on: "2026-05-10".into(),
        raw_result: "维持".into(),
        ..gongkai_service::ProceedingForm::default()
    };
    svc.save_proceeding(&office, ems.id, None, &f)
        .await
        .map_err(msg)?;
    f = gongkai_service::ProceedingForm {
        kind: "litigation".into(),
        path: "after_review".into(),
        case_number: "（2026）示0102行初45号".into(),
        body: "示例市某区人民法院".into(),
        procedure: "ordinary".into(),
        filed_on: "2026-05-20".into(),
        notified_on: "2026-05-22".into(),
        result: "pending".into(),
        result_on: String::new(),
        raw_result: String::new(),
        ..f
    };
    svc.save_proceeding(&office, ems.id, None, &f)
        .await
        .map_err(msg)?;
    Ok(())
}

/// A plausible reason for each demo outcome (what a handler would write).
fn demo_reason(d: gongkai_domain::application::Disposition) -> &'static str {
    use gongkai_domain::application::Disposition as D;
    match d {
        D::Granted | D::OtherOverdueCorrection | D::OtherOverdueFee | D::OtherOther => "",
        D::PartiallyGranted => {
            "评价报告中企业的工艺参数属于商业秘密，经征求意见，企业不同意公开且理由合理。"
        }
        D::DeniedStateSecret => "所申请的平面布置图已按规定定为国家秘密。",
        D::DeniedProhibitedByLaw => "所申请文件属于法律、行政法规禁止公开的内容。",
        D::DeniedSecurityStability => "重大危险源企业的具体位置和储量信息公开后可能危及公共安全。",
        D::DeniedThirdPartyRights => {
            "所申请信息涉及企业商业秘密，企业不同意公开且理由合理，不公开不会对公共利益造成重大影响。"
        }
        D::DeniedInternalAffairs => "所申请的考核记录属于本机关人事管理方面的内部事务信息。",
        D::DeniedProcessInformation => {
            "所申请的会议记录属于讨论记录，是行政机关履行职责过程中形成的过程性信息。"
        }
        D::DeniedEnforcementFiles => "所申请的材料属于行政执法案卷信息。",
        D::DeniedAdministrativeQuery => {
            "不动产登记资料的查询另有规定，请向不动产登记机构申请查询。"
        }
        D::UnableNotHeld => {
            "经检索本机关档案及业务系统，本机关未制作、获取该演练方案；该方案由县应急管理局制作，联系电话0513-85002000。"
        }
        D::UnableNeedsCreation => "本机关未制作逐月统计分析，提供需要对现有信息进行加工、分析。",
        D::UnableStillUnclear => {
            "补正后仍未写明所需文件的名称、文号或形成时间，无法确定所申请的信息。"
        }
        D::NotProcessedPetition => {
            "申请内容为对企业违法排污行为的举报，可通过12345热线或生态环境部门举报。"
        }
        D::NotProcessedRepeated => "本机关已就相同内容作出答复。",
        D::NotProcessedPublication => {
            "《示例市应急管理年鉴（2025）》为公开出版物，可在市图书馆查阅或通过出版社购买。"
        }
        D::NotProcessedExcessive => {
            "申请人一个月内提出同类申请八十余件，经要求说明理由，所述理由不合理。"
        }
        D::NotProcessedConfirmation => {
            "申请人要求重新出具已送达的行政处罚决定书，不属于政府信息公开申请。"
        }
    }
}

/// The published report of the seed example (南通市应急管理局, 2020, copied from its web page),
/// imported in the demo as the demo bureau's published 2020 report.
const SEED_2020: &str = include_str!("../demo/seed-2020-published.txt");

/// The bureau's 2020 report, compiled from its 2020 cases, register entry and figures so that
/// its tables are the seed example's (with the seed's arithmetic error corrected): drafted,
/// reviewed and published in January 2021 on a demo clock; then the published seed page is
/// imported beside it, so supervision shows the one cell where they differ and the validator
/// explains the seed's error (H2/H3).
async fn demo_report_2020(svc: &Service) -> Result<(), String> {
    let store = svc.store();
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let ems = store
        .agency_by_name("示例市应急管理局")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo agency")?;
    let user = |name: &'static str| async move {
        store
            .user_by_username(name)
            .await
            .ok()
            .flatten()
            .map(Actor::User)
            .ok_or_else(|| format!("demo user {name}"))
    };
    let office = user("gongkaiban").await?;
    let clock = Arc::new(FixedClock::new(morning(2020, 11, 2)?));
    let demo = Service::new(store.clone(), clock.clone(), ServiceConfig::default());
    // The lawsuit after reconsideration (复议后起诉), decided for the bureau in 2020.
    let f = gongkai_service::ProceedingForm {
        kind: "litigation".into(),
        path: "after_review".into(),
        subject: "application_decision".into(),
        case_number: "（2020）示0102行初18号".into(),
        body: "示例市某区人民法院".into(),
        procedure: "ordinary".into(),
        plaintiff: "冯涛".into(),
        filed_on: "2020-09-21".into(),
        notified_on: "2020-09-23".into(),
        result: "upheld".into(),
        result_on: "2020-11-30".into(),
        raw_result: "驳回诉讼请求".into(),
        ..gongkai_service::ProceedingForm::default()
    };
    clock.set(morning(2020, 12, 1)?);
    demo.save_proceeding(&office, ems.id, None, &f)
        .await
        .map_err(msg)?;
    // Table 2 of the 2019 format: the figures from the enforcement and procurement systems.
    clock.set(morning(2021, 1, 6)?);
    let cell = |row: &str, col: &str| format!("/tables/active_disclosure/{row}/{col}");
    let mut entries: Vec<(String, String, String, String)> = Vec::new();
    for (row, cols, source) in [
        ("licensing", ["0", "0", "0"], "市政务服务管理办公室审批系统"),
        (
            "other_services",
            ["0", "0", "0"],
            "市政务服务管理办公室审批系统",
        ),
        (
            "penalties",
            ["215", "+2", "231"],
            "市应急管理综合行政执法系统",
        ),
        (
            "enforcement",
            ["2", "+1", "1"],
            "市应急管理综合行政执法系统",
        ),
    ] {
        for (col, v) in ["previous_items", "change", "decisions"].iter().zip(cols) {
            entries.push((cell(row, col), v.into(), String::new(), source.into()));
        }
    }
    entries.push((
        cell("fees", "previous_items"),
        "0".into(),
        String::new(),
        "财务科".into(),
    ));
    entries.push((
        cell("fees", "change"),
        "0".into(),
        String::new(),
        "财务科".into(),
    ));
    entries.push((
        cell("procurement", "projects"),
        "4".into(),
        String::new(),
        "政府采购管理系统".into(),
    ));
    // Printed without a unit in the published report; entered as printed.
    entries.push((
        cell("procurement", "amount"),
        "2031.9".into(),
        String::new(),
        "政府采购管理系统".into(),
    ));
    demo.save_report_figures(&office, ems.id, 2020, &entries)
        .await
        .map_err(msg)?;
    let mut n = demo
        .compile_annual_report(&office, ems.id, 2020)
        .await
        .map_err(msg)?
        .narrative;
    n.problems = "一是政府信息公开工作人员力量不足，业务水平有待提高；二是政策解读形式比较单一。\n\n下一步，我局将加强业务培训，丰富解读形式，提高信息公开质量。".into();
    demo.save_annual_report_narrative(&office, ems.id, 2020, &n)
        .await
        .map_err(msg)?;
    // Submitted, signed at both levels, published on 15 January 2021 (on time).
    let item = demo
        .submit_annual_report(&office, ems.id, 2020)
        .await
        .map_err(msg)?;
    clock.set(morning(2021, 1, 8)?);
    // The report is drafted in the 办公室: its head signs the first step.
    demo.decide_item(&user("gkb.fzr").await?, item, true, "同意", "")
        .await
        .map_err(msg)?;
    clock.set(morning(2021, 1, 12)?);
    demo.decide_item(&user("fenguan").await?, item, true, "同意公开", "")
        .await
        .map_err(msg)?;
    clock.set(morning(2021, 1, 15)?);
    demo.publish_item(&office, item, None).await.map_err(msg)?;
    // The published seed page, imported as the bureau's published copy.
    demo.import_annual_report(
        &office,
        ems.id,
        Some(2020),
        chrono::NaiveDate::from_ymd_opt(2021, 1, 15),
        "2020年度报告（网站公开版）.txt",
        SEED_2020.as_bytes(),
    )
    .await
    .map_err(msg)?;
    Ok(())
}

/// 10:00 Beijing time (02:00 UTC) of a demo day.
fn morning(y: i32, m: u32, d: u32) -> Result<chrono::DateTime<Utc>, String> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
        .single()
        .ok_or_else(|| format!("demo date {y}-{m}-{d}"))
}
