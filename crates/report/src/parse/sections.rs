//! Headings, narrative and metadata (spec §6.3, §6.8).

use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

use super::labels;
use crate::findings::{Finding, Location, Severity};
use crate::normalize::key;
use crate::schema::SectionId;

const ORDINALS: &str = "一二三四五六七八九";

/// A candidate heading: a key starting with a Chinese ordinal followed by `,` (spec §6.3).
pub(crate) fn is_heading_candidate(k: &str) -> bool {
    let mut it = k.chars();
    matches!((it.next(), it.next()), (Some(o), Some(',')) if ORDINALS.contains(o))
}

fn ordinal(k: &str) -> Option<usize> {
    k.chars()
        .next()
        .and_then(|c| ORDINALS.chars().position(|o| o == c))
}

/// Table-3 row and group labels look like headings but are not (spec §6.3).
fn is_table_label(k: &str) -> bool {
    labels::exact(k)
        .iter()
        .any(|e| matches!(e.label, labels::Label::T3Row(_) | labels::Label::T3Group(_)))
        || [
            "一,本年新收",
            "二,上年结转",
            "三,本年度办理结果",
            "四,结转下年度",
        ]
        .iter()
        .any(|p| k.starts_with(p))
}

/// Whether a heading candidate has the distinctive words of one of the six sections.
pub(crate) fn names_a_section(k: &str) -> bool {
    SectionId::ALL.iter().any(|id| distinctive(*id, k))
}

fn distinctive(id: SectionId, k: &str) -> bool {
    match id {
        SectionId::Overview => k.contains("总体情况"),
        SectionId::ActiveDisclosure => k.contains("主动公开"),
        SectionId::Applications => k.contains("申请") && k.contains("处理"),
        SectionId::ReviewLitigation => k.contains("复议") || k.contains("诉讼"),
        SectionId::Problems => k.contains("问题"),
        SectionId::OtherMatters => k.contains("其他需要报告"),
    }
}

/// A heading found in the text: index into the list of text pieces, and its printed text.
#[derive(Debug, Clone)]
pub(crate) struct Heading {
    pub id: Option<SectionId>,
    pub at: usize,
    pub printed: String,
}

/// Finds the six headings and extra sections among `lines` (spec §6.3 three passes).
pub(crate) fn headings(
    lines: &[(String, Option<u32>)],
    findings: &mut Vec<Finding>,
) -> Vec<Heading> {
    let candidates: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, (t, _))| {
            if t.chars().count() > 40 {
                return None;
            }
            let k = key(t);
            (is_heading_candidate(&k) && !is_table_label(&k) && t.chars().count() <= 40)
                .then_some((i, k))
        })
        .collect();
    let mut found: Vec<Option<usize>> = vec![None; 6];
    // Pass 1: exact.
    for id in SectionId::ALL {
        let ck = key(id.heading());
        let hits: Vec<usize> = candidates
            .iter()
            .filter(|(_, k)| *k == ck)
            .map(|(i, _)| *i)
            .collect();
        if let Some(first) = hits.first() {
            found[id.index()] = Some(*first);
            for dup in &hits[1..] {
                findings.push(
                    Finding::new(
                        "F2",
                        Severity::Error,
                        format!("章节“{}”重复出现。", id.heading()),
                        format!("Section {} appears twice.", id.heading()),
                    )
                    .at(Location {
                        line: lines[*dup].1,
                        ..Location::default()
                    }),
                );
            }
        }
    }
    // Order of exact headings.
    let mut last: Option<usize> = None;
    for id in SectionId::ALL {
        if let Some(i) = found[id.index()] {
            if last.is_some_and(|l| i < l) {
                findings.push(
                    Finding::new(
                        "F2",
                        Severity::Error,
                        format!("章节“{}”顺序不正确。", id.heading()),
                        format!("Section {} is out of order.", id.heading()),
                    )
                    .at(Location {
                        line: lines[i].1,
                        ..Location::default()
                    }),
                );
            }
            last = Some(last.map_or(i, |l| l.max(i)));
        }
    }
    // Pass 2: fuzzy, between the neighbours already found.
    for id in SectionId::ALL {
        if found[id.index()].is_some() {
            continue;
        }
        let lo = SectionId::ALL[..id.index()]
            .iter()
            .rev()
            .find_map(|s| found[s.index()]);
        let hi = SectionId::ALL[id.index() + 1..]
            .iter()
            .find_map(|s| found[s.index()]);
        let pick = candidates.iter().find(|(i, k)| {
            lo.is_none_or(|l| *i > l)
                && hi.is_none_or(|h| *i < h)
                && distinctive(id, k)
                && !found.contains(&Some(*i))
        });
        if let Some((i, _)) = pick {
            found[id.index()] = Some(*i);
        }
    }
    let mut out: Vec<Heading> = SectionId::ALL
        .iter()
        .filter_map(|id| {
            found[id.index()].map(|i| Heading {
                id: Some(*id),
                at: i,
                printed: lines[i].0.clone(),
            })
        })
        .collect();
    // Pass 3: after 六, a candidate with ordinal 七 or higher is an extra section.
    if let Some(six) = found[SectionId::OtherMatters.index()] {
        for (i, k) in &candidates {
            if *i > six && ordinal(k).is_some_and(|o| o >= 6) {
                out.push(Heading {
                    id: None,
                    at: *i,
                    printed: lines[*i].0.clone(),
                });
            }
        }
    }
    out.sort_by_key(|h| h.at);
    out
}

