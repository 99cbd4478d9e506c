//! # gongkai-docgen: the annual report as PDF
//!
//! The report is typeset in-process with [typst](https://typst.app) in the official grid (spec
//! §7.4: the grid, the spans and the label text are those of every other renderer; they come
//! from `gongkai_report::layout`). Fonts are found at run time, never embedded in the binary:
//! first the agency's licensed 公文 fonts from a configured folder (方正小标宋简体, 仿宋_GB2312,
//! 楷体_GB2312, 黑体), then Debian's `fonts-noto-cjk` (Noto Serif/Sans CJK SC) and a few other
//! free CJK fonts. Without any font covering Chinese, [`load_fonts`] says so and what to install.
//!
//! Kept in its own leaf crate because typst is the heaviest build of the workspace.

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gongkai_report::Report;
use gongkai_report::layout::{Content, Role};
use gongkai_report::render::{self, RenderOptions};
use gongkai_report::schema::SectionId;
use typst::text::Font;
use typst_as_lib::TypstEngine;

/// Where free CJK fonts live on Debian-like systems (searched after the configured folder).
pub const SYSTEM_FONT_DIRS: [&str; 6] = [
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/truetype/arphic",
    "/usr/share/fonts/truetype/lxgw",
];

/// Font families in order of preference: the official 公文 fonts first, then free ones.
const TITLE_FONTS: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
];
const BODY_FONTS: &[&str] = &[
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
];
const HEADING_FONTS: &[&str] = &[
    "SimHei",
    "黑体",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
];
const TABLE_FONTS: &[&str] = &[
    "SimSun",
    "宋体",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
];

/// Why no PDF could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// No installed font covers Chinese; the folders searched.
    NoCjkFont(Vec<PathBuf>),
    /// Typesetting failed (should not happen on a valid report).
    Typeset(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::NoCjkFont(dirs) => {
                let list: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                write!(
                    f,
                    "无法生成 PDF：没有找到中文字体（已查找：{}）。请安装 Noto CJK 字体（Debian/Ubuntu：apt install fonts-noto-cjk），或把本机关有授权的公文字体（.ttf/.otf/.ttc）放入字体目录并用 --font-dir 指定。(No CJK font found; install fonts-noto-cjk or pass --font-dir.)",
                    list.join("、")
                )
            }
            PdfError::Typeset(e) => write!(f, "生成 PDF 失败：{e} (typesetting failed)"),
        }
    }
}

impl std::error::Error for PdfError {}

/// The fonts found, ready for typesetting. Load once per process and share: a CJK font file
/// is 20–30 MB.
#[derive(Clone)]
pub struct Fonts {
    fonts: Vec<Font>,
    /// The families found, for messages (`gongkai report render --to pdf` prints them).
    pub families: Vec<String>,
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("families", &self.families)
            .finish_non_exhaustive()
    }
}

fn font_files(dir: &Path, only_cjk_names: bool) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let font = [".ttf", ".otf", ".ttc", ".otc"]
                .iter()
                .any(|e| name.ends_with(e));
            // Debian's noto folders hold hundreds of non-Chinese fonts; only the CJK ones (in
            // their regular weight) are read from there.
            let cjk = !only_cjk_names
                || ((name.contains("cjk") && name.contains("regular"))
                    || name.contains("wqy")
                    || name.contains("uming")
                    || name.contains("ukai")
                    || name.contains("wenkai"));
            font && cjk
        })
        .collect();
    out.sort();
    out
}

