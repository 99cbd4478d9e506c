//! The standalone, printable HTML page (spec §7.2), rendered from `templates/report.html`.
//!
//! Labels are `<th>` with `scope` (row, col, colgroup, rowgroup) and values `<td>`; only
//! `rowspan` and `colspan` carry structure, exactly as in the official table. Findings can be
//! shown beside the cells they name, with a numbered list at the end.

use std::sync::OnceLock;

use minijinja::value::Serde;
use minijinja::{Environment, context};
use serde::Serialize;

use super::{FindingIndex, RenderOptions, content_text, heading, layouts, paragraphs, title};
use crate::layout::{Content, Role};
use crate::model::Report;
use crate::schema::SectionId;

#[derive(Serialize)]
struct HtmlCell {
    tag: &'static str,
    scope: Option<&'static str>,
    rowspan: usize,
    colspan: usize,
    class: String,
    pointer: Option<String>,
    text: String,
    refs: Vec<usize>,
}

#[derive(Serialize)]
struct HtmlTable {
    id: &'static str,
    name: &'static str,
    rows: Vec<Vec<HtmlCell>>,
}

#[derive(Serialize)]
struct HtmlSection {
    id: &'static str,
    heading: String,
    paragraphs: Vec<String>,
    table: Option<HtmlTable>,
}

#[derive(Serialize)]
struct HtmlExtra {
    heading: String,
    paragraphs: Vec<String>,
}

#[derive(Serialize)]
struct HtmlFinding {
    rule: &'static str,
    severity: &'static str,
    severity_zh: &'static str,
    message: String,
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.add_template(
            "report.html",
            concat!(
                include_str!("../../templates/report_head.html"),
                include_str!("../../templates/report_body.html"),
                "</body>\n</html>\n"
            ),
        )
        .expect("the report template is valid");
        env.add_template(
            "report_body.html",
            include_str!("../../templates/report_body.html"),
        )
        .expect("the report body template is valid");
        env
    })
}

pub(super) fn render(report: &Report, opts: RenderOptions) -> String {
    page(report, opts, "report.html", None)
}

/// The report's sections and tables without the page around them (no `<html>`, no title), for
/// embedding in another page. With `link`, every value cell links to `link` followed by the
/// cell's JSON pointer (e.g. `?cell=` → `?cell=/tables/applications/granted/total`).
pub fn fragment(report: &Report, opts: RenderOptions, link: Option<&str>) -> String {
    page(report, opts, "report_body.html", link)
}

fn page(report: &Report, opts: RenderOptions, template: &str, link: Option<&str>) -> String {
    let index = FindingIndex::new(report, opts);
    let [t2, t3, t4] = layouts(report);
    let mut sections = Vec::new();
    for id in SectionId::ALL {
        let layout = match id {
            SectionId::ActiveDisclosure => Some(t2),
            SectionId::Applications => Some(t3),
            SectionId::ReviewLitigation => Some(t4),
            _ => None,
        };
        let table = layout.map(|l| HtmlTable {
            id: l.table.id(),
            name: l.table.name_zh(),
            rows: l
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| {
                            let (tag, scope, mut class) = match c.role {
                                Role::Caption => ("th", Some("colgroup"), "gk-caption".to_owned()),
                                Role::Corner => ("td", None, "gk-corner".to_owned()),
                                Role::ColHeader if c.colspan > 1 => {
                                    ("th", Some("colgroup"), "gk-col".to_owned())
                                }
                                Role::ColHeader => ("th", Some("col"), "gk-col".to_owned()),
                                Role::RowGroup => ("th", Some("rowgroup"), "gk-group".to_owned()),
                                Role::RowHeader => ("th", Some("row"), "gk-row".to_owned()),
                                Role::Value => ("td", None, "gk-v".to_owned()),
                                Role::Empty => ("td", None, "gk-empty".to_owned()),
                            };
                            let mut refs = Vec::new();
                            if let Some((list, sev)) = index.for_value(report, l.table, c.content) {
                                refs = list.to_vec();
                                class.push_str(" gk-");
                                class.push_str(sev.as_str());
                            }
                            let pointer = match c.content {
                                Content::Value { row, col } => {
                                    Some(report.tables.grid(l.table).pointer(row, col))
                                }
                                _ => None,
                            };
                            HtmlCell {
                                tag,
                                scope,
                                rowspan: c.rowspan,
                                colspan: c.colspan,
                                class,
                                pointer,
                                text: content_text(report, l, c.content, opts),
                                refs,
                            }
                        })
                        .collect()
                })
                .collect(),
        });
        sections.push(HtmlSection {
            id: id.id(),
            heading: heading(report, id),
            paragraphs: paragraphs(&report.sections.get(id).text)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            table,
        });
    }
    let extra: Vec<HtmlExtra> = report
        .sections
        .extra
        .iter()
        .map(|e| HtmlExtra {
            heading: e.heading.clone(),
            paragraphs: paragraphs(&e.text).into_iter().map(str::to_owned).collect(),
        })
        .collect();
    let findings: Vec<HtmlFinding> = if opts.show_findings {
        report
            .findings
            .iter()
            .map(|f| HtmlFinding {
                rule: f.rule.as_str(),
                severity: f.severity.as_str(),
                severity_zh: f.severity.zh(),
                message: f.message_zh.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let signature = super::signature(report);
    let preamble: Vec<String> = report
        .sections
        .preamble
        .as_deref()
        .map(|p| paragraphs(p).into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    env()
        .get_template(template)
        .expect("template exists")
        .render(context! {
            title => title(report),
            draft => opts.draft && !super::null_cells(report).is_empty(),
            preamble => Serde(&preamble),
            sections => Serde(&sections),
            extra => Serde(&extra),
            signature => Serde(&signature),
            findings => Serde(&findings),
            link => link,
        })
        .expect("the report template renders")
}
