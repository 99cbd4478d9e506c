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
use gongkai_report::render::{self, RenderOptions, Target};
use gongkai_report::validate::{
    self, ComparisonText, Jurisdiction, LocalDeadline, Options, Profile,
};
use gongkai_report::{Agency, AgencyKind, Format, Report, SectionId, Severity, json};

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
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
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 报告文件（gongkai.annual-report/1 JSON）
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
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
    /// 报告文件（gongkai.annual-report/1 JSON）
    #[arg(value_name = "FILE")]
    file: PathBuf,
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
            RenderTarget::Docx => Target::Docx,
        }
    }
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    /// 各单位的报告（同一年度、同一格式）
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
        ReportCommand::Check(a) => check(&a),
        ReportCommand::Render(a) => render_cmd(&a),
        ReportCommand::Compile(a) => compile_cmd(&a),
        ReportCommand::Template(a) => template(&a),
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
    let previous = args.previous.as_deref().map(load).transpose()?;
    let (jurisdiction, texts, profile) = rule_options(&args.rules)?;
    let mut reports = Vec::new();
    for path in &args.files {
        let mut report = load(path)?;
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
    let any_error = reports.iter().any(|(_, r)| r.has_errors());
    if args.json {
        let text = if reports.len() == 1 {
            json::to_string_pretty(&reports[0].1)
        } else {
            let docs: Vec<serde_json::Value> =
                reports.iter().map(|(_, r)| json::to_value(r)).collect();
            serde_json::to_string_pretty(&docs).expect("documents serialise")
        };
        println!("{text}");
    } else {
        let mut out = String::new();
        for (path, r) in &reports {
            out.push_str(&describe(path, r));
        }
        print!("{out}");
    }
    Ok(if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
    let report = load(&args.file)?;
    let target: Target = args.to.into();
    let opts = RenderOptions {
        draft: args.draft,
        show_findings: !args.no_findings,
        signed_plus: !args.no_plus,
        other_rows_comma: args.other_rows_comma,
    };
    let bytes = render::render(&report, target, opts)
        .map_err(|e| InputError(format!("{}：{e}", args.file.display())))?;
    emit(&bytes, args.output.as_deref(), target.is_binary())?;
    Ok(ExitCode::SUCCESS)
}

fn compile_cmd(args: &CompileArgs) -> Result<ExitCode> {
    let mut loaded = Vec::new();
    for path in &args.files {
        loaded.push((path.display().to_string(), load(path)?));
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
