//! Property tests: a random consistent report has no error; changing any single cell of tables
//! 3 and 4 is caught by a hard rule that names that cell; a table-2 cell made negative is caught
//! by H5/H6 (table 2 has no arithmetic rule, spec §4.2); JSON round-trips exactly.

// Test noise generators: brevity over the pedantic string-building lints.
#![allow(clippy::format_push_string, clippy::semicolon_if_nothing_returned)]

mod common;

use gongkai_report::schema::{CellType, TableId};
use gongkai_report::validate::{self, Options};
use gongkai_report::{Format, Report, Severity, json};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn arb_report() -> impl Strategy<Value = Report> {
    (
        2019i32..2031,
        proptest::collection::vec(0i64..50, 200),
        proptest::collection::vec(0u32..100_000, 30),
    )
        .prop_map(|(year, v, money)| {
            let mut r = common::consistent(year);
            common::fill_applications(
                &mut r,
                |row, col| v[(row * 7 + col) % v.len()],
                |c| v[(c * 13 + 5) % v.len()],
                |c| v[(c * 17 + 3) % v.len()],
            );
            common::fill_review(&mut r, |b, c| v[(b * 5 + c + 100) % v.len()]);
            let t2 = &mut r.tables.active_disclosure;
            let def = t2.def();
            for (ri, row) in def.rows.iter().enumerate() {
                for (ci, col) in row.cols.iter().enumerate() {
                    let k = ri * 4 + ci;
                    let value = match col.ty {
                        CellType::Count => Decimal::from(v[(k + 150) % v.len()]),
                        CellType::SignedCount => {
                            Decimal::from(v[(k + 160) % v.len()])
                                - Decimal::from(v[(k + 150) % v.len()]).min(Decimal::from(25))
                        }
                        CellType::Money => Decimal::new(i64::from(money[k % money.len()]), 4),
                    };
                    t2.set_at(ri, ci, Some(value));
                }
            }
            if r.format == Format::V2019 {
                // previous_items + change must stay ≥ 0 (H7b).
                for id in [
                    "licensing",
                    "other_services",
                    "penalties",
                    "enforcement",
                    "fees",
                ] {
                    let ch = t2.get(id, "change").unwrap().unwrap();
                    let p = t2.get(id, "previous_items").unwrap().unwrap();
                    if p + ch < Decimal::ZERO {
                        t2.set(id, "previous_items", Some(-ch));
                    }
                }
            }
            r
        })
}

fn errors(r: &Report) -> Vec<&gongkai_report::Finding> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn consistent_report_has_no_error(mut r in arb_report()) {
        validate::check(&mut r, &Options::default());
        prop_assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
    }

    #[test]
    fn any_changed_cell_of_tables_3_and_4_is_named(r in arb_report(), pick in 0usize..1000, delta in prop_oneof![-20i64..-1, 1i64..20]) {
        let cells: Vec<(TableId, usize, usize)> = [TableId::Applications, TableId::ReviewLitigation]
            .iter()
            .flat_map(|t| r.tables.grid(*t).iter().map(move |(ri, ci, _)| (*t, ri, ci)))
            .collect();
        let (t, ri, ci) = cells[pick % cells.len()];
        let mut changed = r.clone();
        let old = changed.tables.grid(t).at(ri, ci).unwrap();
        let new = (old + Decimal::from(delta)).max(Decimal::ZERO);
        prop_assume!(new != old);
        changed.tables.grid_mut(t).set_at(ri, ci, Some(new));
        validate::check(&mut changed, &Options::default());
        let ptr = changed.tables.grid(t).pointer(ri, ci);
        let named = errors(&changed).iter().any(|f| f.rule.as_str().starts_with('H') && f.cells.contains(&ptr));
        prop_assert!(named, "{ptr} changed {old}→{new}: {:#?}", changed.findings);
    }

    #[test]
    fn negative_table_2_cell_is_named(r in arb_report(), pick in 0usize..100) {
        let g = &r.tables.active_disclosure;
        let cells: Vec<(usize, usize)> = g.iter()
            .filter(|(ri, ci, _)| g.def().rows[*ri].cols[*ci].ty != CellType::SignedCount)
            .map(|(ri, ci, _)| (ri, ci))
            .collect();
        let (ri, ci) = cells[pick % cells.len()];
        let mut changed = r.clone();
        changed.tables.active_disclosure.set_at(ri, ci, Some(Decimal::from(-1)));
        validate::check(&mut changed, &Options::default());
        let ptr = changed.tables.active_disclosure.pointer(ri, ci);
        prop_assert!(errors(&changed).iter().any(|f| matches!(f.rule.as_str(), "H5" | "H6") && f.cells.contains(&ptr)));
    }

    #[test]
    fn json_round_trips(mut r in arb_report()) {
        validate::check(&mut r, &Options::default());
        let text = json::to_string_pretty(&r);
        let back = json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &r);
    }
}