/// Loads the fonts: every font of `dir` (the agency's licensed fonts), then the free CJK fonts
/// of [`SYSTEM_FONT_DIRS`]. Fails when none of them covers Chinese.
pub fn load_fonts(dir: Option<&Path>) -> Result<Fonts, PdfError> {
    let mut searched = Vec::new();
    let mut files = Vec::new();
    if let Some(d) = dir {
        searched.push(d.to_owned());
        files.extend(font_files(d, false));
    }
    for d in SYSTEM_FONT_DIRS {
        searched.push(PathBuf::from(d));
        files.extend(font_files(Path::new(d), true));
    }
    let mut fonts = Vec::new();
    let mut families: Vec<String> = Vec::new();
    let mut cjk = false;
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        for font in Font::iter(typst::foundations::Bytes::new(bytes)) {
            let info = font.info();
            if info.coverage.contains('中' as u32) && info.coverage.contains('报' as u32) {
                cjk = true;
            }
            if !families.contains(&info.family) {
                families.push(info.family.clone());
            }
            fonts.push(font);
        }
    }
    if !cjk {
        return Err(PdfError::NoCjkFont(searched));
    }
    Ok(Fonts { fonts, families })
}

/// A typst string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn families(list: &[&str]) -> String {
    let items: Vec<String> = list.iter().map(|f| lit(f)).collect();
    format!("({},)", items.join(", "))
}

/// The typst source of the report (public for tests and for `--to typ` debugging).
pub fn source(report: &Report) -> String {
    let opts = RenderOptions {
        show_findings: false,
        draft: true,
        ..RenderOptions::default()
    };
    let mut s = String::new();
    // GB/T 9704 page: A4, 37 mm top, 35 mm bottom, 28 mm inside, 26 mm outside; page numbers
    // as “— 1 —”.
    let _ = writeln!(
        s,
        "#set page(paper: \"a4\", margin: (top: 3.7cm, bottom: 3.5cm, left: 2.8cm, right: 2.6cm), numbering: \"— 1 —\", number-align: center)"
    );
    let _ = writeln!(
        s,
        "#set text(font: {}, size: 16pt, lang: \"zh\", region: \"cn\")",
        families(BODY_FONTS)
    );
    let _ = writeln!(
        s,
        "#set par(first-line-indent: (amount: 2em, all: true), leading: 0.85em, spacing: 0.85em, justify: true)"
    );
    let _ = writeln!(
        s,
        "#set table(stroke: 0.5pt, inset: (x: 3pt, y: 4pt), align: center + horizon)"
    );
    if !render::null_cells(report).is_empty() {
        let _ = writeln!(
            s,
            "#align(center)[#text(fill: red, weight: \"bold\")[#{}]]",
            lit("草稿：有单元格尚未填写，不得作为正式报告发布。")
        );
    }
    let _ = writeln!(
        s,
        "#align(center)[#text(font: {}, size: 22pt)[#{}]]\n#v(1em)",
        families(TITLE_FONTS),
        lit(&render::title(report))
    );
    if let Some(p) = &report.sections.preamble {
        for para in render::paragraphs(p) {
            let _ = writeln!(s, "#par[#{}]", lit(para));
        }
    }
    let [t2, t3, t4] = render::layouts(report);
    for id in SectionId::ALL {
        let _ = writeln!(
            s,
            "#par[#text(font: {})[#{}]]",
            families(HEADING_FONTS),
            lit(&render::heading(report, id))
        );
        for para in render::paragraphs(&report.sections.get(id).text) {
            let _ = writeln!(s, "#par[#{}]", lit(para));
        }
        let layout = match id {
            SectionId::ActiveDisclosure => t2,
            SectionId::Applications => t3,
            SectionId::ReviewLitigation => t4,
            _ => continue,
        };
        let _ = writeln!(
            s,
            "#block(breakable: true)[#set par(first-line-indent: 0em, justify: false)\n#set text(font: {}, size: 9pt)\n#table(columns: {},",
            families(TABLE_FONTS),
            match layout.table {
                // Label columns wide enough for the row labels; equal value columns.
                gongkai_report::TableId::ActiveDisclosure => "(2fr, 1fr, 1fr, 1fr)".to_owned(),
                gongkai_report::TableId::Applications => {
                    "(1.3cm, 1.5cm, 4.8cm, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr)".to_owned()
                }
                gongkai_report::TableId::ReviewLitigation => layout.columns.to_string(),
            }
        );
        // Header rows (those before the first value) repeat on every page the table spans.
        let header_rows = layout
            .rows
            .iter()
            .take_while(|r| !r.iter().any(|c| matches!(c.content, Content::Value { .. })))
            .count();
        let header_rows = if layout.table == gongkai_report::TableId::ActiveDisclosure {
            0
        } else {
            header_rows
        };
        for (ri, row) in layout.rows.iter().enumerate() {
            if ri == 0 && header_rows > 0 {
                let _ = writeln!(s, "  table.header(");
            }
            for c in row {
                let text = render::content_text(report, layout, c.content, opts);
                let align = match (c.role, c.content) {
                    (Role::RowHeader | Role::RowGroup, Content::Label(_)) => "left + horizon",
                    _ => "center + horizon",
                };
                let _ = writeln!(
                    s,
                    "  table.cell(colspan: {}, rowspan: {}, align: {align})[#{}],",
                    c.colspan,
                    c.rowspan,
                    lit(&text)
                );
            }
            if header_rows > 0 && ri + 1 == header_rows {
                let _ = writeln!(s, "  ),");
            }
        }
        let _ = writeln!(s, ")]");
    }
    for e in &report.sections.extra {
        let _ = writeln!(
            s,
            "#par[#text(font: {})[#{}]]",
            families(HEADING_FONTS),
            lit(&e.heading)
        );
        for para in render::paragraphs(&e.text) {
            let _ = writeln!(s, "#par[#{}]", lit(para));
        }
    }
    let sig = render::signature(report);
    if !sig.is_empty() {
        let _ = writeln!(s, "#v(2em)");
        for line in sig {
            let _ = writeln!(s, "#align(right)[#{}]", lit(&line));
        }
    }
    s
}

