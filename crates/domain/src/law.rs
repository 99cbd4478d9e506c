//! Items of proactive disclosure named by the 条例 (publishing.md §1.2): `law_item` ids and the
//! article's text, verbatim.

use serde::{Deserialize, Serialize};

/// An item of Art. 20 of the 条例 (the mandatory proactive list of every agency).
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
        }
    }

    /// The item number as printed in the article: （一） … （十五）.
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
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ART20.into_iter().find(|i| i.id() == s)
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
    }
}
