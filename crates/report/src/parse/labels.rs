//! Label matching for the parser (spec §4.5, §6.4): step-1 keys against every canonical label of
//! both formats, and step-2 tolerances only against the label expected at a position.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::key;
use crate::schema::{
    self, APPLICANT_COLS, CAPTION_ITEM_1, CAPTION_ITEM_5, CAPTION_ITEM_6, CAPTION_ITEM_8,
    CAPTION_ITEM_9, Format, INFO_CONTENT, T3_APPLICANT_HEADER, T3_CORNER_NOTE, T3_GROUP_OTHER,
    T3_ORG_HEADER, T4_LITIGATION, T4_RECONSIDERATION, TableId,
};

/// What a recognised label is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// Table-2 block caption: index into [`CAPTIONS`].
    Caption(usize),
    /// `信息内容`.
    InfoContent,
    /// A table-2 column header label (any block, either format).
    T2Header,
    /// A table-2 row: its id.
    T2Row(&'static str),
    T3Corner,
    T3Applicant,
    T3Org,
    /// A table-3 column header: index into [`APPLICANT_COLS`].
    T3Col(usize),
    /// A table-3 group label (`三、本年度办理结果`, `（三）不予公开` …).
    T3Group(&'static str),
    /// A table-3 row: its id.
    T3Row(&'static str),
    /// `行政复议` or `行政诉讼`.
    T4Top,
    /// `未经复议直接起诉` / `复议后起诉`.
    T4Block,
    /// `结果维持` … `总计` (table 4 only; `总计` is shared with table 3 and resolved by context).
    T4Col,
    /// A known local label (`其他主动公开文件`, `小计`).
    Local,
}

impl Label {
    pub fn table(self) -> Option<TableId> {
        match self {
            Label::Caption(_) | Label::InfoContent | Label::T2Header | Label::T2Row(_) => {
                Some(TableId::ActiveDisclosure)
            }
            Label::T3Corner
            | Label::T3Applicant
            | Label::T3Org
            | Label::T3Col(_)
            | Label::T3Group(_)
            | Label::T3Row(_) => Some(TableId::Applications),
            Label::T4Top | Label::T4Block | Label::T4Col => Some(TableId::ReviewLitigation),
            Label::Local => None,
        }
    }
}

pub(crate) const CAPTIONS: [&str; 5] = [
    CAPTION_ITEM_1,
    CAPTION_ITEM_5,
    CAPTION_ITEM_6,
    CAPTION_ITEM_8,
    CAPTION_ITEM_9,
];

/// One entry of the index: the label, and the formats it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub label: Label,
    pub canonical: &'static str,
    pub in_2019: bool,
    pub in_2021: bool,
}

impl Entry {
    pub fn in_format(&self, f: Format) -> bool {
        match f {
            Format::V2019 => self.in_2019,
            Format::V2021 => self.in_2021,
        }
    }
}

/// All canonical labels by key. A key can name several labels (e.g. `总计` in tables 3 and 4).
pub(crate) fn index() -> &'static HashMap<String, Vec<Entry>> {
    static INDEX: OnceLock<HashMap<String, Vec<Entry>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut add = |text: &'static str, label: Label, f: Format| {
            let list = m.entry(key(text)).or_default();
            if let Some(e) = list
                .iter_mut()
                .find(|e| e.label == label && e.canonical == text)
            {
                match f {
                    Format::V2019 => e.in_2019 = true,
                    Format::V2021 => e.in_2021 = true,
                }
            } else {
                list.push(Entry {
                    label,
                    canonical: text,
                    in_2019: f == Format::V2019,
                    in_2021: f == Format::V2021,
                });
            }
        };
        for f in [Format::V2019, Format::V2021] {
            for (i, c) in CAPTIONS.iter().enumerate() {
                if f == Format::V2019 || i < 4 {
                    add(c, Label::Caption(i), f);
                }
            }
            add(INFO_CONTENT, Label::InfoContent, f);
            for row in schema::table_def(f, TableId::ActiveDisclosure).rows {
                add(row.label, Label::T2Row(row.id), f);
                for c in row.cols {
                    add(c.label, Label::T2Header, f);
                }
            }
            add(T3_CORNER_NOTE, Label::T3Corner, f);
            add(T3_APPLICANT_HEADER, Label::T3Applicant, f);
            add(T3_ORG_HEADER, Label::T3Org, f);
            for (i, c) in APPLICANT_COLS.iter().enumerate() {
                add(c.label, Label::T3Col(i), f);
            }
            let t3 = schema::table_def(f, TableId::Applications);
            for row in t3.rows {
                add(row.label, Label::T3Row(row.id), f);
                if let Some(g) = row.group
                    && !(f == Format::V2019 && g == T3_GROUP_OTHER)
                {
                    add(g, Label::T3Group(g), f);
                }
            }
            add(T4_RECONSIDERATION, Label::T4Top, f);
            add(T4_LITIGATION, Label::T4Top, f);
            let t4 = schema::table_def(f, TableId::ReviewLitigation);
            for row in &t4.rows[1..] {
                add(row.label, Label::T4Block, f);
            }
            for c in t4.rows[0].cols {
                add(c.label, Label::T4Col, f);
            }
            add("其他主动公开文件", Label::Local, f);
            add("小计", Label::Local, f);
        }
        m
    })
}