/// `…2024年(度)政府信息公开(工作)年度报告` → (agency, year).
pub(crate) fn title_parts(line: &str) -> Option<(Option<String>, i32)> {
    static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (after, before) = RE.get_or_init(|| {
        (
            Regex::new(r"^(.*?)[（(]?(\d{4})[）)]?年度?政府信息公开(?:工作)?(?:年度)?报告")
                .expect("valid regex"),
            Regex::new(r"^(\d{4})年度?(.+?)政府信息公开(?:工作)?(?:年度)?报告")
                .expect("valid regex"),
        )
    });
    let compact: String = line.split_whitespace().collect();
    // A page-capture label before the title (`标题:`, `名称：`).
    let compact = match compact.split_once([':', '：']) {
        Some((label, rest))
            if label.chars().count() <= 4 && (label.contains("标题") || label.contains("名称")) =>
        {
            rest.to_owned()
        }
        _ => compact,
    };
    let clean = |s: &str| {
        let a = s
            .trim_matches(|c: char| matches!(c, '《' | '》' | ' ' | '“' | '”'))
            .to_owned();
        (!a.is_empty()).then_some(a)
    };
    if let Some(m) = after.captures(&compact) {
        return Some((clean(&m[1]), m[2].parse().ok()?));
    }
    let m = before.captures(&compact)?;
    Some((clean(&m[2]), m[1].parse().ok()?))
}

/// A trailing date line `YYYY年M月D日` (落款).
pub(crate) fn date_line(line: &str) -> Option<NaiveDate> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$").expect("valid regex")
    });
    let c: String = crate::parse::value::clean(line);
    let m = re.captures(&c)?;
    NaiveDate::from_ymd_opt(m[1].parse().ok()?, m[2].parse().ok()?, m[3].parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_dates() {
        assert_eq!(
            title_parts("南通市应急管理局2020年政府信息公开工作年度报告"),
            Some((Some("南通市应急管理局".into()), 2020))
        );
        assert_eq!(
            title_parts("沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局"),
            Some((Some("沭阳县发展和改革局".into()), 2023))
        );
        assert_eq!(
            title_parts("2019年上海市人民政府办公厅政府信息公开工作年度报告").map(|t| t.1),
            Some(2019)
        );
        assert_eq!(
            date_line("2021年1月28日"),
            NaiveDate::from_ymd_opt(2021, 1, 28)
        );
        assert!(is_heading_candidate(&key("一、总体情况")));
        assert!(!is_heading_candidate(&key("一是加强组织保障")));
        assert!(!is_heading_candidate(&key("（一）主动公开情况")));
    }
}