// ---------------------------------------------------------------- render → noise → parse

/// A tiny deterministic generator for where noise goes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const TRAD: &[(char, char)] = &[
    ('开', '開'),
    ('处', '處'),
    ('数', '數'),
    ('请', '請'),
    ('总', '總'),
    ('计', '計'),
    ('规', '規'),
    ('许', '許'),
    ('罚', '罰'),
    ('强', '強'),
    ('发', '發'),
    ('现', '現'),
    ('务', '務'),
    ('机', '機'),
    ('关', '關'),
    ('议', '議'),
    ('诉', '訴'),
    ('讼', '訟'),
    ('结', '結'),
    ('复', '復'),
    ('转', '轉'),
    ('办', '辦'),
    ('属', '屬'),
    ('国', '國'),
    ('项', '項'),
    ('费', '費'),
];

fn fullwidth_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap()
            } else {
                c
            }
        })
        .collect()
}

/// Noise inside a label: traditional characters and a space after the second character.
fn noisy_label(label: &str, rng: &mut Lcg, space: &str) -> String {
    let mut out = String::new();
    for (i, c) in label.chars().enumerate() {
        let c = if rng.chance(30) {
            TRAD.iter().find(|(s, _)| *s == c).map_or(c, |(_, t)| *t)
        } else {
            c
        };
        out.push(c);
        if i == 1 && rng.chance(40) {
            out.push_str(space);
        }
    }
    out
}

fn is_value(cell: &str) -> bool {
    let t = cell.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | '元' | '万'))
}

/// Flattened cells: noisy labels, full-width digits, and dropped separators (value cells
/// printed one per line without their ` |`).
fn noisy_flat(text: &str, rng: &mut Lcg) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if let Some(cell) = line.strip_suffix(" |") {
            if is_value(cell) {
                let v = if rng.chance(40) {
                    fullwidth_digits(cell)
                } else {
                    cell.to_owned()
                };
                if rng.chance(30) {
                    out.push_str(&v)
                } else {
                    out.push_str(&format!("{v} |"))
                }
            } else if !cell.is_empty() {
                out.push_str(&format!("{} |", noisy_label(cell, rng, " ")));
            } else {
                out.push_str(line);
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// HTML: noisy labels (with `&nbsp;`), labels split over lines with `<br>`, full-width digits.
fn noisy_html(html: &str, rng: &mut Lcg) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<t") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let Some(open_end) = tail.find('>') else {
            break;
        };
        let Some(close) = tail.find("</t") else { break };
        out.push_str(&tail[..=open_end]);
        // Noise goes into the text, not into character references (`&#x2f;` is `/`).
        let decoded = tail[open_end + 1..close].replace("&#x2f;", "/");
        let content = decoded.as_str();
        if content.contains(['<', '&']) || content.is_empty() {
            out.push_str(content);
        } else if is_value(content) {
            out.push_str(&if rng.chance(50) {
                fullwidth_digits(content)
            } else {
                content.to_owned()
            });
        } else {
            // Split the label over two lines first, then add noise to each part (so an entity
            // such as `&nbsp;` is never cut).
            let n = content.chars().count();
            if n > 6 && rng.chance(40) {
                let cut: String = content.chars().take(n / 2).collect();
                let rest: String = content.chars().skip(n / 2).collect();
                let (a, b) = (
                    noisy_label(&cut, rng, "&nbsp;"),
                    noisy_label(&rest, rng, "&nbsp;"),
                );
                out.push_str(&format!("{a}<br>{b}"));
            } else {
                out.push_str(&noisy_label(content, rng, "&nbsp;"));
            }
        }
        rest = &tail[close..];
    }
    out.push_str(rest);
    out
}

