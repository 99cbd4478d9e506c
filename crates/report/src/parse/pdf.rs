//! PDF input (feature `pdf`): positioned text spans from pdf_oxide, rebuilt into layout text
//! (one line per baseline, column gaps as runs of spaces), which the layout-text reader of
//! spec §6.2.4 then reads. Extraction runs under `catch_unwind`: a malformed PDF is an error
//! message, never a crash.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::ParseError;

/// A PDF with fewer visible characters than this has no usable text layer (a scan).
const MIN_TEXT: usize = 40;

struct Span {
    text: String,
    x: f32,
    right: f32,
    y: f32,
    size: f32,
}

/// Groups characters into words: same baseline, no gap wider than a fifth of the font size.
fn words(chars: &[pdf_oxide::layout::TextChar]) -> Vec<Span> {
    let mut cs: Vec<&pdf_oxide::layout::TextChar> =
        chars.iter().filter(|c| !c.char.is_control()).collect();
    cs.sort_by(|a, b| {
        let (ya, yb) = (
            a.bbox.y + a.bbox.height / 2.0,
            b.bbox.y + b.bbox.height / 2.0,
        );
        ya.total_cmp(&yb).then(a.bbox.x.total_cmp(&b.bbox.x))
    });
    // Lines by vertical centre, then words by horizontal gap.
    let mut lines: Vec<Vec<&pdf_oxide::layout::TextChar>> = Vec::new();
    for c in cs {
        let y = c.bbox.y + c.bbox.height / 2.0;
        let size = if c.font_size > 0.0 {
            c.font_size
        } else {
            c.bbox.height.max(1.0)
        };
        match lines.last_mut() {
            Some(l) if (l[0].bbox.y + l[0].bbox.height / 2.0 - y).abs() <= 0.3 * size => l.push(c),
            _ => lines.push(vec![c]),
        }
    }
    let mut out = Vec::new();
    for mut line in lines {
        line.sort_by(|a, b| a.bbox.x.total_cmp(&b.bbox.x));
        let mut cur: Option<Span> = None;
        for c in line {
            let size = if c.font_size > 0.0 {
                c.font_size
            } else {
                c.bbox.height.max(1.0)
            };
            let y = c.bbox.y + c.bbox.height / 2.0;
            match cur.as_mut() {
                Some(w) if c.bbox.x - w.right <= 0.2 * size && !c.char.is_whitespace() => {
                    w.text.push(c.char);
                    w.right = c.bbox.x + c.bbox.width;
                }
                _ => {
                    if let Some(w) = cur.take().filter(|w| !w.text.trim().is_empty()) {
                        out.push(w);
                    }
                    if !c.char.is_whitespace() {
                        cur = Some(Span {
                            text: c.char.to_string(),
                            x: c.bbox.x,
                            right: c.bbox.x + c.bbox.width,
                            y,
                            size,
                        });
                    }
                }
            }
        }
        if let Some(w) = cur.filter(|w| !w.text.trim().is_empty()) {
            out.push(w);
        }
    }
    out
}

/// The PDF's text with its layout kept, pages separated by blank lines.
pub(crate) fn layout_text(bytes: &[u8]) -> Result<String, ParseError> {
    let unreadable = |why: String| {
        ParseError::Unreadable(format!(
            "无法读取 PDF 文件：{why}。请确认文件完整，或提供网页（HTML）或 Word 版本。(The PDF could not be read.)"
        ))
    };
    let pages = catch_unwind(AssertUnwindSafe(|| -> Result<Vec<Vec<Span>>, String> {
        let doc = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| e.to_string())?;
        let n = doc.page_count().map_err(|e| e.to_string())?;
        let mut pages = Vec::with_capacity(n);
        for i in 0..n {
            // Characters, not pdf_oxide's spans: its span merging can join separate cells
            // (`72` `64` became `72.64` in one corpus PDF).
            let chars = doc.extract_chars(i).map_err(|e| e.to_string())?;
            pages.push(words(&chars));
        }
        Ok(pages)
    }))
    .map_err(|_| unreadable("文件结构异常".into()))?
    .map_err(unreadable)?;
    let visible: usize = pages
        .iter()
        .flatten()
        .map(|s| s.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    if visible < MIN_TEXT {
        return Err(ParseError::Unsupported(
            "这个 PDF 没有文字层（可能是扫描件或图片），无法读取其中的数字；请提供带文字的 PDF、网页（HTML）或 Word 版本，或先做文字识别（OCR）。(The PDF has no text layer.)".into(),
        ));
    }
    let mut out = String::new();
    for spans in pages {
        out.push_str(&page_lines(spans));
        out.push('\n');
    }
    Ok(out)
}

/// Whether a span is only a list ordinal (`2.`, `（三）`).
fn is_ordinal(t: &str) -> bool {
    let t = t.trim();
    let digits = t.trim_end_matches(['.', '．', '、']);
    (digits.len() < t.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        || (t.starts_with(['（', '(']) && t.ends_with(['）', ')']) && t.chars().count() <= 4)
}

/// A bare ordinal printed on the values' baseline with its label text just to its right but
/// a little lower (a wrapped cell) becomes one span: `2.` + `其他法律行政止公开`.
fn join_ordinals(mut spans: Vec<Span>) -> Vec<Span> {
    let mut i = 0;
    while i < spans.len() {
        if is_ordinal(&spans[i].text) {
            let (right, y, size) = (spans[i].right, spans[i].y, spans[i].size);
            let next = spans
                .iter()
                .enumerate()
                .filter(|(j, s)| {
                    *j != i
                        && (s.x - right).abs() <= 0.6 * size
                        && (s.y - y).abs() <= 1.6 * size
                        && !is_ordinal(&s.text)
                        && s.text
                            .chars()
                            .any(|c| !c.is_ascii_digit() && !c.is_whitespace())
                })
                .min_by(|a, b| (a.1.y - y).abs().total_cmp(&(b.1.y - y).abs()))
                .map(|(j, _)| j);
            if let Some(j) = next {
                let label = spans.remove(j);
                let i = if j < i { i - 1 } else { i };
                spans[i].text = format!("{}{}", spans[i].text.trim(), label.text.trim());
                spans[i].right = label.right;
            }
        }
        i += 1;
    }
    spans
}

/// Groups spans into lines by their vertical centre, orders each line left to right, and joins
/// spans with one space for a small gap and three for a column gap.
fn page_lines(spans: Vec<Span>) -> String {
    let mut spans = join_ordinals(spans);
    spans.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<Span>> = Vec::new();
    for s in spans {
        match lines.last_mut() {
            Some(line) if (line[0].y - s.y).abs() <= 0.45 * line[0].size.max(s.size) => {
                line.push(s);
            }
            _ => lines.push(vec![s]),
        }
    }
    // PDF y grows upwards: the first line is the one with the largest y.
    let upward = lines.len() > 1 && lines.first().map(|l| l[0].y) < lines.last().map(|l| l[0].y);
    if upward {
        lines.reverse();
    }
    let mut out = String::new();
    for mut line in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut prev: Option<&Span> = None;
        for s in &line {
            if let Some(p) = prev {
                let gap = s.x - p.right;
                let em = p.size.max(s.size);
                if gap > 0.9 * em {
                    out.push_str("   ");
                } else if gap > 0.2 * em {
                    out.push(' ');
                }
            }
            out.push_str(s.text.trim());
            prev = Some(s);
        }
        out.push('\n');
    }
    out
}
