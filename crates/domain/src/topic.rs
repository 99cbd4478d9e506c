//! 主题分类 (publishing.md §6.1–6.2): the default two-level taxonomy, stored as `一级\二级`.
//! The taxonomy is data: the site's administrator may replace it ([`Taxonomy`], edited at
//! `/admin/topics`).

/// `(一级, [二级…])` in the order of the spec.
pub const TOPICS: [(&str, &[&str]); 22] = [
    (
        "国务院组织机构",
        &[
            "国务院",
            "国务院办公厅",
            "国务院组成部门",
            "国务院直属特设机构",
            "国务院直属机构",
            "国务院办事机构",
            "国务院直属事业单位",
            "国务院部委管理的国家局",
            "国务院议事协调机构",
            "其他",
        ],
    ),
    (
        "综合政务",
        &[
            "政务公开",
            "政务督查",
            "应急管理",
            "电子政务",
            "文秘工作",
            "保密工作",
            "信访",
            "参事、文史",
            "其他",
        ],
    ),
    (
        "国民经济管理、国有资产监管",
        &[
            "宏观经济",
            "经济体制改革",
            "统计",
            "物价",
            "国有资产监管",
            "重大建设项目",
            "其他",
        ],
    ),
    (
        "财政、金融、审计",
        &[
            "财政",
            "税务",
            "银行",
            "货币（含外汇）",
            "证券",
            "保险",
            "社会信用体系建设",
            "审计",
            "其他",
        ],
    ),
    (
        "国土资源、能源",
        &[
            "土地",
            "矿产",
            "水资源",
            "海洋",
            "煤炭",
            "石油与天然气",
            "电力",
            "其他",
        ],
    ),
    (
        "农业、林业、水利",
        &["农业、畜牧业、渔业", "林业", "水利", "其他"],
    ),
    (
        "工业、交通",
        &[
            "机械制造与重工业",
            "轻工纺织",
            "化工",
            "国防工业",
            "航天、航空",
            "信息产业（含电信）",
            "公路",
            "水运",
            "铁路",
            "民航",
            "邮政",
            "其他",
        ],
    ),
    (
        "商贸、海关、旅游",
        &[
            "对外经贸合作",
            "国内贸易（含供销）",
            "海关",
            "检验、检疫",
            "旅游",
            "其他",
        ],
    ),
    (
        "市场监管、安全生产监管",
        &[
            "工商",
            "质量监督",
            "标准",
            "食品药品监管",
            "安全生产监管",
            "其他",
        ],
    ),
    (
        "城乡建设、环境保护",
        &[
            "城市规划",
            "城乡建设（含住房）",
            "环境监测、保护与治理",
            "节能与资源综合利用",
            "气象、水文、测绘、地震",
            "其他",
        ],
    ),
    ("科技、教育", &["科技", "教育", "知识产权", "其他"]),
    (
        "文化、广电、新闻出版",
        &["文化", "文物", "新闻出版", "广播、电影、电视", "其他"],
    ),
    ("卫生、体育", &["卫生", "医药管理", "体育", "其他"]),
    (
        "人口与计划生育、妇女儿童工作",
        &["人口与计划生育", "妇女儿童", "其他"],
    ),
    (
        "劳动、人事、监察",
        &[
            "劳动就业",
            "社会保障",
            "人事工作",
            "军转安置",
            "监察",
            "纠正行业不正之风",
            "其他",
        ],
    ),
    ("公安、安全、司法", &["公安", "国家安全", "司法", "其他"]),
    (
        "民政、扶贫、救灾",
        &[
            "减灾救灾",
            "优抚安置",
            "社会福利",
            "行政区划与地名",
            "社团管理",
            "扶贫",
            "其他",
        ],
    ),
    ("民族、宗教", &["民族事务", "宗教事务"]),
    ("对外事务", &["外交、外事", "国际条约、国际组织", "其他"]),
    ("港澳台侨工作", &["港澳工作", "对台工作", "侨务工作"]),
    ("国防", &["国防建设", "国防动员"]),
    ("其他", &[]),
];

/// A 主题分类 taxonomy: the spec's default, or the jurisdiction's own (publishing.md §6.2: "the
/// taxonomy is data, editable per jurisdiction"). Edited as text, one 一级 per line:
/// `一级：二级；二级；…` (a 一级 without 二级 stands alone on its line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taxonomy {
    pub entries: Vec<(String, Vec<String>)>,
}

/// Limits of an edited taxonomy.
pub const MAX_TOP: usize = 100;
pub const MAX_SUB: usize = 100;
pub const MAX_NAME_CHARS: usize = 40;

impl Default for Taxonomy {
    fn default() -> Self {
        Self {
            entries: TOPICS
                .iter()
                .map(|(t, subs)| {
                    (
                        (*t).to_owned(),
                        subs.iter().map(|s| (*s).to_owned()).collect(),
                    )
                })
                .collect(),
        }
    }
}