/// Markdown pipe tables: noisy labels and full-width digits.
fn noisy_md(md: &str, rng: &mut Lcg) -> String {
    let mut out = String::new();
    for line in md.lines() {
        if line.starts_with('|') && !line.contains("---") {
            let cells: Vec<String> = line
                .split('|')
                .map(|c| {
                    if is_value(c) {
                        if rng.chance(40) {
                            fullwidth_digits(c)
                        } else {
                            c.to_owned()
                        }
                    } else if c.trim().is_empty() {
                        c.to_owned()
                    } else {
                        format!(" {} ", noisy_label(c.trim(), rng, " "))
                    }
                })
                .collect();
            out.push_str(&cells.join("|"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    #[test]
    fn render_noise_parse_gives_the_same_numbers(r in arb_report(), seed in any::<u64>(), which in 0usize..3) {
        use gongkai_report::parse::{Metadata, parse};
        use gongkai_report::render::{RenderOptions, Target, render};
        let target = [Target::Flat, Target::Html, Target::Markdown][which];
        let text = String::from_utf8(render(&r, target, RenderOptions { show_findings: false, ..RenderOptions::default() }).unwrap()).unwrap();
        let mut rng = Lcg(seed);
        let noisy = match target {
            Target::Flat => noisy_flat(&text, &mut rng),
            Target::Html => noisy_html(&text, &mut rng),
            _ => noisy_md(&text, &mut rng),
        };
        let meta = Metadata { year: Some(r.year), agency_name: r.agency.name.clone(), ..Metadata::default() };
        let parsed = parse(noisy.as_bytes(), &meta).unwrap();
        prop_assert_eq!(parsed.format, r.format);
        for t in TableId::ALL {
            let (want, got) = (r.tables.grid(t), parsed.tables.grid(t));
            for (ri, ci, v) in want.iter() {
                prop_assert_eq!(got.at(ri, ci), v, "{} {:?}\n{}", want.pointer(ri, ci), target, noisy);
            }
        }
        prop_assert_eq!(parsed.tables.procurement_amount_unit, r.tables.procurement_amount_unit);
        let serious: Vec<_> = parsed.findings.iter().filter(|f| f.rule.as_str().starts_with('F') && f.severity != Severity::Info).collect();
        prop_assert!(serious.is_empty(), "{:#?}", serious);
    }
}

// ---------------------------------------------------------------- never panic

fn parse_any(bytes: &[u8]) {
    use gongkai_report::parse::{Metadata, parse};
    if let Ok(r) = parse(
        bytes,
        &Metadata {
            year: Some(2024),
            ..Metadata::default()
        },
    ) {
        // Every null cell has a finding; rendering a draft never panics.
        let _ = gongkai_report::render::render(
            &r,
            gongkai_report::render::Target::Text,
            gongkai_report::render::RenderOptions {
                draft: true,
                ..Default::default()
            },
        );
    }
}

const SEED_TEXT: &str = include_str!("fixtures/seed-2020-nantong-emergency.txt");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        parse_any(&bytes);
    }

    #[test]
    fn label_soup_never_panics(parts in proptest::collection::vec(prop_oneof![
        Just("第二十条第（一）项 |".to_owned()), Just("信息内容 |".to_owned()), Just("规章 |".to_owned()),
        Just("（三）不予公开".to_owned()), Just("三、本年度办理结果".to_owned()), Just("行政复议   行政诉讼".to_owned()),
        Just("1.属于国家秘密   1   0".to_owned()), Just("||||".to_owned()), Just("<td rowspan=\"3\">".to_owned()),
        Just("一、总体情况".to_owned()), Just("0000000".to_owned()), Just("898989".to_owned()), Just("--2".to_owned()),
        "[0-9 |+\\-]{0,20}", "\\PC{0,12}",
    ], 0..200)) {
        parse_any(parts.join("\n").as_bytes());
        parse_any(parts.join("").as_bytes());
        parse_any(format!("<table><tr><td>{}</td></tr></table>", parts.join("</td><td>")).as_bytes());
    }

    #[test]
    fn mutated_seed_never_panics(cut in 0usize..20_000, insert in "\\PC{0,30}", drop in 0usize..500) {
        let mut s: Vec<char> = SEED_TEXT.chars().collect();
        let at = cut % (s.len() + 1);
        let end = (at + drop).min(s.len());
        s.splice(at..end, insert.chars());
        let text: String = s.into_iter().collect();
        parse_any(text.as_bytes());
    }
}

#[test]
fn gbk_text_is_read() {
    use gongkai_report::parse::{Metadata, parse};
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(SEED_TEXT);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let meta = Metadata {
        year: Some(2020),
        ..Metadata::default()
    };
    let a = parse(&gbk, &meta).unwrap();
    let b = parse(SEED_TEXT.as_bytes(), &meta).unwrap();
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.sections, b.sections);
}
