//! Structure rules on a model (F1, F2, F3, F11) and the narrative rules S7–S9, N1–N3.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use super::{Ctx, Profile, num};
use crate::findings::{Finding, Location, NotRunReason, Severity};
use crate::model::{AgencyKind, Report};
use crate::normalize::{compact, key};
use crate::schema::{APPLICANT_TOTAL, Format, SectionId, TableId};

/// F1, F2 (missing headings), F3 (wording, extra sections), F11 (cited format document).
pub(crate) fn structure(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    match Format::for_year(r.year) {
        None => ctx.push(Finding::new(
            "F1",
            Severity::Error,
            "本规范适用于2019年度及以后的年度报告。",
            "Only reports for 2019 and later are supported.",
        )),
        Some(expected) if expected != r.format => {
            let mut f = Finding::new(
                "F1",
                Severity::Error,
                format!(
                    "{}年度报告应使用{}规定的格式，但表格采用的是{}的格式。",
                    r.year,
                    expected.document(),
                    r.format.document()
                ),
                format!(
                    "A report for {} must use the format of {}; its tables follow {}.",
                    r.year,
                    expected.document(),
                    r.format.document()
                ),
            );
            f.printed = Some(r.format.as_str().to_owned());
            ctx.push(f);
        }
        Some(_) => {}
    }
    let strict = ctx.opts.profile == Profile::Strict;
    for id in SectionId::ALL {
        let canonical = id.heading();
        match &r.sections.get(id).heading {
            None => ctx.push(
                Finding::new(
                    "F2",
                    Severity::Error,
                    format!("缺少章节“{canonical}”。"),
                    format!("Section {canonical} is missing."),
                )
                .at(Location {
                    section: Some(id.id().to_owned()),
                    ..Location::default()
                }),
            ),
            Some(printed) => {
                if key(printed) != key(canonical) || (strict && printed != canonical) {
                    ctx.push(
                        Finding::new(
                            "F3",
                            Severity::Warning,
                            format!("章节标题“{printed}”与统一格式“{canonical}”不一致。"),
                            format!("Heading {printed} differs from the official {canonical}."),
                        )
                        .printed(printed.clone(), canonical),
                    );
                }
            }
        }
    }
    for extra in &r.sections.extra {
        let mut f = Finding::new(
            "F3",
            Severity::Warning,
            format!("出现统一格式以外的章节“{}”。", extra.heading),
            format!("Extra section {}.", extra.heading),
        );
        f.printed = Some(extra.heading.clone());
        ctx.push(f);
    }
    f11(ctx);
}

fn all_text(r: &Report) -> Vec<(Option<SectionId>, &str)> {
    let mut v: Vec<(Option<SectionId>, &str)> = Vec::new();
    if let Some(p) = &r.sections.preamble {
        v.push((None, p));
    }
    for id in SectionId::ALL {
        v.push((Some(id), &r.sections.get(id).text));
    }
    v
}

/// F11: the text cites a format document that does not match the format, or a malformed number.
fn f11(ctx: &mut Ctx<'_, '_>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(国办[\p{Han}]{0,4})[〔\[［【(（](20(?:19|21))[〕\]］】)）]第?(\d+)号")
            .expect("valid regex")
    });
    let r = ctx.report;
    let mut seen = HashSet::new();
    for (section, text) in all_text(r) {
        let flat = compact(text);
        for m in re.captures_iter(&flat) {
            let (prefix, year, number) = (&m[1], &m[2], &m[3]);
            let cited = match (year, number) {
                ("2019", "60") => Format::V2019,
                ("2021", "30") => Format::V2021,
                _ => continue,
            };
            let whole = m.get(0).expect("match").as_str();
            let malformed = prefix != "国办公开办函";
            let near_format = {
                let start = m.get(0).expect("match").start();
                let end = m.get(0).expect("match").end();
                let before: String = flat[..start].chars().rev().take(40).collect();
                let after: String = flat[end..].chars().take(40).collect();
                before.contains("式格") || after.contains("格式")
            };
            let wrong_version = cited != r.format && near_format;
            if !(malformed || wrong_version) || !seen.insert(whole.to_owned()) {
                continue;
            }
            let expected = if malformed {
                cited.document()
            } else {
                r.format.document()
            };
            let mut f = Finding::new(
                "F11",
                Severity::Warning,
                format!("报告引用的格式文件“{whole}”有误，应为“{expected}”。"),
                format!("The format document cited as {whole} is wrong; expected {expected}."),
            );
            f.printed = Some(whole.to_owned());
            f.canonical = Some(expected.to_owned());
            f.at = Some(Location {
                section: section.map(|s| s.id().to_owned()),
                ..Location::default()
            });
            ctx.push(f);
        }
    }
}

