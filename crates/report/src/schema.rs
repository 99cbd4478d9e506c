//! The one static table of canonical ids and labels (spec §1.3, §2).
//!
//! Every renderer, the validator's messages and the parser read labels from here; nothing else in
//! the crate spells an official label. Labels are the official text character for character
//! (full-width punctuation, curly quotes, ASCII `1.` numbering and `/`, spec §0.2).

use serde::{Deserialize, Serialize};

/// The two official format versions (spec §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Format {
    /// 《中华人民共和国政府信息公开工作年度报告格式（试行）》, 国办公开办函〔2019〕60号 (report years 2019–2020).
    #[serde(rename = "2019")]
    V2019,
    /// 《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号 (report years 2021 onwards).
    #[serde(rename = "2021")]
    V2021,
}

impl Format {
    /// `format_for_year(y)` of spec §1.2; `None` before 2019 (out of scope).
    pub fn for_year(year: i32) -> Option<Format> {
        match year {
            i32::MIN..=2018 => None,
            2019..=2020 => Some(Format::V2019),
            _ => Some(Format::V2021),
        }
    }

    /// The JSON value, `"2019"` or `"2021"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::V2019 => "2019",
            Format::V2021 => "2021",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "2019" => Some(Format::V2019),
            "2021" => Some(Format::V2021),
            _ => None,
        }
    }

    /// The issuing document, as cited in messages (rule F1, F11).
    pub fn document(self) -> &'static str {
        match self {
            Format::V2019 => "国办公开办函〔2019〕60号",
            Format::V2021 => "国办公开办函〔2021〕30号",
        }
    }
}

/// The three tables (spec §0.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableId {
    /// Table 2, 主动公开情况表.
    ActiveDisclosure,
    /// Table 3, 申请情况表.
    Applications,
    /// Table 4, 复议诉讼情况表.
    ReviewLitigation,
}

impl TableId {
    pub const ALL: [TableId; 3] = [
        TableId::ActiveDisclosure,
        TableId::Applications,
        TableId::ReviewLitigation,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "active_disclosure",
            TableId::Applications => "applications",
            TableId::ReviewLitigation => "review_litigation",
        }
    }

    pub fn from_id(id: &str) -> Option<TableId> {
        TableId::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The name used in user messages (spec §0.1).
    pub fn name_zh(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "主动公开情况表",
            TableId::Applications => "申请情况表",
            TableId::ReviewLitigation => "复议诉讼情况表",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            TableId::ActiveDisclosure => "Active-disclosure table",
            TableId::Applications => "Applications table",
            TableId::ReviewLitigation => "Review/litigation table",
        }
    }

    /// The section the table belongs to.
    pub fn section(self) -> SectionId {
        match self {
            TableId::ActiveDisclosure => SectionId::ActiveDisclosure,
            TableId::Applications => SectionId::Applications,
            TableId::ReviewLitigation => SectionId::ReviewLitigation,
        }
    }
}

/// The value type of a cell (spec §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    /// Whole number ≥ 0.
    Count,
    /// Whole number, may be negative (2019 `本年增/减`).
    SignedCount,
    /// Exact decimal ≥ 0.
    Money,
}

/// A value column of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColDef {
    pub id: &'static str,
    pub label: &'static str,
    pub ty: CellType,
}

/// A data row (or table-4 block) with its value columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowDef {
    pub id: &'static str,
    pub label: &'static str,
    /// Table 2: the block caption (`第二十条第（一）项`); table 3: the group label, if the row sits
    /// under a row-spanning group (`（三）不予公开`); table 4: the parent header (`行政诉讼`).
    pub group: Option<&'static str>,
    pub cols: &'static [ColDef],
}

impl RowDef {
    pub fn col_index(&self, id: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.id == id)
    }
}

/// One table of one format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableDef {
    pub table: TableId,
    pub format: Format,
    pub rows: &'static [RowDef],
}

impl TableDef {
    pub fn row_index(&self, id: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.id == id)
    }

    pub fn row(&self, id: &str) -> Option<&'static RowDef> {
        self.rows.iter().find(|r| r.id == id)
    }

    /// Number of value cells.
    pub fn cell_count(&self) -> usize {
        self.rows.iter().map(|r| r.cols.len()).sum()
    }
}

