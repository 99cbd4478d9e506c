//! The `gongkai` command line.
//!
//! `gongkai serve` runs the platform; `migrate`, `backup`, `restore`, `audit` and `admin` manage
//! it from the shell; `gongkai report …` checks, renders and compiles annual reports.

mod bench;
mod demo;
mod platform;
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
    /// 启动平台（默认 SQLite，数据在 ./gongkai-data） (run the platform)
    Serve(platform::ServeArgs),
    /// 基准测试数据：在空数据目录中直接写入大量已发布信息 (benchmark data; bypasses review)
    #[command(hide = true)]
    BenchSeed {
        #[command(flatten)]
        data: platform::DataArgs,
        #[arg(long, default_value_t = 1_000_000)]
        items: usize,
    },
    /// 把演示数据载入数据目录后退出（不启动服务） (load the demo data into a data directory)
    Demo {
        #[command(flatten)]
        data: platform::DataArgs,
        #[command(flatten)]
        files: platform::FileArgs,
    },
    /// 年度报告基准测试：在空数据库中生成数据，测量编制与汇总耗时 (annual-report benchmark)
    #[command(hide = true)]
    BenchReport {
        #[command(flatten)]
        data: platform::DataArgs,
        #[arg(long, default_value_t = 100_000)]
        applications: usize,
        #[arg(long, default_value_t = 200_000)]
        items: usize,
        #[arg(long, default_value_t = 1_000)]
        agencies: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// 从数据库重建本实例的全文检索索引 (rebuild this instance's search index)
    Reindex(platform::DataArgs),
    /// 执行数据库迁移后退出 (apply database migrations and exit)
    Migrate(platform::DataArgs),
    /// 在线备份 SQLite 数据库到文件 (consistent online SQLite snapshot)
    Backup {
        #[command(flatten)]
        data: platform::DataArgs,
        /// 备份文件路径（不会覆盖已有文件） (backup file; never overwritten)
        file: std::path::PathBuf,
    },
    /// 从备份文件恢复 SQLite 数据库（先停止服务） (restore from a backup; stop the server first)
    Restore {
        #[command(flatten)]
        data: platform::DataArgs,
        file: std::path::PathBuf,
        /// 数据目录已有数据库时仍恢复（原库改名保留） (replace an existing database, kept renamed)
        #[arg(long)]
        force: bool,
    },
    /// 审计日志 (audit log)
    #[command(subcommand)]
    Audit(platform::AuditCommand),
    /// 工作日历：计算期限、导入节假日安排 (the working-day calendar)
    #[command(subcommand)]
    Calendar(platform::CalendarCommand),
    /// 账号与机关管理 (accounts and agencies from the shell)
    #[command(subcommand)]
    Admin(platform::AdminCommand),
    /// 政府信息公开工作年度报告：检查、输出、汇总、模板 (annual reports)
    #[command(subcommand)]
    Report(report::ReportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => platform::serve(args),
        Command::Migrate(data) => platform::migrate(&data),
        Command::Reindex(data) => platform::reindex(&data),
        Command::Demo { data, files } => platform::demo_load(&data, &files),
        Command::BenchSeed { data, items } => bench::seed(&data, items),
        Command::BenchReport {
            data,
            applications,
            items,
            agencies,
            runs,
        } => bench::report(&data, applications, items, agencies, runs),
        Command::Backup { data, file } => platform::backup(&data, &file),
        Command::Restore { data, file, force } => platform::restore(&data, &file, force),
        Command::Audit(cmd) => platform::audit(cmd),
        Command::Admin(cmd) => platform::admin(cmd),
        Command::Calendar(cmd) => platform::calendar(cmd),
        Command::Report(cmd) => report::run(cmd),
    }
}