/// One S7 pattern (spec §4.3.1), as in `data/s7-patterns.tsv`.
#[derive(Debug, Clone)]
pub struct S7Pattern {
    pub formats: Option<Format>,
    pub regex: Regex,
    /// Alternatives; each a sum of cell pointers.
    pub accept: Vec<Vec<String>>,
    pub requires: Option<String>,
}

impl PartialEq for S7Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.regex.as_str() == other.regex.as_str() && self.accept == other.accept
    }
}

impl S7Pattern {
    /// Whether the sentence around `range` contains the word this pattern requires, if any.
    fn sentence_ok(&self, text: &str, range: std::ops::Range<usize>) -> bool {
        let Some(word) = &self.requires else {
            return true;
        };
        let s = text[..range.start]
            .rfind(['。', '；'])
            .map_or(0, |i| i + '。'.len_utf8());
        let e = text[range.end..]
            .find(['。', '；'])
            .map_or(text.len(), |i| range.end + i);
        text[s..e].contains(word.as_str())
    }

    /// Parses the tab-separated pattern file format; errors name the line.
    pub fn parse_file(text: &str) -> Result<Vec<S7Pattern>, String> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split('\t').collect();
            if parts.len() < 3 {
                return Err(format!(
                    "第{}行：应有至少3列（格式、正则、可接受的单元格）",
                    i + 1
                ));
            }
            let formats = match parts[0] {
                "both" => None,
                f => Some(
                    Format::parse(f)
                        .ok_or_else(|| format!("第{}行：格式应为 both、2019 或 2021", i + 1))?,
                ),
            };
            let regex = Regex::new(&parts[1].replace("{N}", r"(?P<n>\d+)"))
                .map_err(|e| format!("第{}行：正则表达式无效：{e}", i + 1))?;
            let accept = parts[2]
                .split(';')
                .map(|alt| {
                    alt.split('+')
                        .map(|term| {
                            cell_expr(term.trim()).ok_or_else(|| {
                                format!("第{}行：无法识别的单元格“{}”", i + 1, term.trim())
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()?;
            let requires = parts
                .get(3)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            out.push(S7Pattern {
                formats,
                regex,
                accept,
                requires,
            });
        }
        Ok(out)
    }
}

fn cell_expr(term: &str) -> Option<String> {
    let mut it = term.split('.');
    let table = match it.next()? {
        "A" => TableId::Applications,
        "R" => TableId::ReviewLitigation,
        "D" => TableId::ActiveDisclosure,
        _ => return None,
    };
    let (row, col) = (it.next()?, it.next()?);
    Some(crate::schema::pointer(table, row, col))
}

fn shipped_patterns() -> &'static [S7Pattern] {
    static P: OnceLock<Vec<S7Pattern>> = OnceLock::new();
    P.get_or_init(|| {
        S7Pattern::parse_file(include_str!("../../data/s7-patterns.tsv"))
            .expect("shipped S7 patterns are valid")
    })
}

/// Converts simple Chinese numerals before 件/起/个 to digits (spec §4.3.1).
fn arabic_numerals(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new("([零〇一二两三四五六七八九十百千]+)([件起个])").expect("valid regex")
    });
    re.replace_all(text, |c: &regex::Captures<'_>| {
        match chinese_number(&c[1]) {
            Some(n) => format!("{n}{}", &c[2]),
            None => c[0].to_owned(),
        }
    })
    .into_owned()
}

fn chinese_number(s: &str) -> Option<u64> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u64)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    let (mut total, mut current) = (0u64, None::<u64>);
    for c in s.chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                current = Some(digit(c)?);
                continue;
            }
        };
        total += current.unwrap_or(1) * unit;
        current = None;
    }
    Some(total + current.unwrap_or(0))
}

/// Numbers the narrative states about cells (the S7 patterns): `(accepted expressions, n)`.
/// The parser uses them to choose among splits of run-together digits (spec §6.2.5).
pub(crate) fn stated_numbers(format: Format, text: &str) -> Vec<(Vec<Vec<String>>, Decimal)> {
    let text = arabic_numerals(&compact(text));
    let mut out = Vec::new();
    for p in shipped_patterns()
        .iter()
        .filter(|p| p.formats.is_none_or(|f| f == format))
    {
        for m in p.regex.captures_iter(&text) {
            let whole = m.get(0).expect("match");
            if !p.sentence_ok(&text, whole.range()) {
                continue;
            }
            if let Ok(n) = m["n"].parse::<Decimal>() {
                out.push((p.accept.clone(), n));
            }
        }
    }
    out
}

