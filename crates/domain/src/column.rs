//! Portal columns (栏目): their kinds, the inspection freshness policy of each kind, and the
//! standard 政府信息公开 column every agency has (publishing.md §3).

use serde::{Deserialize, Serialize};

use crate::law::LawItem;

/// What a column holds; decides its default freshness policy (publishing.md §11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// 动态、要闻类 — stale after 2 weeks without a new item.
    News,
    /// 通知公告类 — stale after 6 months.
    Notice,
    /// 政策文件类 — stale after 6 months.
    Policy,
    /// 政策解读.
    Interpretation,
    /// 规划计划.
    Plan,
    /// Any other column.
    General,
    /// The standard column 政府信息公开 (root).
    Disclosure,
    /// 政府信息公开指南.
    Guide,
    /// 政府信息公开制度.
    Rules,
    /// 法定主动公开内容 (parent of one column per Art. 20 item).
    Statutory,
    /// One Art. 20 item under 法定主动公开内容.
    StatutoryItem,
    /// 政府信息公开年报.
    AnnualReport,
}

/// How long a column may go without a new item before inspections count it as not updated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Freshness {
    Weeks(u32),
    Months(u32),
    None,
}

impl ColumnKind {
    /// Kinds staff may choose for their own columns.
    pub const CHOOSABLE: [ColumnKind; 6] = [
        ColumnKind::News,
        ColumnKind::Notice,
        ColumnKind::Policy,
        ColumnKind::Interpretation,
        ColumnKind::Plan,
        ColumnKind::General,
    ];

    pub const ALL: [ColumnKind; 12] = [
        ColumnKind::News,
        ColumnKind::Notice,
        ColumnKind::Policy,
        ColumnKind::Interpretation,
        ColumnKind::Plan,
        ColumnKind::General,
        ColumnKind::Disclosure,
        ColumnKind::Guide,
        ColumnKind::Rules,
        ColumnKind::Statutory,
        ColumnKind::StatutoryItem,
        ColumnKind::AnnualReport,
    ];

    pub const fn id(self) -> &'static str {
        match self {
            ColumnKind::News => "news",
            ColumnKind::Notice => "notice",
            ColumnKind::Policy => "policy",
            ColumnKind::Interpretation => "interpretation",
            ColumnKind::Plan => "plan",
            ColumnKind::General => "general",
            ColumnKind::Disclosure => "disclosure",
            ColumnKind::Guide => "guide",
            ColumnKind::Rules => "rules",
            ColumnKind::Statutory => "statutory",
            ColumnKind::StatutoryItem => "statutory_item",
            ColumnKind::AnnualReport => "annual_report",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ColumnKind::News => "动态要闻类",
            ColumnKind::Notice => "通知公告类",
            ColumnKind::Policy => "政策文件类",
            ColumnKind::Interpretation => "政策解读类",
            ColumnKind::Plan => "规划计划类",
            ColumnKind::General => "其他",
            ColumnKind::Disclosure => "政府信息公开（标准栏目）",
            ColumnKind::Guide => "政府信息公开指南（标准栏目）",
            ColumnKind::Rules => "政府信息公开制度（标准栏目）",
            ColumnKind::Statutory => "法定主动公开内容（标准栏目）",
            ColumnKind::StatutoryItem => "法定主动公开事项（标准栏目）",
            ColumnKind::AnnualReport => "政府信息公开年报（标准栏目）",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == s)
    }

    /// The inspection threshold for the kind (19号文: 动态、要闻类 2 weeks; 通知公告、政策文件类
    /// 6 months). A column may override it with its own number of days.
    pub const fn freshness(self) -> Freshness {
        match self {
            ColumnKind::News => Freshness::Weeks(2),
            ColumnKind::Notice | ColumnKind::Policy => Freshness::Months(6),
            _ => Freshness::None,
        }
    }

    /// Whether the kind belongs to the standard 政府信息公开 column (created by the system,
    /// never renamed, moved or deleted by hand).
    pub const fn is_standard(self) -> bool {
        matches!(
            self,
            ColumnKind::Disclosure
                | ColumnKind::Guide
                | ColumnKind::Rules
                | ColumnKind::Statutory
                | ColumnKind::StatutoryItem
                | ColumnKind::AnnualReport
        )
    }
}

