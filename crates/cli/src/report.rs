//! `gongkai report …`: check, render, compile, template, schema.
//!
//! Exit status: 0 success (for `check`: no error-severity finding), 1 `check` found an error,
//! 2 an input could not be read or is not a valid report (the reason is printed).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use gongkai_report::compile::{self, CompileOptions, Named};
use gongkai_report::parse::{self, Metadata};
use gongkai_report::render::{self, RenderOptions, Target};
use gongkai_report::validate::{
    self, ComparisonText, Jurisdiction, LocalDeadline, Options, Profile,
};
use gongkai_report::{Agency, AgencyKind, Format, Report, SectionId, Severity, json};

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// 读取已发布的年度报告（文本、网页、Word、PDF），输出统一格式的 JSON (read published reports)
    Parse(ParseArgs),
    /// 检查报告，列出全部问题 (check reports against every rule)
    Check(CheckArgs),
    /// 按统一格式输出报告 (render a report in the official layout)
    Render(RenderArgs),
    /// 汇总同一年度、同一格式的多份报告 (compile several reports into one)
    Compile(CompileArgs),
    /// 输出可填写的空白报告 JSON (print an empty, valid report to fill in)
    Template(TemplateArgs),
    /// 输出报告 JSON 的 JSON Schema (print the JSON Schema of the document)
    Schema,
    /// 由平台数据生成某机关某年度的报告（含检查结果） (compile a report from the platform's data)
    Generate(crate::platform::GenerateArgs),
}

/// What the publication says about a published report (spec §6.8): overrides the text.
#[derive(Args, Debug, Clone, Default)]
pub struct MetaArgs {
    /// 报告年度（不提供时从标题推断，并给出提示 F12）
    #[arg(long, value_name = "Y")]
    year: Option<i32>,
    /// 机关名称（不提供时从标题推断）
    #[arg(long, value_name = "NAME")]
    agency: Option<String>,
    /// 机关类别，决定发布时限（department、government、township、other）
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// 网站发布日期 YYYY-MM-DD（用于检查是否按时发布）
    #[arg(long, value_name = "DATE")]
    published_on: Option<String>,
}

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// 已发布的报告文件或目录（.txt、.html、.docx、.pdf；也接受本格式的 JSON）
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// 输出报告 JSON（含检查结果）；多个文件时为 JSON 数组
    #[arg(long)]
    json: bool,
    /// 把每份报告的 JSON 写到此目录（文件名同原文件，扩展名 .json）
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// 把所有报告的全部单元格写入 CSV，供研究使用
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// 只显示从文件中读出的文字（PDF 按版面还原），用于核对读取结果
    #[arg(long)]
    show_text: bool,
    #[command(flatten)]
    meta: MetaArgs,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 报告文件或目录：本格式的 JSON，或已发布的报告（.txt、.html、.docx、.pdf）
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    meta: MetaArgs,
    /// 同一机关上一年度的报告，用于跨年度核对（S1–S5）
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,
    /// 输出报告 JSON（含 findings），而不是文字清单
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

