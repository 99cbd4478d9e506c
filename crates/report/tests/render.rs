//! Renders: snapshots of the text formats, the official grid in every output, JSON round trip,
//! and the `.xlsx` / `.docx` files read back.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use gongkai_report::render::{RenderOptions, Target, render};
use gongkai_report::schema::TableId;
use gongkai_report::validate::{self, Options};
use gongkai_report::{Report, json};

const SEED: &str = include_str!("fixtures/seed-2020-nantong-emergency.json");

fn seed() -> Report {
    let mut r = json::from_str(SEED).unwrap();
    validate::check(&mut r, &Options::default());
    r
}

fn report_2024() -> Report {
    let mut r = common::consistent(2024);
    r.title = Some("示例市应急管理局2024年政府信息公开工作年度报告".into());
    r.signed_on = chrono::NaiveDate::from_ymd_opt(2025, 1, 15);
    validate::check(&mut r, &Options::default());
    r
}

fn text(r: &Report, t: Target) -> String {
    String::from_utf8(render(r, t, RenderOptions::default()).unwrap()).unwrap()
}

#[test]
fn snapshots_seed() {
    let r = seed();
    insta::assert_snapshot!("seed_html", text(&r, Target::Html));
    insta::assert_snapshot!("seed_md", text(&r, Target::Markdown));
    insta::assert_snapshot!("seed_txt", text(&r, Target::Text));
    insta::assert_snapshot!("seed_csv", text(&r, Target::Csv));
}

#[test]
fn snapshots_2021_format() {
    let r = report_2024();
    insta::assert_snapshot!("y2024_html", text(&r, Target::Html));
    insta::assert_snapshot!("y2024_md", text(&r, Target::Markdown));
    insta::assert_snapshot!("y2024_txt", text(&r, Target::Text));
    insta::assert_snapshot!("y2024_flat", text(&r, Target::Flat));
}

