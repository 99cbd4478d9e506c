//! Reading published reports (spec §6): text, HTML and Word, exactly as printed.
//!
//! The parser is label-driven: it finds the known row and column labels after normalising layout
//! noise, then reads the values that belong to them. It never invents a number: a cell it cannot
//! read is `null` with a finding naming the cell and the text it saw. Its findings (F4–F14) go
//! into the same `findings` array as the validator's, and the report is validated before it is
//! returned.

mod html;
mod input;
mod labels;
#[cfg(feature = "pdf")]
mod pdf;
mod sections;
mod split;
mod tables;
mod value;

use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use regex::Regex;

pub use input::{InputKind, decode, detect};

use crate::findings::{Finding, Location, Severity, sort_findings};
use crate::model::{Agency, AgencyKind, ExtraSection, Report, Section, Sections};
use crate::schema::{Format, SectionId};
use crate::validate::{self, Options};

/// What the caller knows from the publication (page title, release date, catalogue): it takes
/// precedence over anything read from the body (spec §6.8).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub agency_name: Option<String>,
    pub agency_kind: Option<AgencyKind>,
    pub year: Option<i32>,
    pub published_on: Option<NaiveDate>,
}

/// An input that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The kind of file is not supported (yet), with what to do instead.
    Unsupported(String),
    /// The file is damaged or not what it claims to be.
    Unreadable(String),
    /// Nothing in the file looks like an annual report.
    NotAReport,
    /// The report year is neither supplied nor printed in the title or first sentences.
    NoYear,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Unsupported(s) | ParseError::Unreadable(s) => f.write_str(s),
            ParseError::NotAReport => f.write_str(
                "没有找到年度报告的章节标题或表格，这可能不是政府信息公开工作年度报告。(No headings or tables of an annual report were found.)",
            ),
            ParseError::NoYear => f.write_str(
                "无法确定报告年度：标题和正文开头都没有“××××年政府信息公开工作年度报告”字样；请用 --year 指定。(The report year is unknown; pass --year.)",
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// The text the parser reads from an input (for `--show-text`): PDF layout text, the decoded
/// text of a text file, or the cells and paragraphs of HTML and Word, one per line.
pub fn extracted_text(bytes: &[u8]) -> Result<String, ParseError> {
    #[cfg(feature = "pdf")]
    if detect(bytes) == InputKind::Pdf {
        return pdf::layout_text(bytes);
    }
    if detect(bytes) == InputKind::Text {
        return Ok(decode(bytes));
    }
    let (pieces, _) = input::pieces(bytes)?;
    Ok(pieces
        .iter()
        .map(|p| match p {
            input::Piece::Text { text, .. } => text.clone(),
            input::Piece::Cell { text, .. } => format!("{text} |"),
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Parses a published report from its bytes (any supported kind, detected by content) and
/// validates it with default options.
pub fn parse(bytes: &[u8], meta: &Metadata) -> Result<Report, ParseError> {
    let mut report = parse_unchecked(bytes, meta)?;
    validate::check(&mut report, &Options::default());
    Ok(report)
}

/// Parses without running the validator (the caller validates with its own options).
pub fn parse_unchecked(bytes: &[u8], meta: &Metadata) -> Result<Report, ParseError> {
    let (pieces, layout) = input::pieces(bytes)?;
    let mut findings: Vec<Finding> = Vec::new();

    // Narrative lines and headings.
    let mut lines: Vec<(String, Option<u32>)> = Vec::new();
    let mut line_piece: Vec<usize> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if let input::Piece::Text { text, pos } = p {
            lines.push((text.clone(), pos.line));
            line_piece.push(i);
        }
    }
    let heads = sections::headings(&lines, &mut findings);

    // Table cells, and the format they follow.
    let cells: Vec<tables::Cell> = pieces
        .iter()
        .filter_map(|p| match p {
            input::Piece::Cell { text, pos, glued } => {
                Some(tables::Cell::new(text.clone(), *pos, *glued))
            }
            input::Piece::Text { .. } => None,
        })
        .collect();
    if heads.is_empty() && cells.is_empty() {
        return Err(ParseError::NotAReport);
    }

    // Metadata: title, year, agency (spec §6.8).
    let first_head = heads.first().map_or(lines.len(), |h| h.at);
    let title_line = lines[..first_head.min(lines.len())]
        .iter()
        .position(|(t, _)| sections::title_parts(t).is_some());
    let title = title_line.map(|i| lines[i].0.clone());
    let parts = title.as_deref().and_then(sections::title_parts);
    let year = match meta.year {
        Some(y) => y,
        None => {
            let found = parts
                .as_ref()
                .map(|p| p.1)
                .or_else(|| year_from_text(&lines[..first_head.min(lines.len())]));
            let y = found.ok_or(ParseError::NoYear)?;
            findings.push(
                Finding::new(
                    "F12",
                    Severity::Info,
                    format!("报告年度未随文件提供，系从正文推断为“{y}”。"),
                    format!("year was not supplied; inferred from the text as {y}."),
                )
                .at(Location {
                    line: title_line.and_then(|i| lines[i].1),
                    ..Location::default()
                }),
            );
            y
        }
    };
    let agency_name = match &meta.agency_name {
        Some(n) => Some(n.clone()),
        None => {
            let n = parts.as_ref().and_then(|p| p.0.clone());
            if let Some(n) = &n {
                findings.push(
                    Finding::new(
                        "F12",
                        Severity::Info,
                        format!("报告机关名称未随文件提供，系从正文推断为“{n}”。"),
                        format!("agency name was not supplied; inferred from the text as {n}."),
                    )
                    .at(Location {
                        line: title_line.and_then(|i| lines[i].1),
                        ..Location::default()
                    }),
                );
            }
            n
        }
    };

    let (v19, v21, examples) = tables::indicators(&cells);
    let format = match (v19, v21) {
        (0, 0) => Format::for_year(year).unwrap_or(Format::V2021),
        (_, 0) => Format::V2019,
        (0, _) => Format::V2021,
        (a, b) => {
            findings.push(Finding::new(
                "F9",
                Severity::Error,
                format!(
                    "报告同时使用了2019年格式和2021年格式的标签：{}。",
                    examples.join("、")
                ),
                format!(
                    "The report mixes labels of the 2019 and 2021 formats: {}.",
                    examples.join(", ")
                ),
            ));
            match a.cmp(&b) {
                std::cmp::Ordering::Greater => Format::V2019,
                std::cmp::Ordering::Less => Format::V2021,
                std::cmp::Ordering::Equal => Format::for_year(year).unwrap_or(Format::V2021),
            }
        }
    };
    let narrative: String = lines
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // Stated figures only help to split glued digit runs (spec §6.2.5).
    let statements = if cells.iter().any(|c| c.glued) {
        crate::validate::text::stated_numbers(format, &narrative)
    } else {
        Vec::new()
    };
    let read = tables::read(&cells, format, statements);
    findings.extend(read.findings);

    // Sections: text between headings; the signature block at the end goes to `signed_on`.
    let mut secs = Sections::default();
    let mut signed_on = None;
    let mut end = lines.len();
    if end > first_head
        && let Some(d) = sections::date_line(&lines[end - 1].0)
    {
        signed_on = Some(d);
        end -= 1;
        // The agency line just above the date is part of the signature.
        if end > first_head
            && lines[end - 1].0.chars().count() <= 30
            && !lines[end - 1].0.contains(['。', '，', ','])
        {
            end -= 1;
        }
    }
    let preamble: Vec<&str> = lines[..first_head.min(lines.len())]
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != title_line)
        .map(|(_, (t, _))| t.as_str())
        .collect();
    secs.preamble = (!preamble.is_empty()).then(|| preamble.join("\n"));
    for (n, h) in heads.iter().enumerate() {
        let stop = heads
            .get(n + 1)
            .map_or(end, |next| next.at)
            .min(end)
            .max(h.at + 1);
        let text: Vec<&str> = lines[h.at + 1..stop]
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        let text = text.join("\n");
        match h.id {
            Some(id) => {
                *secs.get_mut(id) = Section {
                    heading: Some(h.printed.clone()),
                    text,
                }
            }
            None => {
                let after = heads[..n]
                    .iter()
                    .rev()
                    .find_map(|p| p.id)
                    .unwrap_or(SectionId::OtherMatters);
                secs.extra.push(ExtraSection {
                    heading: h.printed.clone(),
                    after: after.id().to_owned(),
                    text,
                });
            }
        }
    }

    let mut report = Report::new(format, year, None);
    report.agency = Agency {
        name: agency_name,
        kind: meta.agency_kind,
    };
    report.published_on = meta.published_on;
    report.signed_on = signed_on;
    report.title = title;
    report.input_layout = Some(layout);
    report.tables = read.tables;
    report.sections = secs;
    report.cell_raw = read.raw;
    sort_findings(&mut findings);
    report.findings = findings;
    Ok(report)
}

/// `统计期限自2024年1月1日` or `2024年度` near the start of the text.
fn year_from_text(lines: &[(String, Option<u32>)]) -> Option<i32> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?:统计期限自|本报告所列数据统计期限自|)(20\d{2})年度?(?:1月1日|政府信息公开)")
            .expect("valid regex")
    });
    lines.iter().take(8).find_map(|(t, _)| {
        let c: String = t.split_whitespace().collect();
        re.captures(&c).and_then(|m| m[1].parse().ok())
    })
}