fn sum_cells(r: &Report, cells: &[String]) -> Option<Decimal> {
    cells
        .iter()
        .try_fold(Decimal::ZERO, |acc, p| Some(acc + r.tables.by_pointer(p)??))
}

/// S7, S8, S9, N1, N2, N3.
pub(crate) fn narrative(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    s7(ctx);
    let other = ctx.compact(SectionId::OtherMatters);
    if r.format == Format::V2021 {
        let def = r.tables.applications.def();
        let fee_row = def.row_index("other_overdue_fee").expect("2021 row");
        if let Some(n) = r.tables.applications.at(fee_row, APPLICANT_TOTAL)
            && n > Decimal::ZERO
            && !other.contains("信息处理费")
            && !other.contains("收费通知")
        {
            ctx.push(
                Finding::new(
                    "S8",
                    Severity::Warning,
                    format!("申请情况表“2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请”为{}件，但“六、其他需要报告的事项”未说明信息处理费收费情况。", num(n)),
                    format!("{} applications lapsed for unpaid fees, but section 六 says nothing about 信息处理费.", num(n)),
                )
                .cells(vec![r.tables.applications.pointer(fee_row, APPLICANT_TOTAL)]),
            );
        }
        if !other.contains("信息处理费") {
            let severity = if ctx.opts.jurisdiction.s9_error {
                Severity::Error
            } else {
                Severity::Warning
            };
            ctx.push(
                Finding::new(
                    "S9",
                    severity,
                    "“六、其他需要报告的事项”未说明信息处理费收取情况（未收取的也应说明）。",
                    "Section 六 does not state the 信息处理费 collected (a nil statement is expected too).",
                )
                .at(section_at(SectionId::OtherMatters)),
            );
        }
        n1(ctx);
    }
    n2(ctx);
    if let Some(limit) = ctx.opts.jurisdiction.overview_limit {
        let n = ctx.compact(SectionId::Overview).chars().count();
        if n > limit {
            ctx.push(
                Finding::new(
                    "N3",
                    Severity::Info,
                    format!("“一、总体情况”共{n}字，超过{limit}字的要求。"),
                    format!("Section 一 has {n} characters, above the limit of {limit}."),
                )
                .at(section_at(SectionId::Overview)),
            );
        }
    }
}

fn section_at(id: SectionId) -> Location {
    Location {
        section: Some(id.id().to_owned()),
        ..Location::default()
    }
}

fn s7(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    let patterns: Vec<&S7Pattern> = shipped_patterns()
        .iter()
        .chain(&ctx.opts.jurisdiction.extra_s7_patterns)
        .filter(|p| p.formats.is_none_or(|f| f == r.format))
        .collect();
    let mut found = Vec::new();
    for id in [
        SectionId::Overview,
        SectionId::ActiveDisclosure,
        SectionId::Applications,
        SectionId::ReviewLitigation,
    ] {
        let text = arabic_numerals(&ctx.compact(id));
        for p in &patterns {
            for m in p.regex.captures_iter(&text) {
                let whole = m.get(0).expect("match");
                let Ok(n) = m["n"].parse::<Decimal>() else {
                    continue;
                };
                if !p.sentence_ok(&text, whole.range()) {
                    continue;
                }
                let values: Vec<Decimal> = p
                    .accept
                    .iter()
                    .filter_map(|alt| sum_cells(r, alt))
                    .collect();
                if values.is_empty() || values.contains(&n) {
                    continue;
                }
                let first = &p.accept[0];
                let (table, label) = describe(r, &first[0]);
                let value = values[0];
                let heading = id.heading();
                let excerpt = whole.as_str();
                let offset = text[..whole.start()].chars().count() as u32;
                found.push(
                    Finding::new(
                        "S7",
                        Severity::Warning,
                        format!("“{heading}”中“{excerpt}”所述数字{n}，与{table}“{label}”的{}不一致。", num(value)),
                        format!("The text “{excerpt}” in {heading} gives {n}, but {table} {label} is {}.", num(value)),
                    )
                    .cells(first.clone())
                    .sides(n, value)
                    .at(Location {
                        section: Some(id.id().to_owned()),
                        offset: Some(offset),
                        ..Location::default()
                    }),
                );
            }
        }
    }
    for f in found {
        ctx.push(f);
    }
}