#[test]
fn html_has_official_structure() {
    let html = text(&seed(), Target::Html).replace("&#x2f;", "/");
    // Six headings in order.
    let mut at = 0;
    for h in gongkai_report::SectionId::ALL {
        let i = html[at..]
            .find(&format!("<h2>{}</h2>", h.heading()))
            .unwrap_or_else(|| panic!("{}", h.heading()));
        at += i;
    }
    // The merged header cells of table 3 and table 4 (spec §2.4.2, §2.5, §7.2).
    assert!(html.contains(r#"<td rowspan="3" colspan="3" class="gk-corner">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"#));
    assert!(html.contains(r#"<th scope="colgroup" colspan="7" class="gk-col">申请人情况</th>"#));
    assert!(
        html.contains(
            r#"<th scope="rowgroup" rowspan="20" class="gk-group">三、本年度办理结果</th>"#
        )
    );
    assert!(
        html.contains(r#"<th scope="rowgroup" rowspan="8" class="gk-group">（三）不予公开</th>"#)
    );
    assert!(html.contains(r#"<th scope="colgroup" colspan="10" class="gk-col">行政诉讼</th>"#));
    assert!(html.contains(r#"<th scope="col" rowspan="2" class="gk-col">结果维持</th>"#));
    // The wrong cell is flagged with both findings.
    assert!(html.contains(r##"class="gk-v gk-error" data-cell="/tables/applications/denied_third_party_rights/other_org">1<sup class="gk-ref"><a href="#finding-1">[1]</a></sup><sup class="gk-ref"><a href="#finding-2">[2]</a></sup>"##));
    // Signed change and the 2019 amount as printed.
    assert!(html.contains(">+2<"));
    assert!(html.contains(">2031.9<"));
    assert!(
        !html.contains("<script"),
        "no script: the page must pass a strict CSP"
    );
    // Without findings the page has no markers.
    let plain = String::from_utf8(
        render(
            &seed(),
            Target::Html,
            RenderOptions {
                show_findings: false,
                ..RenderOptions::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(!plain.contains("class=\"gk-ref\"") && !plain.contains("<h2>检查结果</h2>"));
}

#[test]
fn narrative_text_is_escaped_in_html() {
    let mut r = report_2024();
    r.sections.get_mut(gongkai_report::SectionId::Problems).text =
        "<script>alert(1)</script>&".into();
    let html = text(&r, Target::Html).replace("&#x2f;", "/");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;"));
    assert!(!html.contains("<script>"));
}

#[test]
fn json_round_trip() {
    for r in [seed(), report_2024(), common::consistent(2019)] {
        let s = text(&r, Target::Json);
        let back = json::from_str(&s).unwrap();
        assert_eq!(
            back,
            Report {
                cell_raw: std::collections::BTreeMap::default(),
                ..r.clone()
            }
        );
        assert_eq!(text(&back, Target::Json), s);
    }
    // Money is exact: no binary floating point on the way.
    let s = text(&report_2024(), Target::Json);
    assert!(s.contains("\"amount_wan_yuan\": 0.038"), "{s}");
}

#[test]
fn csv_has_one_line_per_cell() {
    let r = report_2024();
    let csv = text(&r, Target::Csv);
    let cells: usize = TableId::ALL
        .iter()
        .map(|t| r.tables.grid(*t).def().cell_count())
        .sum();
    assert_eq!(csv.lines().count(), 1 + cells);
    assert!(csv.starts_with("table,row,column,label,value\n"));
    assert!(csv.contains("applications,denied_third_party_rights,other_org,4.保护第三方合法权益—其他（法人或其他组织）,"));
    let seed = text(&seed(), Target::Csv);
    assert!(seed.contains("active_disclosure,procurement,amount,政府集中采购—采购总金额,2031.9\n"));
}

#[test]
fn null_cells_are_refused_unless_draft() {
    let mut r = report_2024();
    r.tables
        .set_by_pointer("/tables/applications/granted/total", None);
    let err = render(&r, Target::Html, RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("/tables/applications/granted/total")
    );
    assert!(err.to_string().contains("--draft"));
    let draft = String::from_utf8(
        render(
            &r,
            Target::Html,
            RenderOptions {
                draft: true,
                ..RenderOptions::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(draft.contains("草稿"));
    assert!(!draft.contains(">/<"), "a null cell is empty, never '/'");
    // JSON and CSV carry nulls as data.
    assert!(render(&r, Target::Json, RenderOptions::default()).is_ok());
}

fn xlsx_sheets(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

#[test]
fn xlsx_reads_back_with_labels_values_and_merges() {
    let r = seed();
    let bytes = render(&r, Target::Xlsx, RenderOptions::default()).unwrap();
    let mut wb = xlsx_sheets(bytes);
    assert_eq!(
        wb.sheet_names(),
        vec!["主动公开情况表", "申请情况表", "复议诉讼情况表", "检查结果"]
    );
    let t3 = wb.worksheet_range("申请情况表").unwrap();
    // Row 0 is the section heading; the grid starts at row 1.
    assert_eq!(
        t3.get_value((1, 0)),
        Some(&Data::String(
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".into()
        ))
    );
    assert_eq!(
        t3.get_value((1, 3)),
        Some(&Data::String("申请人情况".into()))
    );
    let row = |label: &str| {
        (0..t3.height() as u32)
            .find(|r| (0..3).any(|c| t3.get_value((*r, c)) == Some(&Data::String(label.into()))))
            .unwrap()
    };
    let third = row("4.保护第三方合法权益");
    assert_eq!(t3.get_value((third, 3)), Some(&Data::Float(1.0)));
    assert_eq!(t3.get_value((third, 8)), Some(&Data::Float(1.0)));
    assert_eq!(t3.get_value((third, 9)), Some(&Data::Float(1.0)));
    let merges: Vec<((u32, u32), (u32, u32))> = wb
        .merge_cells_by_sheet_name("申请情况表")
        .unwrap()
        .iter()
        .map(|d| (d.start, d.end))
        .collect();
    assert!(
        merges.contains(&((1, 0), (3, 2))),
        "corner note rs=3 cs=3: {merges:?}"
    );
    assert!(merges.contains(&((1, 3), (1, 9))), "申请人情况 cs=7");
    assert!(merges.contains(&((2, 4), (2, 8))), "法人或其他组织 cs=5");
    assert!(
        merges.contains(&((6, 0), (25, 0))),
        "三、本年度办理结果 rs=20"
    );
    let t2 = wb.worksheet_range("主动公开情况表").unwrap();
    let found = (0..t2.height() as u32).any(|r| {
        t2.get_value((r, 2)) == Some(&Data::Float(2.0))
            && t2.get_value((r, 0)) == Some(&Data::String("行政处罚".into()))
    });
    assert!(
        found,
        "行政处罚 change +2 stored as the number 2 (shown as +2 by its format)"
    );
    let t4merges: Vec<_> = wb
        .merge_cells_by_sheet_name("复议诉讼情况表")
        .unwrap()
        .iter()
        .map(|d| (d.start, d.end))
        .collect();
    assert!(t4merges.contains(&((1, 5), (1, 14))), "行政诉讼 cs=10");
    assert!(t4merges.contains(&((2, 0), (3, 0))), "结果维持 rs=2");
}

fn docx_xml(bytes: Vec<u8>) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The text of every table cell, per table, per row, with its gridSpan and vMerge.
/// A Word table cell: text, gridSpan, vMerge.
type WordCell = (String, usize, Option<String>);

fn docx_tables(xml: &str) -> Vec<Vec<Vec<WordCell>>> {
    use quick_xml::Reader as XmlReader;
    use quick_xml::events::Event;
    let mut reader = XmlReader::from_str(xml);
    let mut tables = Vec::new();
    let mut cur: Option<WordCell> = None;
    let mut in_text = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "w:tbl" => tables.push(Vec::new()),
                "w:tr" => tables.last_mut().unwrap().push(Vec::new()),
                "w:tc" => cur = Some((String::new(), 1, None)),
                "w:gridSpan" => {
                    let v = e.try_get_attribute("w:val").unwrap().unwrap();
                    cur.as_mut().unwrap().1 = v.value.parse().unwrap();
                }
                "w:vMerge" => {
                    let v = e
                        .try_get_attribute("w:val")
                        .unwrap()
                        .map(|a| a.value.into_owned());
                    cur.as_mut().unwrap().2 = Some(v.unwrap_or_else(|| "continue".into()));
                }
                "w:t" => in_text = true,
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(c) = cur.as_mut() {
                    c.0.push_str(&t.xml10_content());
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:tc" => {
                    let c = cur.take().unwrap();
                    tables.last_mut().unwrap().last_mut().unwrap().push(c);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    tables
}

#[test]
fn docx_reads_back_with_the_official_grid() {
    let r = seed();
    let xml = docx_xml(render(&r, Target::Docx, RenderOptions::default()).unwrap());
    for h in gongkai_report::SectionId::ALL {
        assert!(xml.contains(h.heading()), "{}", h.heading());
    }
    assert!(xml.contains("南通市应急管理局2020年政府信息公开工作年度报告"));
    let tables = docx_tables(&xml);
    assert_eq!(tables.len(), 3);
    // Every row spans exactly the grid width.
    for (t, cols) in tables.iter().zip([4usize, 10, 15]) {
        for row in t {
            assert_eq!(row.iter().map(|c| c.1).sum::<usize>(), cols, "{row:?}");
        }
    }
    assert_eq!(tables[0].len(), 18);
    assert_eq!(tables[1].len(), 26);
    let t3 = &tables[1];
    assert_eq!(
        t3[0][0],
        (
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".into(),
            3,
            Some("restart".into())
        )
    );
    assert_eq!(t3[0][1], ("申请人情况".into(), 7, None));
    assert_eq!(t3[1][0].2.as_deref(), Some("continue"));
    let restart: Vec<&str> = t3
        .iter()
        .flatten()
        .filter(|c| c.2.as_deref() == Some("restart"))
        .map(|c| c.0.as_str())
        .collect();
    assert_eq!(
        restart,
        vec![
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "自然人",
            "总计",
            "三、本年度办理结果",
            "（三）不予公开",
            "（四）无法提供",
            "（五）不予处理"
        ]
    );
    let row = t3
        .iter()
        .find(|r| r.iter().any(|c| c.0 == "4.保护第三方合法权益"))
        .unwrap();
    let values: Vec<&str> = row.iter().skip(3).map(|c| c.0.as_str()).collect();
    assert_eq!(values, vec!["1", "0", "0", "0", "0", "1", "1"]);
    let t4 = &tables[2];
    assert_eq!(t4[0][1], ("行政诉讼".into(), 10, None));
    let last: Vec<&str> = t4[3].iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        last,
        vec![
            "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"
        ]
    );
}

#[test]
fn docx_2021_table_two_values_span_three_columns() {
    let xml = docx_xml(render(&report_2024(), Target::Docx, RenderOptions::default()).unwrap());
    let tables = docx_tables(&xml);
    assert_eq!(tables[0].len(), 14);
    assert_eq!(tables[1].len(), 28);
    let fees = tables[0]
        .iter()
        .find(|r| r[0].0 == "行政事业性收费")
        .unwrap();
    assert_eq!(fees[1], ("0.038".into(), 3, None));
    assert!(
        tables[0]
            .iter()
            .any(|r| r.len() == 2 && r[1].0 == "本年收费金额（单位：万元）")
    );
}

#[test]
fn other_rows_punctuation_is_configurable() {
    let r = report_2024();
    let default = text(&r, Target::Html);
    assert!(
        default
            .contains("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")
    );
    let comma = String::from_utf8(
        render(
            &r,
            Target::Html,
            RenderOptions {
                other_rows_comma: true,
                ..RenderOptions::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(comma.contains("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请"));
    assert!(
        comma.contains("2.申请人逾期未按收费通知要求缴纳费用，行政机关不再处理其政府信息公开申请")
    );
}

/// Word and HTML renders read back through the parser give the same tables (the parser's
/// `.docx` path: paragraphs, gridSpan, vMerge continuations).
#[test]
fn docx_and_html_read_back_through_the_parser() {
    use gongkai_report::parse::{Metadata, parse};
    for r in [seed(), report_2024()] {
        let meta = Metadata {
            year: Some(r.year),
            agency_name: r.agency.name.clone(),
            ..Metadata::default()
        };
        for target in [Target::Docx, Target::Html] {
            let bytes = render(
                &r,
                target,
                RenderOptions {
                    show_findings: false,
                    ..RenderOptions::default()
                },
            )
            .unwrap();
            let back = parse(&bytes, &meta).unwrap();
            assert_eq!(
                back.tables.active_disclosure, r.tables.active_disclosure,
                "{target:?}"
            );
            assert_eq!(
                back.tables.applications, r.tables.applications,
                "{target:?}"
            );
            assert_eq!(
                back.tables.review_litigation, r.tables.review_litigation,
                "{target:?}"
            );
            for id in gongkai_report::SectionId::ALL {
                assert_eq!(
                    back.sections.get(id).heading.as_deref(),
                    Some(id.heading()),
                    "{target:?}"
                );
            }
            assert_eq!(
                back.sections.get(gongkai_report::SectionId::Overview).text,
                r.sections.get(gongkai_report::SectionId::Overview).text
            );
        }
    }
}