/// What is wrong with an edited taxonomy, line by line (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxonomyError {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for TaxonomyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "第 {l} 行：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn check_name(name: &str, line: usize) -> Result<(), TaxonomyError> {
    let err = |message: String| TaxonomyError {
        line: Some(line),
        message,
    };
    if name.is_empty() {
        return Err(err("分类名称不能为空（检查是否有多余的分号）".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(err(format!("“{name}”超过 {MAX_NAME_CHARS} 个字符")));
    }
    if name.contains(['\\', '/', ':', '：', ';', '；', '<', '>'])
        || name.chars().any(char::is_control)
    {
        return Err(err(format!(
            "“{name}”含有不能用于分类名称的字符（\\ / ： ； < >）"
        )));
    }
    Ok(())
}

impl Taxonomy {
    /// Reads the edited text. Blank lines are skipped; `:`/`;` are accepted for `：`/`；`.
    pub fn parse(text: &str) -> Result<Self, TaxonomyError> {
        let mut entries: Vec<(String, Vec<String>)> = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let l = raw.trim();
            if l.is_empty() {
                continue;
            }
            let (top, rest) = match l.split_once(['：', ':']) {
                Some((t, r)) => (t.trim(), Some(r)),
                None => (l, None),
            };
            check_name(top, line)?;
            if entries.iter().any(|(t, _)| t == top) {
                return Err(TaxonomyError {
                    line: Some(line),
                    message: format!("一级分类“{top}”重复出现"),
                });
            }
            let mut subs: Vec<String> = Vec::new();
            let rest = rest.map_or("", |r| r.trim().trim_end_matches(['；', ';']));
            if !rest.is_empty() {
                for sub in rest.split(['；', ';']).map(str::trim) {
                    check_name(sub, line)?;
                    if subs.iter().any(|s| s == sub) {
                        return Err(TaxonomyError {
                            line: Some(line),
                            message: format!("“{top}”下的二级分类“{sub}”重复出现"),
                        });
                    }
                    subs.push(sub.to_owned());
                }
            }
            if subs.len() > MAX_SUB {
                return Err(TaxonomyError {
                    line: Some(line),
                    message: format!("每个一级分类最多 {MAX_SUB} 个二级分类"),
                });
            }
            entries.push((top.to_owned(), subs));
        }
        if entries.is_empty() {
            return Err(TaxonomyError {
                line: None,
                message: "至少需要一个一级分类".into(),
            });
        }
        if entries.len() > MAX_TOP {
            return Err(TaxonomyError {
                line: None,
                message: format!("最多 {MAX_TOP} 个一级分类"),
            });
        }
        Ok(Self { entries })
    }

    /// The text form read by [`Taxonomy::parse`].
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (top, subs) in &self.entries {
            out.push_str(top);
            if !subs.is_empty() {
                out.push('：');
                out.push_str(&subs.join("；"));
            }
            out.push('\n');
        }
        out
    }

    /// Every selectable value: each `一级` alone and each `一级\二级`.
    pub fn all(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (top, subs) in &self.entries {
            out.push(top.clone());
            for s in subs {
                out.push(format!("{top}\\{s}"));
            }
        }
        out
    }

    /// Whether `s` is a value of the taxonomy.
    pub fn contains(&self, s: &str) -> bool {
        match s.split_once('\\') {
            Some((top, sub)) => self
                .entries
                .iter()
                .any(|(t, subs)| t == top && subs.iter().any(|x| x == sub)),
            None => self.entries.iter().any(|(t, _)| t == s),
        }
    }
}

/// 体裁分类 defaults (publishing.md §6.3): the 15 kinds of 公文 plus 其他.
pub const GENRES: [&str; 16] = [
    "决议",
    "决定",
    "命令（令）",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
    "其他",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy() {
        let t = Taxonomy::default();
        assert!(t.contains("综合政务\\政务公开"));
        assert!(t.contains("卫生、体育\\医药管理"));
        assert!(t.contains("其他"));
        assert!(!t.contains("综合政务\\不存在"));
        assert_eq!(t.all().iter().filter(|t| !t.contains('\\')).count(), 22);
        assert_eq!(Taxonomy::parse(&t.to_text()), Ok(t));
        let spec = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/spec/publishing.md"
        ));
        let Ok(spec) = spec else {
            assert!(
                std::env::var_os("CI").is_none(),
                "../shared/spec/publishing.md is missing"
            );
            return;
        };
        for (top, subs) in TOPICS {
            if !subs.is_empty() {
                let row = format!("| {top} | {} |", subs.join("；"));
                assert!(spec.contains(&row), "{row}");
            }
        }
    }

    #[test]
    fn edited_taxonomies_are_read_or_refused_with_the_line() {
        let t = Taxonomy::parse("综合政务: 政务公开; 信访；\n\n港澳台工作\n其他：").unwrap();
        assert_eq!(
            t.entries,
            vec![
                (
                    "综合政务".to_owned(),
                    vec!["政务公开".to_owned(), "信访".to_owned()]
                ),
                ("港澳台工作".to_owned(), vec![]),
                ("其他".to_owned(), vec![]),
            ]
        );
        assert!(t.contains("港澳台工作") && !t.contains("国防"));
        let err = |text: &str| Taxonomy::parse(text).unwrap_err().to_string();
        assert_eq!(err(""), "至少需要一个一级分类");
        assert_eq!(
            err("甲\n乙：丙；丙"),
            "第 2 行：“乙”下的二级分类“丙”重复出现"
        );
        assert_eq!(err("甲\n甲：乙"), "第 2 行：一级分类“甲”重复出现");
        assert!(err("甲：乙；；丙").starts_with("第 1 行：分类名称不能为空"));
        assert!(err("甲\\乙").contains("不能用于分类名称"));
        assert!(err(&"长".repeat(41)).contains("超过 40 个字符"));
    }
}