/// Returns the definition of `table` in `format`.
pub fn table_def(format: Format, table: TableId) -> &'static TableDef {
    match (format, table) {
        (Format::V2019, TableId::ActiveDisclosure) => &T2_2019,
        (Format::V2021, TableId::ActiveDisclosure) => &T2_2021,
        (Format::V2019, TableId::Applications) => &T3_2019,
        (Format::V2021, TableId::Applications) => &T3_2021,
        (_, TableId::ReviewLitigation) => &T4,
    }
}

const fn c(id: &'static str, label: &'static str) -> ColDef {
    ColDef {
        id,
        label,
        ty: CellType::Count,
    }
}

// ---------------------------------------------------------------- table 2 (spec §2.3)

pub const CAPTION_ITEM_1: &str = "第二十条第（一）项";
pub const CAPTION_ITEM_5: &str = "第二十条第（五）项";
pub const CAPTION_ITEM_6: &str = "第二十条第（六）项";
pub const CAPTION_ITEM_8: &str = "第二十条第（八）项";
pub const CAPTION_ITEM_9: &str = "第二十条第（九）项";
/// First header cell of every table-2 block.
pub const INFO_CONTENT: &str = "信息内容";

const T2_2021_DOCS: &[ColDef] = &[
    c("issued", "本年制发件数"),
    c("repealed", "本年废止件数"),
    c("in_force", "现行有效件数"),
];
const T2_2021_DECISIONS: &[ColDef] = &[c("decisions", "本年处理决定数量")];
const T2_2021_FEES: &[ColDef] = &[ColDef {
    id: "amount_wan_yuan",
    label: "本年收费金额（单位：万元）",
    ty: CellType::Money,
}];

static T2_2021: TableDef = TableDef {
    table: TableId::ActiveDisclosure,
    format: Format::V2021,
    rows: &[
        RowDef {
            id: "regulations",
            label: "规章",
            group: Some(CAPTION_ITEM_1),
            cols: T2_2021_DOCS,
        },
        RowDef {
            id: "normative_documents",
            label: "行政规范性文件",
            group: Some(CAPTION_ITEM_1),
            cols: T2_2021_DOCS,
        },
        RowDef {
            id: "licensing",
            label: "行政许可",
            group: Some(CAPTION_ITEM_5),
            cols: T2_2021_DECISIONS,
        },
        RowDef {
            id: "penalties",
            label: "行政处罚",
            group: Some(CAPTION_ITEM_6),
            cols: T2_2021_DECISIONS,
        },
        RowDef {
            id: "enforcement",
            label: "行政强制",
            group: Some(CAPTION_ITEM_6),
            cols: T2_2021_DECISIONS,
        },
        RowDef {
            id: "fees",
            label: "行政事业性收费",
            group: Some(CAPTION_ITEM_8),
            cols: T2_2021_FEES,
        },
    ],
};

const T2_2019_DOCS: &[ColDef] = &[
    c("made", "本年新制作数量"),
    c("published", "本年新公开数量"),
    c("total_published", "对外公开总数量"),
];
const T2_2019_ITEMS: &[ColDef] = &[
    c("previous_items", "上一年项目数量"),
    ColDef {
        id: "change",
        label: "本年增/减",
        ty: CellType::SignedCount,
    },
    c("decisions", "处理决定数量"),
];
const T2_2019_FEES: &[ColDef] = &[
    c("previous_items", "上一年项目数量"),
    ColDef {
        id: "change",
        label: "本年增/减",
        ty: CellType::SignedCount,
    },
];
const T2_2019_PROCUREMENT: &[ColDef] = &[
    c("projects", "采购项目数量"),
    ColDef {
        id: "amount",
        label: "采购总金额",
        ty: CellType::Money,
    },
];

