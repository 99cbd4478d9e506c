//! Inputs → a sequence of pieces: narrative lines and table cells in reading order.
//!
//! Kinds are detected by content, not by file name: PDF (`%PDF`), Word (a zip holding
//! `word/document.xml`), HTML (markup with tags), else text in UTF-8 or GB18030/GBK.

use std::io::{Cursor, Read as _};

use super::ParseError;
use super::labels;
use crate::model::InputLayout;
use crate::normalize::key;

/// Where a piece stands in the input (spec §3.5 `at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub line: Option<u32>,
    pub table: Option<u32>,
    pub row: Option<u32>,
    pub col: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A line or paragraph of narrative.
    Text { text: String, pos: Pos },
    /// A table cell. `glued`: a run of values whose separators were lost (spec §6.2.5).
    Cell { text: String, pos: Pos, glued: bool },
}

/// The kind of input, detected from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Text,
    Html,
    Docx,
    Pdf,
}

impl InputKind {
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Html => "html",
            InputKind::Docx => "docx",
            InputKind::Pdf => "pdf",
        }
    }
}

/// Detects the kind of input from its content.
pub fn detect(bytes: &[u8]) -> InputKind {
    let head = &bytes[..bytes.len().min(2048)];
    if head.starts_with(b"%PDF") || head.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return InputKind::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") {
        return InputKind::Docx;
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let tags = [
        "<html",
        "<body",
        "<table",
        "<p>",
        "<p ",
        "<div",
        "<td",
        "<br",
        "<!doctype",
    ];
    if tags.iter().any(|t| text.contains(t)) {
        return InputKind::Html;
    }
    InputKind::Text
}

/// Decodes text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// Reads any input into pieces and says which layout its tables use.
pub(crate) fn pieces(bytes: &[u8]) -> Result<(Vec<Piece>, InputLayout), ParseError> {
    match detect(bytes) {
        #[cfg(feature = "pdf")]
        InputKind::Pdf => {
            let (pieces, _) = text(&super::pdf::layout_text(bytes)?);
            Ok((pieces, InputLayout::PdfText))
        }
        #[cfg(not(feature = "pdf"))]
        InputKind::Pdf => Err(ParseError::Unsupported(
            "此版本未包含 PDF 读取功能（编译时关闭了 pdf 特性）；请提供网页（HTML）或 Word 版本。(Built without the `pdf` feature.)".into(),
        )),
        InputKind::Docx => docx(bytes).map(|p| (p, InputLayout::Html)),
        InputKind::Html => Ok((super::html::html(&decode(bytes)), InputLayout::Html)),
        InputKind::Text => Ok(text(&decode(bytes))),
    }
}

/// A Markdown heading naming a table-4 block (`### 行政诉讼（复议后起诉）`) → that block's label.
fn t4_block_heading(line: &str) -> Option<&'static str> {
    let t = line.trim_start_matches('#').trim();
    if t.len() == line.len() {
        return None;
    }
    let k = key(t);
    if k.contains("未经复议直接起诉") {
        Some("未经复议直接起诉")
    } else if k.contains("复议后起诉") {
        Some("复议后起诉")
    } else if k == "行政复议" {
        Some("行政复议")
    } else {
        None
    }
}

/// Whether a text line is a known table label (so a pipe-less line in a pipe layout is a cell).
fn is_label_line(line: &str) -> bool {
    // The longest label (the table-3 corner note) has 38 characters.
    if line.chars().filter(|c| !c.is_whitespace()).count() > 60 {
        return false;
    }
    let k = key(line);
    !labels::exact(&k).is_empty() || (k.starts_with("第二十条第(") && k.len() < 40)
}

fn is_markdown_rule(cell: &str) -> bool {
    let c = cell.trim();
    c.len() >= 3 && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
}

/// Splits a pipe row into cells: every `|` ends a cell; text after the last `|` is a cell too.
fn split_pipes(line: &str) -> Vec<String> {
    let trimmed = line.trim_end();
    let mut parts: Vec<String> = trimmed.split('|').map(|s| s.trim().to_owned()).collect();
    if trimmed.ends_with('|') {
        parts.pop();
    }
    parts.retain(|c| !is_markdown_rule(c));
    parts
}