/// One column of the standard tree: name, kind, Art. 20 item, children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardColumn {
    pub name: &'static str,
    pub kind: ColumnKind,
    pub law_item: Option<LawItem>,
    pub children: Vec<StandardColumn>,
}

/// The 政府信息公开 column every agency has (publishing.md §3): 指南, 制度, 法定主动公开内容 with
/// one sub-column per Art. 20 item in the order of the article, 年报.
pub fn standard_tree() -> StandardColumn {
    standard_tree_for(None)
}

/// The Art. 21 sub-columns of 法定主动公开内容 for an agency of `level`, after the Art. 20 ones.
pub fn art21_columns(level: Option<crate::law::AgencyLevel>) -> Vec<StandardColumn> {
    level
        .map_or(&[][..], crate::law::AgencyLevel::art21)
        .iter()
        .map(|&i| StandardColumn {
            name: i.text(),
            kind: ColumnKind::StatutoryItem,
            law_item: Some(i),
            children: Vec::new(),
        })
        .collect()
}

/// The standard column of an agency of `level` (its Art. 21 items included).
pub fn standard_tree_for(level: Option<crate::law::AgencyLevel>) -> StandardColumn {
    let leaf = |name, kind| StandardColumn {
        name,
        kind,
        law_item: None,
        children: Vec::new(),
    };
    StandardColumn {
        name: "政府信息公开",
        kind: ColumnKind::Disclosure,
        law_item: None,
        children: vec![
            leaf("政府信息公开指南", ColumnKind::Guide),
            leaf("政府信息公开制度", ColumnKind::Rules),
            StandardColumn {
                name: "法定主动公开内容",
                kind: ColumnKind::Statutory,
                law_item: None,
                children: LawItem::ART20
                    .iter()
                    .map(|&i| StandardColumn {
                        name: i.text(),
                        kind: ColumnKind::StatutoryItem,
                        law_item: Some(i),
                        children: Vec::new(),
                    })
                    .chain(art21_columns(level))
                    .collect(),
            },
            leaf("政府信息公开年报", ColumnKind::AnnualReport),
        ],
    }
}

/// A column name: 1–40 characters, no control characters, no `/`.
pub fn column_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 {
        return Err("请填写栏目名称，例如“新闻动态”".into());
    }
    if n > 40 {
        return Err(format!("栏目名称最多 40 个字符，现为 {n} 个"));
    }
    if s.chars().any(|c| c.is_control() || c == '/') {
        return Err("栏目名称不能包含控制字符或“/”".into());
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_tree_follows_the_spec() {
        let t = standard_tree();
        let names: Vec<_> = t.children.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "政府信息公开指南",
                "政府信息公开制度",
                "法定主动公开内容",
                "政府信息公开年报"
            ]
        );
        let items = &t.children[2].children;
        assert_eq!(items.len(), 15);
        assert_eq!(items[0].name, "行政法规、规章和规范性文件");
        assert_eq!(items[14].law_item, Some(LawItem::A20_15));
        assert!(t.children.iter().all(|c| c.kind.is_standard()));
    }

    #[test]
    fn art21_columns_follow_the_level() {
        use crate::law::AgencyLevel;
        let items = |l| standard_tree_for(l).children[2].children.len();
        assert_eq!(items(None), 15);
        assert_eq!(items(Some(AgencyLevel::Province)), 15);
        assert_eq!(items(Some(AgencyLevel::City)), 22);
        assert_eq!(items(Some(AgencyLevel::County)), 22);
        assert_eq!(items(Some(AgencyLevel::Township)), 23);
        let t = standard_tree_for(Some(AgencyLevel::Township));
        assert_eq!(t.children[2].children[15].name, "贯彻落实农业农村政策");
    }

    #[test]
    fn kinds_round_trip_and_freshness() {
        for k in ColumnKind::ALL {
            assert_eq!(ColumnKind::parse(k.id()), Some(k));
        }
        assert_eq!(ColumnKind::News.freshness(), Freshness::Weeks(2));
        assert_eq!(ColumnKind::Policy.freshness(), Freshness::Months(6));
        assert!(column_name("  ").is_err());
        assert!(column_name("a/b").is_err());
        assert_eq!(column_name(" 新闻动态 ").unwrap(), "新闻动态");
    }
}
