//! The `gongkai` command line.
//!
//! Today: `gongkai report …` (check, render, compile, template, schema) over the
//! `gongkai.annual-report/1` JSON documents of `gongkai-report`. The platform commands
//! (`serve`, `migrate`, `admin`, …) join as their crates land.

mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gongkai — 政府信息公开平台与年度报告工具
#[derive(Parser, Debug)]
#[command(
    name = "gongkai",
    version,
    about = "政府信息公开平台与年度报告工具 (government information disclosure platform)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 政府信息公开工作年度报告：检查、输出、汇总、模板 (annual reports)
    #[command(subcommand)]
    Report(report::ReportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Report(cmd) => report::run(cmd),
    }
}