static T2_2019: TableDef = TableDef {
    table: TableId::ActiveDisclosure,
    format: Format::V2019,
    rows: &[
        RowDef {
            id: "regulations",
            label: "规章",
            group: Some(CAPTION_ITEM_1),
            cols: T2_2019_DOCS,
        },
        RowDef {
            id: "normative_documents",
            label: "规范性文件",
            group: Some(CAPTION_ITEM_1),
            cols: T2_2019_DOCS,
        },
        RowDef {
            id: "licensing",
            label: "行政许可",
            group: Some(CAPTION_ITEM_5),
            cols: T2_2019_ITEMS,
        },
        RowDef {
            id: "other_services",
            label: "其他对外管理服务事项",
            group: Some(CAPTION_ITEM_5),
            cols: T2_2019_ITEMS,
        },
        RowDef {
            id: "penalties",
            label: "行政处罚",
            group: Some(CAPTION_ITEM_6),
            cols: T2_2019_ITEMS,
        },
        RowDef {
            id: "enforcement",
            label: "行政强制",
            group: Some(CAPTION_ITEM_6),
            cols: T2_2019_ITEMS,
        },
        RowDef {
            id: "fees",
            label: "行政事业性收费",
            group: Some(CAPTION_ITEM_8),
            cols: T2_2019_FEES,
        },
        RowDef {
            id: "procurement",
            label: "政府集中采购",
            group: Some(CAPTION_ITEM_9),
            cols: T2_2019_PROCUREMENT,
        },
    ],
};

/// The non-numeric sibling key of the 2019 `procurement` row (spec §2.3.2).
pub const PROCUREMENT_UNIT_KEY: &str = "amount_unit";

// ---------------------------------------------------------------- table 3 (spec §2.4)

/// The corner note of table 3; it states rule H1 and is rendered verbatim.
pub const T3_CORNER_NOTE: &str =
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
pub const T3_APPLICANT_HEADER: &str = "申请人情况";
pub const T3_ORG_HEADER: &str = "法人或其他组织";
pub const T3_RESULTS_GROUP: &str = "三、本年度办理结果";
pub const T3_GROUP_DENIED: &str = "（三）不予公开";
pub const T3_GROUP_UNABLE: &str = "（四）无法提供";
pub const T3_GROUP_NOT_PROCESSED: &str = "（五）不予处理";
pub const T3_GROUP_OTHER: &str = "（六）其他处理";

/// The seven applicant columns `C7` (spec §2.4.1).
pub const APPLICANT_COLS: &[ColDef] = &[
    c("natural_person", "自然人"),
    c("commercial_enterprise", "商业企业"),
    c("research_institution", "科研机构"),
    c("public_welfare_org", "社会公益组织"),
    c("legal_service_org", "法律服务机构"),
    c("other_org", "其他"),
    c("total", "总计"),
];

/// Index of the `total` column in [`APPLICANT_COLS`].
pub const APPLICANT_TOTAL: usize = 6;

const fn r3(id: &'static str, label: &'static str, group: Option<&'static str>) -> RowDef {
    RowDef {
        id,
        label,
        group,
        cols: APPLICANT_COLS,
    }
}

const D: Option<&str> = Some(T3_GROUP_DENIED);
const U: Option<&str> = Some(T3_GROUP_UNABLE);
const N: Option<&str> = Some(T3_GROUP_NOT_PROCESSED);
const O: Option<&str> = Some(T3_GROUP_OTHER);
const R: Option<&str> = Some(T3_RESULTS_GROUP);

static T3_2019: TableDef = TableDef {
    table: TableId::Applications,
    format: Format::V2019,
    rows: &[
        r3("received", "一、本年新收政府信息公开申请数量", None),
        r3("carried_in", "二、上年结转政府信息公开申请数量", None),
        r3("granted", "（一）予以公开", R),
        r3(
            "partially_granted",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            R,
        ),
        r3("denied_state_secret", "1.属于国家秘密", D),
        r3("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", D),
        r3("denied_security_stability", "3.危及“三安全一稳定”", D),
        r3("denied_third_party_rights", "4.保护第三方合法权益", D),
        r3("denied_internal_affairs", "5.属于三类内部事务信息", D),
        r3("denied_process_information", "6.属于四类过程性信息", D),
        r3("denied_enforcement_files", "7.属于行政执法案卷", D),
        r3("denied_administrative_query", "8.属于行政查询事项", D),
        r3("unable_not_held", "1.本机关不掌握相关政府信息", U),
        r3("unable_needs_creation", "2.没有现成信息需要另行制作", U),
        r3("unable_still_unclear", "3.补正后申请内容仍不明确", U),
        r3("not_processed_petition", "1.信访举报投诉类申请", N),
        r3("not_processed_repeated", "2.重复申请", N),
        r3("not_processed_publication", "3.要求提供公开出版物", N),
        r3("not_processed_excessive", "4.无正当理由大量反复申请", N),
        r3(
            "not_processed_confirmation",
            "5.要求行政机关确认或重新出具已获取信息",
            N,
        ),
        r3("other", "（六）其他处理", R),
        r3("total", "（七）总计", R),
        r3("carried_over", "四、结转下年度继续办理", None),
    ],
};

