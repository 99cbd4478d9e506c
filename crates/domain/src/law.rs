//! Items of proactive disclosure named by the 条例 (publishing.md §1.2–§1.3): `law_item` ids and
//! the articles' text, verbatim. Art. 20 applies to every agency; the Art. 21 items by level:
//! `A21_CITY_*` for 设区的市级、县级人民政府及其部门, `A21_TOWN_*` for 乡（镇）人民政府.

use serde::{Deserialize, Serialize};

/// An item of Art. 20 (the mandatory proactive list of every agency) or Art. 21 (by level).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(non_camel_case_types)] // the ids of the spec: A20_01 …
pub enum LawItem {
    A20_01,
    A20_02,
    A20_03,
    A20_04,
    A20_05,
    A20_06,
    A20_07,
    A20_08,
    A20_09,
    A20_10,
    A20_11,
    A20_12,
    A20_13,
    A20_14,
    A20_15,
    A21_CITY_01,
    A21_CITY_02,
    A21_CITY_03,
    A21_CITY_04,
    A21_CITY_05,
    A21_CITY_06,
    A21_CITY_07,
    A21_TOWN_01,
    A21_TOWN_02,
    A21_TOWN_03,
    A21_TOWN_04,
    A21_TOWN_05,
    A21_TOWN_06,
    A21_TOWN_07,
    A21_TOWN_08,
}

/// The level of an agency, which decides its Art. 21 items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    /// 省级（及以上）
    Province,
    /// 设区的市级
    City,
    /// 县级（含不设区的市、市辖区）
    County,
    /// 乡（镇）、街道
    Township,
}

impl AgencyLevel {
    pub const ALL: [AgencyLevel; 4] = [
        AgencyLevel::Province,
        AgencyLevel::City,
        AgencyLevel::County,
        AgencyLevel::Township,
    ];

    pub const fn id(self) -> &'static str {
        match self {
            AgencyLevel::Province => "province",
            AgencyLevel::City => "city",
            AgencyLevel::County => "county",
            AgencyLevel::Township => "township",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            AgencyLevel::Province => "省级",
            AgencyLevel::City => "设区的市级",
            AgencyLevel::County => "县级",
            AgencyLevel::Township => "乡（镇）、街道",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == s)
    }

    /// The Art. 21 items of this level: 设区的市级、县级人民政府及其部门 the first list, 乡（镇）
    /// 人民政府 the second (a 街道办事处 is treated as a township; configurable by not setting the
    /// level).
    pub fn art21(self) -> &'static [LawItem] {
        match self {
            AgencyLevel::City | AgencyLevel::County => &LawItem::ART21_CITY,
            AgencyLevel::Township => &LawItem::ART21_TOWN,
            AgencyLevel::Province => &[],
        }
    }
}

impl LawItem {
    pub const ART20: [LawItem; 15] = [
        LawItem::A20_01,
        LawItem::A20_02,
        LawItem::A20_03,
        LawItem::A20_04,
        LawItem::A20_05,
        LawItem::A20_06,
        LawItem::A20_07,
        LawItem::A20_08,
        LawItem::A20_09,
        LawItem::A20_10,
        LawItem::A20_11,
        LawItem::A20_12,
        LawItem::A20_13,
        LawItem::A20_14,
        LawItem::A20_15,
    ];

    pub const ART21_CITY: [LawItem; 7] = [
        LawItem::A21_CITY_01,
        LawItem::A21_CITY_02,
        LawItem::A21_CITY_03,
        LawItem::A21_CITY_04,
        LawItem::A21_CITY_05,
        LawItem::A21_CITY_06,
        LawItem::A21_CITY_07,
    ];

    pub const ART21_TOWN: [LawItem; 8] = [
        LawItem::A21_TOWN_01,
        LawItem::A21_TOWN_02,
        LawItem::A21_TOWN_03,
        LawItem::A21_TOWN_04,
        LawItem::A21_TOWN_05,
        LawItem::A21_TOWN_06,
        LawItem::A21_TOWN_07,
        LawItem::A21_TOWN_08,
    ];

    /// The items an agency of `level` (if known) publishes: Art. 20, then its Art. 21 items.
    pub fn for_level(level: Option<AgencyLevel>) -> Vec<LawItem> {
        let mut v = Self::ART20.to_vec();
        v.extend_from_slice(level.map_or(&[][..], AgencyLevel::art21));
        v
    }