/// Text layouts: flattened cells (`x |`), pipe rows (`a | b | c`), Markdown tables, one cell per
/// line (spec §6.2.2–§6.2.3).
pub(crate) fn text(s: &str) -> (Vec<Piece>, InputLayout) {
    let lines: Vec<&str> = s.lines().collect();
    let piped = lines.iter().filter(|l| l.contains('|')).count();
    let pipe_mode = piped >= 5;
    // PDF text with its layout kept: columns aligned with runs of spaces (spec §6.2.4).
    let layout_mode = !pipe_mode && lines.iter().filter(|l| is_layout_row(l)).count() >= 5;
    let mut out = Vec::new();
    let mut in_table = false;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let block_heading = t4_block_heading(line);
        // Markdown heading markers and escapes are layout, not text.
        let line = match line.trim_start_matches('#') {
            rest if rest.len() < line.len() && rest.starts_with(' ') => rest.trim_start(),
            _ => line,
        };
        let line = line.strip_prefix('\\').unwrap_or(line);
        let pos = Pos {
            line: Some(i as u32 + 1),
            ..Pos::default()
        };
        if line.is_empty() {
            continue;
        }
        if is_glued(line) {
            out.extend(glued(line, pos));
            continue;
        }
        if layout_mode && is_page_number(line) {
            continue;
        }
        if pipe_mode {
            if let Some(block) = block_heading {
                out.push(Piece::Cell {
                    text: block.to_owned(),
                    pos,
                    glued: false,
                });
            } else if line.contains('|') {
                in_table = true;
                for cell in split_pipes(line) {
                    out.push(Piece::Cell {
                        text: cell,
                        pos,
                        glued: false,
                    });
                }
            } else if is_label_line(line)
                || (in_table && super::value::looks_like_value(line) && line.chars().count() < 20)
            {
                out.push(Piece::Cell {
                    text: line.to_owned(),
                    pos,
                    glued: false,
                });
            } else {
                in_table = false;
                out.push(Piece::Text {
                    text: line.to_owned(),
                    pos,
                });
            }
        } else {
            let k = key(line);
            let starts_table = (is_label_line(line)
                || (layout_mode && layout_cells(line).iter().any(|c| is_label_line(c))))
                && !super::sections::is_heading_candidate(&k);
            if starts_table {
                in_table = true;
            }
            let heading = super::sections::is_heading_candidate(&k)
                && labels::exact(&k).is_empty()
                && super::sections::names_a_section(&k);
            let visible = line.chars().filter(|c| !c.is_whitespace()).count();
            let prose = visible > 120 || (visible > 40 && line.contains(['。', '；']));
            if heading || (!starts_table && prose) {
                in_table = false;
            }
            if in_table && layout_mode {
                for cell in layout_cells(line) {
                    out.push(Piece::Cell {
                        text: cell,
                        pos,
                        glued: false,
                    });
                }
            } else if in_table {
                out.push(Piece::Cell {
                    text: line.to_owned(),
                    pos,
                    glued: false,
                });
            } else {
                out.push(Piece::Text {
                    text: line.to_owned(),
                    pos,
                });
            }
        }
    }
    let layout = if layout_mode {
        InputLayout::PdfText
    } else {
        InputLayout::FlatCells
    };
    (out, layout)
}