static T3_2021: TableDef = TableDef {
    table: TableId::Applications,
    format: Format::V2021,
    rows: &[
        r3("received", "一、本年新收政府信息公开申请数量", None),
        r3("carried_in", "二、上年结转政府信息公开申请数量", None),
        r3("granted", "（一）予以公开", R),
        r3(
            "partially_granted",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            R,
        ),
        r3("denied_state_secret", "1.属于国家秘密", D),
        r3("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", D),
        r3("denied_security_stability", "3.危及“三安全一稳定”", D),
        r3("denied_third_party_rights", "4.保护第三方合法权益", D),
        r3("denied_internal_affairs", "5.属于三类内部事务信息", D),
        r3("denied_process_information", "6.属于四类过程性信息", D),
        r3("denied_enforcement_files", "7.属于行政执法案卷", D),
        r3("denied_administrative_query", "8.属于行政查询事项", D),
        r3("unable_not_held", "1.本机关不掌握相关政府信息", U),
        r3("unable_needs_creation", "2.没有现成信息需要另行制作", U),
        r3("unable_still_unclear", "3.补正后申请内容仍不明确", U),
        r3("not_processed_petition", "1.信访举报投诉类申请", N),
        r3("not_processed_repeated", "2.重复申请", N),
        r3("not_processed_publication", "3.要求提供公开出版物", N),
        r3("not_processed_excessive", "4.无正当理由大量反复申请", N),
        r3(
            "not_processed_confirmation",
            "5.要求行政机关确认或重新出具已获取信息",
            N,
        ),
        r3(
            "other_overdue_correction",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            O,
        ),
        r3(
            "other_overdue_fee",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            O,
        ),
        r3("other_other", "3.其他", O),
        r3("total", "（七）总计", R),
        r3("carried_over", "四、结转下年度继续办理", None),
    ],
};

/// Row indexes of the outcome rows `OUT(format)`: `granted` … the last `other…` row (spec §0.3).
pub fn outcome_rows(format: Format) -> std::ops::Range<usize> {
    match format {
        Format::V2019 => 2..21,
        Format::V2021 => 2..23,
    }
}

// ---------------------------------------------------------------- table 4 (spec §2.5)

pub const T4_RECONSIDERATION: &str = "行政复议";
pub const T4_LITIGATION: &str = "行政诉讼";

const T4_COLS: &[ColDef] = &[
    c("upheld", "结果维持"),
    c("corrected", "结果纠正"),
    c("other", "其他结果"),
    c("pending", "尚未审结"),
    c("total", "总计"),
];

static T4: TableDef = TableDef {
    table: TableId::ReviewLitigation,
    format: Format::V2021,
    rows: &[
        RowDef {
            id: "reconsideration",
            label: "行政复议",
            group: None,
            cols: T4_COLS,
        },
        RowDef {
            id: "litigation_direct",
            label: "未经复议直接起诉",
            group: Some(T4_LITIGATION),
            cols: T4_COLS,
        },
        RowDef {
            id: "litigation_after_reconsideration",
            label: "复议后起诉",
            group: Some(T4_LITIGATION),
            cols: T4_COLS,
        },
    ],
};

// ---------------------------------------------------------------- sections (spec §1.3)

/// The six sections, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionId {
    Overview,
    ActiveDisclosure,
    Applications,
    ReviewLitigation,
    Problems,
    OtherMatters,
}

impl SectionId {
    pub const ALL: [SectionId; 6] = [
        SectionId::Overview,
        SectionId::ActiveDisclosure,
        SectionId::Applications,
        SectionId::ReviewLitigation,
        SectionId::Problems,
        SectionId::OtherMatters,
    ];