/// Every canonical label key (for fragment tests).
pub(crate) fn keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut v: Vec<String> = index().keys().cloned().collect();
        v.sort();
        v
    })
}

/// Exact (step-1) matches of a printed label.
pub(crate) fn exact(printed_key: &str) -> &'static [Entry] {
    index().get(printed_key).map_or(&[], Vec::as_slice)
}

/// How a step-2 tolerance matched (spec §6.4), for F5 messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tolerance {
    Annotation,
    Truncation,
    Numbering,
    /// A few characters left out inside the label (`2.其他法律行政止公开`); same ordinal, at
    /// least three quarters of the characters in order. An extension of spec §6.4 (ADR 0004).
    Omission,
}

fn strip_ordinal(k: &str) -> &str {
    let s =
        k.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
    let s = s.strip_prefix(['.', ',']).unwrap_or(s);
    if let Some(rest) = k.strip_prefix('(')
        && let Some(i) = rest.find(')')
    {
        let inner = &rest[..i];
        if inner
            .chars()
            .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        {
            return &rest[i + 1..];
        }
    }
    s
}

/// Step 2: the printed key against the canonical label expected at this position.
pub(crate) fn tolerant(printed_key: &str, canonical: &str) -> Option<Tolerance> {
    let ck = key(canonical);
    if printed_key == ck || printed_key.is_empty() {
        return None;
    }
    // Dropped annotation: a trailing parenthesised segment.
    if let Some(open) = printed_key.rfind('(')
        && printed_key.ends_with(')')
        && open > 0
        && printed_key[..open] == ck
    {
        return Some(Tolerance::Annotation);
    }
    // Truncation: a proper prefix with at least 3 characters after the ordinal.
    if ck.starts_with(printed_key) && strip_ordinal(printed_key).chars().count() >= 3 {
        return Some(Tolerance::Truncation);
    }
    // Numbering variant: equal once the leading ordinal is removed from both.
    let (a, b) = (strip_ordinal(printed_key), strip_ordinal(&ck));
    if !a.is_empty() && a == b {
        return Some(Tolerance::Numbering);
    }
    // Omission: same ordinal, the printed text a subsequence of the canonical one.
    let ordinal_len = |k: &str| k.len() - strip_ordinal(k).len();
    let same_ordinal = printed_key[..ordinal_len(printed_key)] == ck[..ordinal_len(&ck)];
    let (na, nb) = (a.chars().count(), b.chars().count());
    if same_ordinal && na >= 4 && na * 4 >= nb * 3 && na < nb && is_subsequence(a, b) {
        return Some(Tolerance::Omission);
    }
    None
}