/// Jurisdiction settings and profile (spec §4.1).
#[derive(Args, Debug)]
pub struct RuleArgs {
    /// 严格模式：标签与统一格式的任何差异都报告（发布前检查草稿时使用）
    #[arg(long)]
    strict: bool,
    /// 本地发布时限，如 department=01-20、township=02-15（可重复）
    #[arg(long = "local-deadline", value_name = "KIND=MM-DD")]
    local_deadlines: Vec<String>,
    /// 把 S9（未说明信息处理费）作为错误
    #[arg(long)]
    s9_error: bool,
    /// “一、总体情况”的字数上限（启用 N3）
    #[arg(long, value_name = "N")]
    overview_limit: Option<usize>,
    /// 与之比较正文重复度的其他报告（N2，可重复）
    #[arg(long = "compare", value_name = "FILE")]
    compare: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// 报告文件：本格式的 JSON，或已发布的报告（.txt、.html、.docx、.pdf）
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    meta: MetaArgs,
    /// 输出格式
    #[arg(long, value_enum)]
    to: RenderTarget,
    /// 输出文件（省略时写到标准输出；docx/xlsx 不能写到终端）
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// 有未填写的单元格时仍输出，并标明“草稿”
    #[arg(long)]
    draft: bool,
    /// 不在表格旁标出检查结果
    #[arg(long)]
    no_findings: bool,
    /// “本年增/减”的正数不加“+”号
    #[arg(long)]
    no_plus: bool,
    /// 2021年格式（六）的两个子项用“，”而非“、”（官方标点待核实，默认“、”）
    #[arg(long)]
    other_rows_comma: bool,
    /// PDF 用的字体目录（本机关有授权的公文字体），之后再查找系统的中文字体
    #[arg(long, env = "GONGKAI_FONT_DIR", value_name = "DIR")]
    font_dir: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum RenderTarget {
    Html,
    Md,
    Txt,
    Json,
    Csv,
    Flat,
    Xlsx,
    Docx,
    /// PDF typeset with the CJK fonts found at run time (see --font-dir)
    Pdf,
}

impl From<RenderTarget> for Target {
    fn from(t: RenderTarget) -> Target {
        match t {
            RenderTarget::Html => Target::Html,
            RenderTarget::Md => Target::Markdown,
            RenderTarget::Txt => Target::Text,
            RenderTarget::Json => Target::Json,
            RenderTarget::Csv => Target::Csv,
            RenderTarget::Flat => Target::Flat,
            RenderTarget::Xlsx => Target::Xlsx,
            RenderTarget::Docx | RenderTarget::Pdf => Target::Docx,
        }
    }
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    /// 各单位的报告或目录（同一年度、同一格式；本格式的 JSON 或已发布的报告）
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// 输出文件（省略时写到标准输出）
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// 汇总机关名称
    #[arg(long, value_name = "NAME")]
    agency: Option<String>,
    /// 汇总机关类别
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// 汇总范围说明，如“全市各级行政机关”
    #[arg(long, value_name = "TEXT")]
    scope_note: Option<String>,
    /// 即使有报告存在勾稽错误也汇总（错误作为警告带入）
    #[arg(long)]
    allow_errors: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KindArg {
    Department,
    Government,
    Township,
    Other,
}

impl From<KindArg> for AgencyKind {
    fn from(k: KindArg) -> AgencyKind {
        match k {
            KindArg::Department => AgencyKind::Department,
            KindArg::Government => AgencyKind::Government,
            KindArg::Township => AgencyKind::Township,
            KindArg::Other => AgencyKind::Other,
        }
    }
}

#[derive(Args, Debug)]
pub struct TemplateArgs {
    /// 格式版本：2019（试行格式，2019–2020年度）或 2021
    #[arg(long, value_name = "2019|2021")]
    format: Option<String>,
    /// 报告年度
    #[arg(long, value_name = "Y")]
    year: i32,
    /// 机关名称
    #[arg(long, value_name = "NAME")]
    agency: Option<String>,
    /// 机关类别（决定发布时限）
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
}

/// An input problem: printed, exit status 2.
struct InputError(String);

type Result<T> = std::result::Result<T, InputError>;

pub fn run(cmd: ReportCommand) -> ExitCode {
    let result = match cmd {
        ReportCommand::Parse(a) => parse_cmd(&a),
        ReportCommand::Check(a) => check(&a),
        ReportCommand::Render(a) => render_cmd(&a),
        ReportCommand::Compile(a) => compile_cmd(&a),
        ReportCommand::Template(a) => template(&a),
        ReportCommand::Generate(a) => return crate::platform::generate(&a),
        ReportCommand::Schema => {
            println!("{}", gongkai_report::json_schema::schema_text());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(InputError(msg)) => {
            eprintln!("gongkai: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Reads a report document; the error names the file and the field.
fn load(path: &Path) -> Result<Report> {
    let bytes =
        std::fs::read(path).map_err(|e| InputError(format!("无法读取 {}：{e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        InputError(format!(
            "{}：不是 UTF-8 编码的 JSON 文件。本命令读取 gongkai.annual-report/1 JSON；请先转换编码，或用 `gongkai report template` 生成模板后填写。",
            path.display()
        ))
    })?;
    json::from_str(&text).map_err(|e| InputError(format!("{}：{e}", path.display())))
}

fn metadata(m: &MetaArgs) -> Result<Metadata> {
    let published_on = match &m.published_on {
        None => None,
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                InputError(format!(
                    "--published-on “{d}” 无效，应写作 YYYY-MM-DD，如 2025-01-20"
                ))
            })?,
        ),
    };
    Ok(Metadata {
        agency_name: m.agency.clone(),
        agency_kind: m.kind.map(Into::into),
        year: m.year,
        published_on,
    })
}

/// Whether the bytes are JSON (a report document; published reports never start with `{`).
fn is_report_json(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .starts_with('{')
}

/// Reads a report: our JSON, or a published report (text, HTML, Word) read by the parser,
/// not yet validated.
fn load_any(path: &Path, meta: &Metadata) -> Result<Report> {
    let bytes =
        std::fs::read(path).map_err(|e| InputError(format!("无法读取 {}：{e}", path.display())))?;
    if is_report_json(&bytes) {
        return load(path);
    }
    parse::parse_unchecked(&bytes, meta).map_err(|e| InputError(format!("{}：{e}", path.display())))
}

/// Expands directories into the report files they contain (sorted, recursively).
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            collect(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
            matches!(
                x.to_ascii_lowercase().as_str(),
                "txt" | "htm" | "html" | "shtml" | "docx" | "pdf" | "json" | "md"
            )
        }) {
            out.push(p);
        }
    }
}