    /// The spec's id, e.g. `A20_01`.
    pub const fn id(self) -> &'static str {
        match self {
            LawItem::A20_01 => "A20_01",
            LawItem::A20_02 => "A20_02",
            LawItem::A20_03 => "A20_03",
            LawItem::A20_04 => "A20_04",
            LawItem::A20_05 => "A20_05",
            LawItem::A20_06 => "A20_06",
            LawItem::A20_07 => "A20_07",
            LawItem::A20_08 => "A20_08",
            LawItem::A20_09 => "A20_09",
            LawItem::A20_10 => "A20_10",
            LawItem::A20_11 => "A20_11",
            LawItem::A20_12 => "A20_12",
            LawItem::A20_13 => "A20_13",
            LawItem::A20_14 => "A20_14",
            LawItem::A20_15 => "A20_15",
            LawItem::A21_CITY_01 => "A21_CITY_01",
            LawItem::A21_CITY_02 => "A21_CITY_02",
            LawItem::A21_CITY_03 => "A21_CITY_03",
            LawItem::A21_CITY_04 => "A21_CITY_04",
            LawItem::A21_CITY_05 => "A21_CITY_05",
            LawItem::A21_CITY_06 => "A21_CITY_06",
            LawItem::A21_CITY_07 => "A21_CITY_07",
            LawItem::A21_TOWN_01 => "A21_TOWN_01",
            LawItem::A21_TOWN_02 => "A21_TOWN_02",
            LawItem::A21_TOWN_03 => "A21_TOWN_03",
            LawItem::A21_TOWN_04 => "A21_TOWN_04",
            LawItem::A21_TOWN_05 => "A21_TOWN_05",
            LawItem::A21_TOWN_06 => "A21_TOWN_06",
            LawItem::A21_TOWN_07 => "A21_TOWN_07",
            LawItem::A21_TOWN_08 => "A21_TOWN_08",
        }
    }

    /// The item number as printed in the article: （一） … （十五）; Art. 21 lists without
    /// numbers, so its items are named by the article.
    pub const fn number(self) -> &'static str {
        match self {
            LawItem::A20_01 => "（一）",
            LawItem::A20_02 => "（二）",
            LawItem::A20_03 => "（三）",
            LawItem::A20_04 => "（四）",
            LawItem::A20_05 => "（五）",
            LawItem::A20_06 => "（六）",
            LawItem::A20_07 => "（七）",
            LawItem::A20_08 => "（八）",
            LawItem::A20_09 => "（九）",
            LawItem::A20_10 => "（十）",
            LawItem::A20_11 => "（十一）",
            LawItem::A20_12 => "（十二）",
            LawItem::A20_13 => "（十三）",
            LawItem::A20_14 => "（十四）",
            LawItem::A20_15 => "（十五）",
            _ => "第二十一条：",
        }
    }

    /// The text of the item, verbatim.
    pub const fn text(self) -> &'static str {
        match self {
            LawItem::A20_01 => "行政法规、规章和规范性文件",
            LawItem::A20_02 => "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
            LawItem::A20_03 => "国民经济和社会发展规划、专项规划、区域规划及相关政策",
            LawItem::A20_04 => "国民经济和社会发展统计信息",
            LawItem::A20_05 => "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
            LawItem::A20_06 => {
                "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定"
            }
            LawItem::A20_07 => "财政预算、决算信息",
            LawItem::A20_08 => "行政事业性收费项目及其依据、标准",
            LawItem::A20_09 => "政府集中采购项目的目录、标准及实施情况",
            LawItem::A20_10 => "重大建设项目的批准和实施情况",
            LawItem::A20_11 => "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
            LawItem::A20_12 => "突发公共事件的应急预案、预警信息及应对情况",
            LawItem::A20_13 => "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
            LawItem::A20_14 => "公务员招考的职位、名额、报考条件等事项以及录用结果",
            LawItem::A20_15 => "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息",
            LawItem::A21_CITY_01 => "市政建设",
            LawItem::A21_CITY_02 => "公共服务",
            LawItem::A21_CITY_03 => "公益事业",
            LawItem::A21_CITY_04 | LawItem::A21_TOWN_05 => "土地征收",
            LawItem::A21_CITY_05 | LawItem::A21_TOWN_06 => "房屋征收",
            LawItem::A21_CITY_06 => "治安管理",
            LawItem::A21_CITY_07 | LawItem::A21_TOWN_08 => "社会救助",
            LawItem::A21_TOWN_01 => "贯彻落实农业农村政策",
            LawItem::A21_TOWN_02 => "农田水利工程建设运营",
            LawItem::A21_TOWN_03 => "农村土地承包经营权流转",
            LawItem::A21_TOWN_04 => "宅基地使用情况审核",
            LawItem::A21_TOWN_07 => "筹资筹劳",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ART20
            .into_iter()
            .chain(Self::ART21_CITY)
            .chain(Self::ART21_TOWN)
            .find(|i| i.id() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_spec_verbatim() {
        let spec = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/spec/publishing.md"
        ));
        // The spec sits beside the repository; when it is absent (a packaged crate) skip the check.
        let Ok(spec) = spec else {
            assert!(
                std::env::var_os("CI").is_none(),
                "../shared/spec/publishing.md is missing"
            );
            return;
        };
        for i in LawItem::ART20 {
            let row = format!("| {} | {} | `{}` |", i.number(), i.text(), i.id());
            assert!(spec.contains(&row), "{row}");
        }
        // Art. 21: the two lists of the article, in its order.
        let city: Vec<&str> = LawItem::ART21_CITY.iter().map(|i| i.text()).collect();
        let town: Vec<&str> = LawItem::ART21_TOWN.iter().map(|i| i.text()).collect();
        assert!(spec.contains(&format!("主动公开涉及{}等方面的政府信息", city.join("、"))));
        assert!(spec.contains(&format!("主动公开{}等方面的政府信息", town.join("、"))));
        for i in LawItem::ART21_CITY.iter().chain(&LawItem::ART21_TOWN) {
            assert_eq!(LawItem::parse(i.id()), Some(*i));
        }
    }
}