fn describe(r: &Report, pointer: &str) -> (&'static str, String) {
    let parts: Vec<&str> = pointer.trim_start_matches("/tables/").split('/').collect();
    let table = TableId::from_id(parts[0]).expect("pattern pointers name a table");
    let def = r.tables.grid(table).def();
    let label = def
        .row(parts[1])
        .map(|row| {
            let col = row.cols.iter().find(|c| c.id == parts[2]);
            match (table, col) {
                (TableId::Applications, Some(c)) if c.id == "total" => row.label.to_owned(),
                (_, Some(c)) => format!(
                    "{}{}",
                    crate::schema::row_label_for_message(table, row),
                    c.label
                ),
                _ => row.label.to_owned(),
            }
        })
        .unwrap_or_default();
    (table.name_zh(), label)
}

/// N1 (2021 format): the overview covers the five areas; a government's report also covers
/// assessment, public evaluation and accountability.
fn n1(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    let text = ctx.compact(SectionId::Overview);
    let areas: [(&str, &[&str]); 5] = [
        ("主动公开", &["主动公开"]),
        ("依申请公开", &["依申请", "申请公开", "政府信息公开申请"]),
        ("政府信息管理", &["信息管理", "规范性文件", "审查", "目录"]),
        ("政府信息公开平台建设", &["平台", "网站", "新媒体", "公报"]),
        ("监督保障", &["监督", "考核", "培训", "评议", "责任追究"]),
    ];
    let missing: Vec<&str> = areas
        .iter()
        .filter(|(_, words)| !words.iter().any(|w| text.contains(w)))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        ctx.push(
            Finding::new(
                "N1",
                Severity::Warning,
                format!("“一、总体情况”未涉及：{}。", missing.join("、")),
                format!("Section 一 does not cover: {}.", missing.join(", ")),
            )
            .at(section_at(SectionId::Overview)),
        );
    }
    if matches!(
        r.agency.kind,
        Some(AgencyKind::Government | AgencyKind::Township)
    ) && !["考核", "社会评议", "责任追究"]
        .iter()
        .all(|w| text.contains(w))
    {
        ctx.push(
            Finding::new(
                "N1",
                Severity::Warning,
                "人民政府年度报告应包括工作考核、社会评议和责任追究结果情况。",
                "A government's report must include the results of assessment, public evaluation and accountability.",
            )
            .at(section_at(SectionId::Overview)),
        );
    }
}

fn grams(text: &str) -> Vec<String> {
    let chars: Vec<char> = compact(text)
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    chars.windows(8).map(|w| w.iter().collect()).collect()
}

/// N2: share of the narrative's character 8-grams (digits excluded) found in a comparison text.
fn n2(ctx: &mut Ctx<'_, '_>) {
    let r = ctx.report;
    let texts = ctx.opts.comparison_texts;
    if texts.is_empty() {
        ctx.not_run("N2", NotRunReason::NoComparisonTexts);
        return;
    }
    let narrative = format!(
        "{}\n{}",
        r.sections.get(SectionId::Overview).text,
        r.sections.get(SectionId::Problems).text
    );
    let mine = grams(&narrative);
    if mine.is_empty() {
        return;
    }
    for other in texts {
        let theirs: HashSet<String> = grams(&other.text).into_iter().collect();
        let hit = mine.iter().filter(|g| theirs.contains(*g)).count();
        let ratio = Decimal::from(hit) / Decimal::from(mine.len());
        if ratio >= ctx.opts.jurisdiction.duplicate_threshold {
            let pct = format!("{}%", (ratio * Decimal::from(100)).round_dp(1).normalize());
            ctx.push(
                Finding::new(
                    "N2",
                    Severity::Warning,
                    format!("正文与{}的重复比例为{pct}。", other.name),
                    format!("{pct} of the narrative repeats {}.", other.name),
                )
                .at(section_at(SectionId::Overview)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number("三"), Some(3));
        assert_eq!(chinese_number("十二"), Some(12));
        assert_eq!(chinese_number("二十"), Some(20));
        assert_eq!(chinese_number("一百零五"), Some(105));
        assert_eq!(chinese_number("两千三百"), Some(2300));
        assert_eq!(arabic_numerals("收到申请十二件"), "收到申请12件");
    }

    #[test]
    fn shipped_patterns_parse() {
        assert_eq!(shipped_patterns().len(), 11);
    }
}