/// The report as a PDF in the official layout.
pub fn report_pdf(report: &Report, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let src = source(report);
    let engine = TypstEngine::builder()
        .main_file(src)
        .fonts(fonts.fonts.iter().cloned())
        .build();
    let doc: typst_layout::PagedDocument = engine
        .compile()
        .output
        .map_err(|e| PdfError::Typeset(format!("{e:?}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| PdfError::Typeset(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_report::Format;

    #[test]
    fn strings_are_escaped_for_typst() {
        assert_eq!(lit("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(lit("#[x]*_"), "\"#[x]*_\"");
    }

    #[test]
    fn the_source_follows_the_official_grid() {
        let r = Report::template(Format::V2021, 2025);
        let src = source(&r);
        // Table 3: 10 columns; table 4: 15; the labels as in the spec.
        assert!(
            src.contains(
                "#table(columns: (1.3cm, 1.5cm, 4.8cm, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr),"
            )
        );
        assert!(src.contains("#table(columns: 15,"));
        assert!(
            src.contains(
                "\"（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\""
            )
        );
        assert!(src.contains("\"六、其他需要报告的事项\""));
    }

    /// Typesets a real report when a CJK font is installed (CI installs fonts-noto-cjk) and
    /// reads the text back with the PDF extractor the parser uses.
    #[test]
    fn a_report_is_typeset_and_its_text_reads_back() {
        let fonts = match load_fonts(None) {
            Ok(f) => f,
            Err(e @ PdfError::NoCjkFont(_)) => {
                assert!(e.to_string().contains("fonts-noto-cjk"));
                assert!(
                    std::env::var_os("GONGKAI_TEST_OFFICE").is_none(),
                    "CI installs fonts-noto-cjk: {e}"
                );
                eprintln!("skipped: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        let mut r = Report::template(Format::V2021, 2025);
        r.title = Some("示例市应急管理局2025年政府信息公开工作年度报告".into());
        r.tables
            .set_by_pointer("/tables/applications/received/total", Some(17.into()));
        let pdf = report_pdf(&r, &fonts).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let doc = pdf_oxide::PdfDocument::from_bytes(pdf).unwrap();
        let mut text = String::new();
        for page in 0..doc.page_count().unwrap() {
            text.push_str(&doc.extract_text(page).unwrap());
        }
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(squeezed.contains("政府信息公开工作年度报告"), "{squeezed}");
        assert!(squeezed.contains("三、收到和处理政府信息公开申请情况"));
    }
}