/// Word: paragraphs and tables from `word/document.xml` (cells covered by a vertical merge are
/// left out, as in the flattened layout).
pub(crate) fn docx(bytes: &[u8]) -> Result<Vec<Piece>, ParseError> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let bad =
        |why: String| ParseError::Unreadable(format!("不是可读取的 Word（.docx）文件：{why}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| bad("缺少 word/document.xml".into()))?
        .take(64 << 20)
        .read_to_string(&mut xml)
        .map_err(|e| bad(e.to_string()))?;
    let mut reader = Reader::from_str(&xml);
    let mut out = Vec::new();
    let (mut depth, mut tables, mut row, mut col) = (0u32, 0u32, 0u32, 0u32);
    let mut para = String::new();
    let mut cell = String::new();
    let mut in_text = false;
    let mut continued = false;
    loop {
        let ev = reader.read_event().map_err(|e| bad(e.to_string()))?;
        match ev {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "w:tbl" => {
                if depth == 0 {
                    tables += 1;
                    row = 0;
                }
                depth += 1;
                let _ = e;
            }
            Event::Start(e) => match e.name().as_ref() {
                "w:tr" if depth == 1 => {
                    row += 1;
                    col = 0;
                }
                "w:tc" if depth == 1 => {
                    col += 1;
                    cell.clear();
                    continued = false;
                }
                "w:t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:vMerge" if depth == 1 => {
                    let restart = e
                        .try_get_attribute("w:val")
                        .ok()
                        .flatten()
                        .is_some_and(|a| a.value.as_ref() == "restart");
                    continued = !restart;
                }
                "w:br" | "w:tab" if depth == 0 => para.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.xml10_content();
                if depth > 0 {
                    cell.push_str(&s);
                } else {
                    para.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let s = match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                if depth > 0 {
                    cell.push_str(s);
                } else {
                    para.push_str(s);
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_text = false,
                "w:tbl" => depth = depth.saturating_sub(1),
                "w:tc" if depth == 1 => {
                    if !continued {
                        out.push(Piece::Cell {
                            text: cell.trim().to_owned(),
                            pos: Pos {
                                table: Some(tables),
                                row: Some(row),
                                col: Some(col),
                                line: None,
                            },
                            glued: false,
                        });
                    }
                    cell.clear();
                }
                "w:p" if depth == 0 => {
                    for line in para.lines() {
                        let line = line.trim();
                        if !line.is_empty() {
                            out.push(Piece::Text {
                                text: line.to_owned(),
                                pos: Pos::default(),
                            });
                        }
                    }
                    para.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// A whole report (or its tables) on one line with the cell separators lost, as some page
/// captures have it (spec §6.2.5).
fn is_glued(line: &str) -> bool {
    line.chars().count() > 150
        && [
            "第二十条第",
            "信息内容",
            "申请人情况",
            "结果维持",
            "本年度办理结果",
        ]
        .iter()
        .filter(|w| line.contains(**w))
        .count()
            >= 2
}

/// The heading patterns used to cut a glued line into sections (spec §6.3 distinctive words).
fn heading_patterns() -> &'static [regex::Regex; 6] {
    static RE: std::sync::OnceLock<[regex::Regex; 6]> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let r = |s: &str| regex::Regex::new(s).expect("valid regex");
        [
            r(r"一[、.．]\s*[^。；，]{0,8}?总体情况"),
            r(r"二[、.．]\s*[^。；，]{0,6}?主动公开[^。；，]{0,8}?情况"),
            r(r"三[、.．]\s*收到和处理[^。；，]{0,12}?情况"),
            r(r"四[、.．]\s*[^。；，]{0,14}?(?:复议|诉讼)[^。；，]{0,14}?情况"),
            r(r"五[、.．]\s*[^。；，]{0,10}?问题[^。；，]{0,10}?(?:情况|措施)"),
            r(r"六[、.．]\s*其他需要报告的事项"),
        ]
    })
}

/// One normalised character of a glued line and its byte offset in the line.
fn norm_chars(s: &str) -> Vec<(char, usize)> {
    use unicode_normalization::UnicodeNormalization;
    let mut out = Vec::new();
    for (i, ch) in s.char_indices() {
        if ch.is_whitespace() {
            continue;
        }
        for n in ch.to_string().nfkc() {
            out.push((n, i));
        }
    }
    out
}

/// Every label text to look for in glued text, normalised, longest first.
fn glued_labels() -> &'static [Vec<char>] {
    static L: std::sync::OnceLock<Vec<Vec<char>>> = std::sync::OnceLock::new();
    L.get_or_init(|| {
        let mut v: Vec<Vec<char>> = labels::index()
            .values()
            .flatten()
            .map(|e| {
                norm_chars(e.canonical)
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect::<Vec<char>>()
            })
            .collect();
        v.sort_by_key(|l| std::cmp::Reverse(l.len()));
        v.dedup();
        v
    })
}

/// Splits a glued line into narrative pieces (by headings) and, inside sections 二–四, label
/// cells and value runs.
fn glued(line: &str, pos: Pos) -> Vec<Piece> {
    let mut cuts: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, section index)
    let mut from = 0;
    for (k, re) in heading_patterns().iter().enumerate() {
        if let Some(m) = re.find_at(line, from) {
            cuts.push((m.start(), m.end(), k));
            from = m.end();
        }
    }
    let mut out = Vec::new();
    let text = |out: &mut Vec<Piece>, t: &str| {
        let t = t.trim();
        if !t.is_empty() {
            out.push(Piece::Text {
                text: t.to_owned(),
                pos,
            });
        }
    };
    let mut at = 0;
    for (n, (start, end, k)) in cuts.iter().enumerate() {
        if n == 0 {
            text(&mut out, &line[at..*start]);
        }
        text(&mut out, &line[*start..*end]);
        let stop = cuts.get(n + 1).map_or(line.len(), |c| c.0);
        let body = &line[*end..stop];
        if (1..=3).contains(k) {
            out.extend(glued_cells(body, pos));
        } else {
            text(&mut out, body);
        }
        at = stop;
    }
    if cuts.is_empty() {
        out.extend(glued_cells(line, pos));
    }
    out
}

/// Label cells and value runs of a glued table region.
fn glued_cells(body: &str, pos: Pos) -> Vec<Piece> {
    let chars = norm_chars(body);
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut Vec<Piece>, from: Option<usize>, to: usize| {
        let Some(from) = from else { return };
        let t = body[from..to].trim();
        if t.is_empty() {
            return;
        }
        if t.chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        {
            out.push(Piece::Cell {
                text: t.to_owned(),
                pos,
                glued: true,
            });
        } else if t.chars().count() > 40 {
            out.push(Piece::Text {
                text: t.to_owned(),
                pos,
            });
        } else {
            out.push(Piece::Cell {
                text: t.to_owned(),
                pos,
                glued: false,
            });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let rest: Vec<char> = chars[i..].iter().map(|(c, _)| *c).take(80).collect();
        let hit = glued_labels()
            .iter()
            .find(|l| l.len() >= 2 && rest.starts_with(l));
        match hit {
            Some(l) => {
                let start = chars[i].1;
                flush(&mut out, run_start.take(), start);
                let end = chars.get(i + l.len()).map_or(body.len(), |c| c.1);
                out.push(Piece::Cell {
                    text: body[start..end].trim().to_owned(),
                    pos,
                    glued: false,
                });
                i += l.len();
            }
            None => {
                if run_start.is_none() {
                    run_start = Some(chars[i].1);
                }
                i += 1;
            }
        }
    }
    flush(&mut out, run_start, body.len());
    out
}

/// A line of PDF layout text with a label or number, a gap of two or more spaces, and a number.
fn is_layout_row(line: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\S\s{2,}[0-9０-９]").expect("valid regex"))
        .is_match(line.trim())
}

/// Page numbers and running footers such as `-4-`, `— 4 —`, `第4页`.
fn is_page_number(line: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"^[-—－\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3})?[-—－\s]*$")
            .expect("valid regex")
    })
    .is_match(line.trim())
}

/// The cells of a layout line: runs separated by two or more spaces; a run of numbers
/// separated by single spaces is one cell per number.
fn layout_cells(line: &str) -> Vec<String> {
    static GAP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let gap = GAP.get_or_init(|| regex::Regex::new(r"\s{2,}|\t").expect("valid regex"));
    let mut out = Vec::new();
    for run in gap.split(line.trim()) {
        let tokens: Vec<&str> = run.split_whitespace().collect();
        if tokens.len() > 1 && tokens.iter().all(|t| super::value::looks_like_value(t)) {
            out.extend(tokens.iter().map(|t| (*t).to_owned()));
        } else if !run.trim().is_empty() {
            out.push(run.trim().to_owned());
        }
    }
    out
}