    pub fn id(self) -> &'static str {
        match self {
            SectionId::Overview => "overview",
            SectionId::ActiveDisclosure => "active_disclosure",
            SectionId::Applications => "applications",
            SectionId::ReviewLitigation => "review_litigation",
            SectionId::Problems => "problems",
            SectionId::OtherMatters => "other_matters",
        }
    }

    pub fn from_id(id: &str) -> Option<SectionId> {
        SectionId::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The canonical heading (identical in both formats).
    pub fn heading(self) -> &'static str {
        match self {
            SectionId::Overview => "一、总体情况",
            SectionId::ActiveDisclosure => "二、主动公开政府信息情况",
            SectionId::Applications => "三、收到和处理政府信息公开申请情况",
            SectionId::ReviewLitigation => "四、政府信息公开行政复议、行政诉讼情况",
            SectionId::Problems => "五、存在的主要问题及改进情况",
            SectionId::OtherMatters => "六、其他需要报告的事项",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The table shown in this section, if any.
    pub fn table(self) -> Option<TableId> {
        match self {
            SectionId::ActiveDisclosure => Some(TableId::ActiveDisclosure),
            SectionId::Applications => Some(TableId::Applications),
            SectionId::ReviewLitigation => Some(TableId::ReviewLitigation),
            _ => None,
        }
    }
}

/// Default sub-headings of section 六 for 2021+ reports (spec §1.4); the first is mandatory.
pub const OTHER_MATTERS_SUBHEADINGS: [&str; 4] = [
    "（一）信息处理费收取情况",
    "（二）落实上级年度政务公开工作要点情况",
    "（三）人大代表建议和政协提案办理结果公开情况",
    "（四）年度政务公开工作创新情况",
];

/// The label of a cell as shown in messages: table-3 column 6 is `其他（法人或其他组织）`.
pub fn col_label_for_message(table: TableId, col: &ColDef) -> &'static str {
    if table == TableId::Applications && col.id == "other_org" {
        "其他（法人或其他组织）"
    } else {
        col.label
    }
}

/// The label of a row as shown in messages: table-4 blocks are shown with their parent.
pub fn row_label_for_message(table: TableId, row: &RowDef) -> &'static str {
    match (table, row.id) {
        (TableId::ReviewLitigation, "litigation_direct") => "行政诉讼—未经复议直接起诉",
        (TableId::ReviewLitigation, "litigation_after_reconsideration") => "行政诉讼—复议后起诉",
        _ => row.label,
    }
}

/// JSON pointer of a cell, e.g. `/tables/applications/granted/total`.
pub fn pointer(table: TableId, row: &str, col: &str) -> String {
    // Built by hand: called for every cell of every report parsed or validated.
    let t = table.id();
    let mut p = String::with_capacity(11 + t.len() + row.len() + col.len());
    for part in ["/tables/", t, "/", row, "/", col] {
        p.push_str(part);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_spec() {
        // spec §2.4.3: 23/25 data rows, 161/175 value cells; §2.3: 2021 table 2 has 8 value cells.
        assert_eq!(
            table_def(Format::V2019, TableId::Applications).rows.len(),
            23
        );
        assert_eq!(
            table_def(Format::V2021, TableId::Applications).rows.len(),
            25
        );
        assert_eq!(
            table_def(Format::V2019, TableId::Applications).cell_count(),
            161
        );
        assert_eq!(
            table_def(Format::V2021, TableId::Applications).cell_count(),
            175
        );
        assert_eq!(outcome_rows(Format::V2019).len(), 19);
        assert_eq!(outcome_rows(Format::V2021).len(), 21);
        assert_eq!(
            table_def(Format::V2021, TableId::ActiveDisclosure).cell_count(),
            10
        );
        assert_eq!(
            table_def(Format::V2019, TableId::ActiveDisclosure).cell_count(),
            22
        );
        assert_eq!(
            table_def(Format::V2019, TableId::ReviewLitigation).cell_count(),
            15
        );
        for f in [Format::V2019, Format::V2021] {
            let t3 = table_def(f, TableId::Applications);
            let out = outcome_rows(f);
            assert_eq!(t3.rows[out.start].id, "granted");
            assert_eq!(t3.rows[out.end].id, "total");
        }
    }

    #[test]
    fn labels_use_official_punctuation() {
        for f in [Format::V2019, Format::V2021] {
            for t in TableId::ALL {
                for r in table_def(f, t).rows {
                    for ch in ['(', ')', ':', ',', '"'] {
                        assert!(!r.label.contains(ch), "{}", r.label);
                    }
                }
            }
        }
    }

    #[test]
    fn format_for_year() {
        assert_eq!(Format::for_year(2018), None);
        assert_eq!(Format::for_year(2019), Some(Format::V2019));
        assert_eq!(Format::for_year(2020), Some(Format::V2019));
        assert_eq!(Format::for_year(2021), Some(Format::V2021));
        assert_eq!(Format::for_year(2030), Some(Format::V2021));
    }
}