/// Progress on standard error while a batch runs (only on a terminal).
struct Progress {
    total: usize,
    on: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            on: total > 1 && std::io::stderr().is_terminal(),
        }
    }

    fn step(&self, n: usize, path: &Path) {
        if self.on {
            let width = 30;
            let done = n * width / self.total.max(1);
            let name = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name: String = name.chars().take(40).collect();
            eprint!(
                "\r[{}{}] {n}/{} {name:<40}",
                "#".repeat(done),
                " ".repeat(width - done),
                self.total
            );
        }
    }

    fn done(&self) {
        if self.on {
            eprint!("\r{}\r", " ".repeat(90));
        }
    }
}

fn rule_options(args: &RuleArgs) -> Result<(Jurisdiction, Vec<ComparisonText>, Profile)> {
    let mut j = Jurisdiction::default();
    for spec in &args.local_deadlines {
        j.local_deadlines.push(parse_deadline(spec)?);
    }
    j.s9_error = args.s9_error;
    j.overview_limit = args.overview_limit;
    let mut texts = Vec::new();
    for path in &args.compare {
        let r = load(path)?;
        texts.push(ComparisonText {
            name: format!(
                "{}{}年度报告",
                r.agency
                    .name
                    .clone()
                    .unwrap_or_else(|| path.display().to_string()),
                r.year
            ),
            text: format!(
                "{}\n{}",
                r.sections.get(SectionId::Overview).text,
                r.sections.get(SectionId::Problems).text
            ),
        });
    }
    let profile = if args.strict {
        Profile::Strict
    } else {
        Profile::Published
    };
    Ok((j, texts, profile))
}

fn parse_deadline(spec: &str) -> Result<LocalDeadline> {
    let bad = || {
        InputError(format!(
            "--local-deadline “{spec}” 无效；应写作 类别=月-日，如 department=01-20（类别：department、government、township、other）"
        ))
    };
    let (kind, date) = spec.split_once('=').ok_or_else(bad)?;
    let kind = AgencyKind::parse(kind.trim()).ok_or_else(bad)?;
    let (m, d) = date.trim().split_once('-').ok_or_else(bad)?;
    let (month, day): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    chrono::NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
    Ok(LocalDeadline { kind, month, day })
}