fn is_subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|l| l == c))
}

/// The 2019-only and 2021-only indicator labels (spec §6.7), by key.
pub(crate) fn indicator(printed_key: &str) -> Option<Format> {
    static SETS: OnceLock<(Vec<String>, Vec<String>)> = OnceLock::new();
    let (v19, v21) = SETS.get_or_init(|| {
        let v19 = [
            "本年新制作数量",
            "本年新公开数量",
            "对外公开总数量",
            "规范性文件",
            "上一年项目数量",
            "本年增/减",
            "处理决定数量",
            "其他对外管理服务事项",
            CAPTION_ITEM_9,
            "采购项目数量",
            "采购总金额",
            "政府集中采购",
        ];
        let v21 = [
            "本年制发件数",
            "本年废止件数",
            "现行有效件数",
            "行政规范性文件",
            "本年处理决定数量",
            "本年收费金额（单位：万元）",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "3.其他",
        ];
        (
            v19.iter().map(|s| key(s)).collect(),
            v21.iter().map(|s| key(s)).collect(),
        )
    });
    if v19.iter().any(|k| k == printed_key) {
        Some(Format::V2019)
    } else if v21.iter().any(|k| k == printed_key) {
        Some(Format::V2021)
    } else if printed_key == key("本年新") {
        Some(Format::V2019)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerances() {
        assert_eq!(
            tolerant(&key("本年新"), "本年新制作数量"),
            Some(Tolerance::Truncation)
        );
        assert_eq!(
            tolerant(&key("现行有效件"), "现行有效件数"),
            Some(Tolerance::Truncation)
        );
        assert_eq!(
            tolerant(&key("规章(设区的市、自治州人民政府应提供相关数据)"), "规章"),
            Some(Tolerance::Annotation)
        );
        // `（1）` is already `1.` after step 1, so this is an exact match, not a tolerance.
        assert_eq!(key("（1）属于国家秘密"), key("1.属于国家秘密"));
        assert_eq!(
            tolerant(&key("一、属于国家秘密"), "1.属于国家秘密"),
            Some(Tolerance::Numbering)
        );
        assert_eq!(
            tolerant(&key("属于国家秘密"), "1.属于国家秘密"),
            Some(Tolerance::Numbering)
        );
        assert_eq!(
            tolerant(
                &key("（二）部分公开"),
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
            ),
            Some(Tolerance::Truncation)
        );
        assert_eq!(tolerant(&key("本年"), "本年新制作数量"), None, "too short");
        assert_eq!(tolerant(&key("行政许可"), "行政处罚"), None);
        assert_eq!(
            tolerant(&key("2.其他法律行政止公开"), "2.其他法律行政法规禁止公开"),
            Some(Tolerance::Omission)
        );
        assert_eq!(
            tolerant(&key("3.其他法律行政止公开"), "2.其他法律行政法规禁止公开"),
            None,
            "ordinal differs"
        );
        assert_eq!(
            tolerant(&key("2.公开"), "2.其他法律行政法规禁止公开"),
            None,
            "too little left"
        );
    }

    #[test]
    fn every_label_is_indexed() {
        assert!(
            exact(&key("第二十条第(一)项"))
                .iter()
                .any(|e| e.label == Label::Caption(0))
        );
        assert!(exact(&key("总计")).len() >= 2);
        let other = exact(&key("（六）其他处理"));
        assert!(
            other
                .iter()
                .any(|e| e.label == Label::T3Row("other") && e.in_2019 && !e.in_2021)
        );
        assert!(
            other
                .iter()
                .any(|e| e.label == Label::T3Group(T3_GROUP_OTHER) && e.in_2021)
        );
        assert_eq!(indicator(&key("本年新")), Some(Format::V2019));
        assert_eq!(
            indicator(&key("本年收费金额(单位:万元)")),
            Some(Format::V2021)
        );
    }
}