fn check(args: &CheckArgs) -> Result<ExitCode> {
    let meta = metadata(&args.meta)?;
    let previous = args
        .previous
        .as_deref()
        .map(|p| load_any(p, &meta))
        .transpose()?;
    let (jurisdiction, texts, profile) = rule_options(&args.rules)?;
    let files = expand(&args.files);
    let batch = files.len() > 1;
    let progress = Progress::new(files.len());
    let mut reports = Vec::new();
    let mut unreadable = Vec::new();
    for (n, path) in files.iter().enumerate() {
        progress.step(n + 1, path);
        let mut report = match load_any(path, &meta) {
            Ok(r) => r,
            Err(e) if batch => {
                unreadable.push((path.clone(), e.0));
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(p) = &previous
            && p.year != report.year - 1
        {
            return Err(InputError(format!(
                "--previous 应为{}年度的报告，但 {} 是{}年度的报告。",
                report.year - 1,
                args.previous
                    .as_deref()
                    .map(Path::display)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                p.year
            )));
        }
        let opts = Options {
            profile,
            previous: previous.as_ref(),
            comparison_texts: &texts,
            jurisdiction: jurisdiction.clone(),
            ..Options::default()
        };
        validate::check(&mut report, &opts);
        reports.push((path.clone(), report));
    }
    progress.done();
    let any_error = reports.iter().any(|(_, r)| r.has_errors());
    if args.json {
        print_json(&reports);
    } else {
        let mut out = String::new();
        for (path, r) in &reports {
            out.push_str(&describe(path, r));
        }
        if batch {
            out.push_str(&summary(&reports, &unreadable));
        }
        print!("{out}");
    }
    for (path, e) in &unreadable {
        eprintln!("gongkai: {}: {e}", path.display());
    }
    Ok(if !unreadable.is_empty() {
        ExitCode::from(2)
    } else if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_json(reports: &[(PathBuf, Report)]) {
    let text = if reports.len() == 1 {
        json::to_string_pretty(&reports[0].1)
    } else {
        let docs: Vec<serde_json::Value> = reports.iter().map(|(_, r)| json::to_value(r)).collect();
        serde_json::to_string_pretty(&docs).expect("documents serialise")
    };
    println!("{text}");
}

/// The summary table of a batch: file, agency, year, format, errors, warnings.
fn summary(reports: &[(PathBuf, Report)], unreadable: &[(PathBuf, String)]) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut rows: Vec<[String; 6]> = vec![[
        "文件".into(),
        "机关".into(),
        "年度".into(),
        "格式".into(),
        "错误".into(),
        "警告".into(),
    ]];
    for (path, r) in reports {
        let count = |s: Severity| {
            r.findings
                .iter()
                .filter(|f| f.severity == s)
                .count()
                .to_string()
        };
        rows.push([
            path.display().to_string(),
            r.agency.name.clone().unwrap_or_else(|| "—".into()),
            r.year.to_string(),
            r.format.as_str().into(),
            count(Severity::Error),
            count(Severity::Warning),
        ]);
    }
    for (path, _) in unreadable {
        rows.push([
            path.display().to_string(),
            "（无法读取）".into(),
            "—".into(),
            "—".into(),
            "—".into(),
            "—".into(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].width()).max().unwrap_or(0))
        .collect();
    let mut out = String::from("\n");
    for (n, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell}{}", " ".repeat(w - cell.width())))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(
                &widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  "),
            );
            out.push('\n');
        }
    }
    let errors = reports.iter().filter(|(_, r)| r.has_errors()).count();
    let _ = writeln!(
        out,
        "共 {} 份：{} 份有错误，{} 份无法读取。",
        reports.len() + unreadable.len(),
        errors,
        unreadable.len()
    );
    out
}

fn parse_cmd(args: &ParseArgs) -> Result<ExitCode> {
    let meta = metadata(&args.meta)?;
    let files = expand(&args.files);
    if args.show_text {
        for path in &files {
            let bytes = std::fs::read(path)
                .map_err(|e| InputError(format!("无法读取 {}：{e}", path.display())))?;
            let text = parse::extracted_text(&bytes)
                .map_err(|e| InputError(format!("{}：{e}", path.display())))?;
            println!("{text}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let batch = files.len() > 1;
    let progress = Progress::new(files.len());
    if let Some(dir) = &args.output {
        std::fs::create_dir_all(dir)
            .map_err(|e| InputError(format!("无法创建目录 {}：{e}", dir.display())))?;
    }
    let mut reports = Vec::new();
    let mut unreadable = Vec::new();
    for (n, path) in files.iter().enumerate() {
        progress.step(n + 1, path);
        match load_any(path, &meta) {
            Ok(mut r) => {
                validate::check(&mut r, &Options::default());
                if let Some(dir) = &args.output {
                    let stem = path
                        .file_stem()
                        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
                    let out = dir.join(format!("{stem}.json"));
                    std::fs::write(&out, json::to_string_pretty(&r) + "\n")
                        .map_err(|e| InputError(format!("无法写入 {}：{e}", out.display())))?;
                }
                reports.push((path.clone(), r));
            }
            Err(e) if batch => unreadable.push((path.clone(), e.0)),
            Err(e) => return Err(e),
        }
    }
    progress.done();
    if let Some(csv) = &args.csv {
        std::fs::write(csv, cells_csv(&reports))
            .map_err(|e| InputError(format!("无法写入 {}：{e}", csv.display())))?;
    }
    if args.json {
        print_json(&reports);
    } else if batch || args.output.is_some() || args.csv.is_some() {
        print!("{}", summary(&reports, &unreadable));
    } else {
        print!("{}", describe(&reports[0].0, &reports[0].1));
    }
    for (path, e) in &unreadable {
        eprintln!("gongkai: {}: {e}", path.display());
    }
    Ok(if unreadable.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Every cell of every report, for research: one line per cell, with the text as printed.
fn cells_csv(reports: &[(PathBuf, Report)]) -> String {
    let esc = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("file,agency,year,format,table,row,column,value,raw\n");
    for (path, r) in reports {
        for t in gongkai_report::TableId::ALL {
            let g = r.tables.grid(t);
            let def = g.def();
            for (ri, ci, v) in g.iter() {
                let ptr = g.pointer(ri, ci);
                let raw = r.cell_raw.get(&ptr).map_or("", String::as_str);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    esc(&path.display().to_string()),
                    esc(r.agency.name.as_deref().unwrap_or("")),
                    r.year,
                    r.format.as_str(),
                    t.id(),
                    def.rows[ri].id,
                    def.rows[ri].cols[ci].id,
                    v.map(gongkai_report::decimal::plain).unwrap_or_default(),
                    esc(raw)
                );
            }
        }
    }
    out
}

fn not_run_reason(r: gongkai_report::NotRunReason) -> &'static str {
    use gongkai_report::NotRunReason as R;
    match r {
        R::NoPreviousReport => "未提供上一年度报告（--previous）",
        R::FormatBoundary => "上一年度采用另一格式，无法比较",
        R::PublicationDateUnknown => "发布日期未知",
        R::AgencyKindUnknown => "机关类别未知",
        R::NoCaseRecords => "没有平台办件记录",
        R::NoComparisonTexts => "没有可比较的其他报告（--compare）",
        R::NoConstituents => "没有汇总所用的各单位报告",
    }
}

/// The human-readable findings list of one report.
fn describe(path: &Path, r: &Report) -> String {
    let mut out = String::new();
    let agency = r.agency.name.as_deref().unwrap_or("（未注明机关）");
    let _ = writeln!(
        out,
        "{}：{agency} {}年度报告（{}年格式）",
        path.display(),
        r.year,
        r.format.as_str()
    );
    for f in &r.findings {
        let _ = writeln!(
            out,
            "  {} {:<3} {}",
            f.severity.zh(),
            f.rule.as_str(),
            f.message_zh
        );
        if let Some(first) = f.cells.first() {
            let more = if f.cells.len() > 1 {
                format!(" 等{}个单元格", f.cells.len())
            } else {
                String::new()
            };
            let name = r.describe_cell(first).unwrap_or_else(|| first.clone());
            let _ = writeln!(out, "         位置：{name}{more}（{first}）");
        }
        for s in &f.suspects {
            let v = s
                .suggested
                .map(gongkai_report::decimal::plain)
                .unwrap_or_default();
            let name = r.describe_cell(&s.cell).unwrap_or_else(|| s.cell.clone());
            let _ = writeln!(
                out,
                "         疑似出错：{name}，改为 {v} 即可消除全部勾稽错误（{}）",
                s.cell
            );
        }
    }
    if !r.checks_not_run.is_empty() {
        let list: Vec<String> = r
            .checks_not_run
            .iter()
            .map(|n| format!("{}（{}）", n.rule.as_str(), not_run_reason(n.reason)))
            .collect();
        let _ = writeln!(out, "  未能检查：{}", list.join("、"));
    }
    let count = |s: Severity| r.findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "  合计：{} 个错误，{} 个警告，{} 个提示\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    out
}

/// Writes `bytes` to `output`, or to standard output when that is allowed.
fn emit(bytes: &[u8], output: Option<&Path>, binary: bool) -> Result<()> {
    if let Some(path) = output {
        return std::fs::write(path, bytes)
            .map_err(|e| InputError(format!("无法写入 {}：{e}", path.display())));
    }
    let stdout = std::io::stdout();
    if binary && stdout.is_terminal() {
        return Err(InputError(
            "docx/xlsx 是二进制文件，不能输出到终端；请用 -o 指定输出文件，如 -o 报告.docx".into(),
        ));
    }
    let mut lock = stdout.lock();
    lock.write_all(bytes)
        .and_then(|()| lock.flush())
        .map_err(|e| InputError(format!("无法写出结果：{e}")))
}

fn render_cmd(args: &RenderArgs) -> Result<ExitCode> {
    let mut report = load_any(&args.file, &metadata(&args.meta)?)?;
    validate::check(&mut report, &Options::default());
    let target: Target = args.to.into();
    let opts = RenderOptions {
        draft: args.draft,
        show_findings: !args.no_findings,
        signed_plus: !args.no_plus,
        other_rows_comma: args.other_rows_comma,
    };
    if matches!(args.to, RenderTarget::Pdf) {
        let nulls = render::null_cells(&report);
        if !args.draft && !nulls.is_empty() {
            return Err(InputError(format!(
                "{}：{}",
                args.file.display(),
                render::RenderError::NullCells(nulls)
            )));
        }
        let fonts = gongkai_docgen::load_fonts(args.font_dir.as_deref())
            .map_err(|e| InputError(e.to_string()))?;
        let pdf = gongkai_docgen::report_pdf(&report, &fonts)
            .map_err(|e| InputError(format!("{}：{e}", args.file.display())))?;
        emit(&pdf, args.output.as_deref(), true)?;
        return Ok(ExitCode::SUCCESS);
    }
    let bytes = render::render(&report, target, opts)
        .map_err(|e| InputError(format!("{}：{e}", args.file.display())))?;
    emit(&bytes, args.output.as_deref(), target.is_binary())?;
    Ok(ExitCode::SUCCESS)
}

fn compile_cmd(args: &CompileArgs) -> Result<ExitCode> {
    let mut loaded = Vec::new();
    for path in expand(&args.files) {
        loaded.push((
            path.display().to_string(),
            load_any(&path, &Metadata::default())?,
        ));
    }
    let named: Vec<Named<'_>> = loaded
        .iter()
        .map(|(n, r)| Named { name: n, report: r })
        .collect();
    let opts = CompileOptions {
        agency: Agency {
            name: args.agency.clone(),
            kind: args.kind.map(Into::into),
        },
        scope_note: args.scope_note.clone(),
        allow_errors: args.allow_errors,
    };
    let compiled = compile::compile(&named, &opts).map_err(|e| InputError(e.to_string()))?;
    let mut text = json::to_string_pretty(&compiled);
    text.push('\n');
    emit(text.as_bytes(), args.output.as_deref(), false)?;
    Ok(ExitCode::SUCCESS)
}

fn template(args: &TemplateArgs) -> Result<ExitCode> {
    let expected = Format::for_year(args.year).ok_or_else(|| {
        InputError(format!(
            "--year {}：统一格式适用于2019年度及以后的报告。",
            args.year
        ))
    })?;
    let format = match &args.format {
        None => expected,
        Some(f) => {
            let f = Format::parse(f)
                .ok_or_else(|| InputError(format!("--format “{f}” 无效，只能是 2019 或 2021")))?;
            if f != expected {
                return Err(InputError(format!(
                    "{}年度报告应使用{}年格式（{}），不能使用{}年格式。",
                    args.year,
                    expected.as_str(),
                    expected.document(),
                    f.as_str()
                )));
            }
            f
        }
    };
    let mut r = Report::template(format, args.year);
    r.agency = Agency {
        name: args.agency.clone(),
        kind: args.kind.map(Into::into),
    };
    println!("{}", json::to_string_pretty(&r));
    Ok(ExitCode::SUCCESS)
}
