//! Platform commands: serve, migrate, backup, restore, audit, admin, config.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use gongkai_domain::{Clock, SystemClock, UserId};
use gongkai_service::store::{self, Store};
use gongkai_service::{Actor, NewUser, Service, ServiceConfig, ServiceError};

use crate::demo;

/// Where the data lives: shared by every platform command.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// 数据目录：SQLite 数据库与附件 (data directory: SQLite database and files)
    #[arg(long, env = "GONGKAI_DATA", default_value = "./gongkai-data")]
    pub data: PathBuf,
    /// PostgreSQL 地址，如 postgres://gongkai@db/gongkai；不填则使用数据目录中的 SQLite
    /// (PostgreSQL URL; SQLite in the data directory when absent)
    #[arg(long, env = "GONGKAI_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DataArgs {
    /// The database URL: the PostgreSQL URL given, else the SQLite file of the data directory.
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| store::sqlite_url(&self.data))
    }

    fn ensure_dir(&self) -> Result<(), String> {
        std::fs::create_dir_all(&self.data)
            .map_err(|e| format!("无法创建数据目录 {}：{e}", self.data.display()))
    }

    /// Opens (and migrates) the database, with a message naming the file/URL and the cause.
    pub async fn open(&self) -> Result<Store, String> {
        self.ensure_dir()?;
        Store::open(&self.url()).await.map_err(|e| {
            format!(
                "{e}\n请检查数据库地址或文件权限；数据库文件：{}",
                self.describe()
            )
        })
    }

    fn describe(&self) -> String {
        match &self.database_url {
            Some(_) => "（PostgreSQL，见 --database-url）".to_owned(),
            None => store::sqlite_file(&self.data).display().to_string(),
        }
    }
}

/// Where attachment files live: the data directory's `files` folder, or an S3-compatible bucket
/// shared by several instances.
#[derive(Args, Debug, Clone)]
#[allow(clippy::struct_field_names)] // the field names are the `--s3-*` flags
pub struct FileArgs {
    /// 附件改存于 S3 兼容对象存储的此存储桶（阿里云 OSS、腾讯云 COS、华为云 OBS、MinIO 等），多个实例共用；
    /// 不填则存于数据目录的 files 文件夹。访问密钥只从环境变量 GONGKAI_S3_ACCESS_KEY_ID、
    /// GONGKAI_S3_SECRET_ACCESS_KEY 读取 (S3-compatible bucket for attachments)
    #[arg(long, env = "GONGKAI_S3_BUCKET", value_name = "BUCKET")]
    pub s3_bucket: Option<String>,
    /// 对象存储地址，如 https://oss-cn-beijing.aliyuncs.com、http://minio.internal:9000；不填则为 AWS
    /// (endpoint URL)
    #[arg(
        long,
        env = "GONGKAI_S3_ENDPOINT",
        value_name = "URL",
        requires = "s3_bucket"
    )]
    pub s3_endpoint: Option<String>,
    /// 对象存储区域，如 oss-cn-beijing、ap-beijing；MinIO 一般为 us-east-1 (region)
    #[arg(long, env = "GONGKAI_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// 存储桶内的路径前缀，如 gongkai/files (key prefix inside the bucket)
    #[arg(long, env = "GONGKAI_S3_PREFIX", default_value = "")]
    pub s3_prefix: String,
    /// 以“存储桶名.地址”形式访问（阿里云 OSS、腾讯云 COS 要求此形式；MinIO 不需要）
    /// (virtual-hosted-style requests)
    #[arg(long, env = "GONGKAI_S3_VIRTUAL_HOSTED")]
    pub s3_virtual_hosted: bool,
}

impl FileArgs {
    /// Opens the file storage; a bucket is checked (one small write and read) before use.
    pub async fn open(&self, data: &Path) -> Result<gongkai_service::FileStore, String> {
        let Some(bucket) = &self.s3_bucket else {
            return gongkai_service::FileStore::local(&data.join("files"));
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let store = gongkai_service::FileStore::s3(&gongkai_service::S3Config {
            bucket: bucket.clone(),
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            prefix: self.s3_prefix.clone(),
            access_key_id: env("GONGKAI_S3_ACCESS_KEY_ID"),
            secret_access_key: env("GONGKAI_S3_SECRET_ACCESS_KEY"),
            virtual_hosted: self.s3_virtual_hosted,
        })?;
        store.check().await?;
        Ok(store)
    }
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub files: FileArgs,
    /// 监听地址 (listen address)
    #[arg(long, env = "GONGKAI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// 对外访问地址，用于一次性链接，如 https://gk.example.gov.cn；以 https 开头时 Cookie 带 Secure
    /// (public address for links; https → Secure cookies)
    #[arg(long, env = "GONGKAI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// 位于反向代理之后：从 X-Forwarded-For 取客户端地址 (behind a reverse proxy that sets X-Forwarded-For)
    #[arg(long, env = "GONGKAI_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// 载入演示数据（示例市人民政府），并打印演示账号 (load the demo jurisdiction and print its logins)
    #[arg(long)]
    pub demo: bool,
    /// 发送依申请公开期限提醒邮件的 SMTP 服务器，如 smtp://relay.example.gov.cn:25、
    /// smtps://用户:密码@主机:465 (SMTP server for reminder e-mail)
    #[arg(long, env = "GONGKAI_SMTP_URL", requires = "smtp_from")]
    pub smtp_url: Option<String>,
    /// 提醒邮件的发件地址 (sender address of reminder e-mail)
    #[arg(long, env = "GONGKAI_SMTP_FROM", requires = "smtp_url")]
    pub smtp_from: Option<String>,
    /// 年度报告 PDF 用的字体目录（本机关有授权的公文字体，如方正小标宋简体、仿宋_GB2312），之后再查找系统的中文字体
    /// (folder of licensed 公文 fonts for PDF output; system CJK fonts are used after it)
    #[arg(long, env = "GONGKAI_FONT_DIR", value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// 校验审计日志哈希链，报告第一处被改动、插入或删除的记录 (verify the hash chain)
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// 此前抄录的锚点“序号:哈希值” (an anchor recorded earlier, SEQ:HASH)
        #[arg(long)]
        anchor: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// 列出全部账号 (list accounts)
    ListUsers {
        #[command(flatten)]
        data: DataArgs,
    },
    /// 新建账号并打印一次性设置密码链接 (create an account; prints its one-time link)
    CreateUser {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// 姓名 (display name)
        #[arg(long)]
        name: String,
        /// 所属机关全称 (agency name)
        #[arg(long)]
        agency: String,
        /// 处室名称 (division name)
        #[arg(long)]
        division: Option<String>,
        /// 角色，可多次：drafter division_head leader office supervisor admin（或中文名称）
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// 重置密码：原密码立即失效，打印一次性链接 (reset a password; prints a one-time link)
    ResetPassword {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
    /// 停用账号 (disable an account)
    Disable {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
    /// 启用账号 (enable an account)
    Enable {
        #[command(flatten)]
        data: DataArgs,
        username: String,
    },
    /// 新建机关 (create an agency)
    CreateAgency {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        name: String,
        /// government（人民政府）| department（政府部门）| other
        #[arg(long, default_value = "department")]
        kind: String,
        /// 上级机关全称；不填则为顶级机关 (parent agency name)
        #[arg(long)]
        parent: Option<String>,
    },
    /// 站点尚无管理员时，打印新的一次性初始化链接 (print a fresh setup link)
    SetupLink {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, env = "GONGKAI_PUBLIC_URL")]
        public_url: Option<String>,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动运行时：{e}"))
}

fn finish(r: Result<ExitCode, String>) -> ExitCode {
    match r {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("错误：{msg}");
            ExitCode::from(2)
        }
    }
}

fn service(store: Store) -> Service {
    Service::new(store, Arc::new(SystemClock), ServiceConfig::default())
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

fn base_url(public_url: Option<&str>, listen: Option<SocketAddr>) -> String {
    match (public_url, listen) {
        (Some(u), _) => u.trim_end_matches('/').to_owned(),
        (None, Some(a)) => format!("http://{a}"),
        (None, None) => "http://本站地址".to_owned(),
    }
}

// ---- serve -----------------------------------------------------------------------------------

pub fn serve(args: ServeArgs) -> ExitCode {
    init_tracing();
    finish(runtime().and_then(|rt| rt.block_on(serve_async(args))))
}

async fn serve_async(args: ServeArgs) -> Result<ExitCode, String> {
    let store = args.data.open().await?;
    let (index, fresh) =
        gongkai_service::search_index::SearchIndex::open(&args.data.data.join("search-index"))
            .map_err(|e| {
                format!("{e}（可删除数据目录中的 search-index 后重试，它会从数据库重建）")
            })?;
    let smtp = match (&args.smtp_url, &args.smtp_from) {
        (Some(url), Some(from)) => {
            let c = gongkai_service::SmtpConfig {
                url: url.clone(),
                from: from.clone(),
            };
            c.check()?;
            Some(c)
        }
        _ => None,
    };
    let files = args.files.open(&args.data.data).await?;
    let files_place = files.description().to_owned();
    let config = ServiceConfig {
        files: Some(files),
        smtp,
        font_dir: args.font_dir.clone(),
        ..ServiceConfig::default()
    };
    let svc =
        Service::new(store.clone(), Arc::new(SystemClock), config).with_search(Arc::new(index));
    svc.ensure_standard_columns()
        .await
        .map_err(|e| service_message(&e))?;
    svc.ensure_calendar_seeded()
        .await
        .map_err(|e| service_message(&e))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            format!(
                "无法监听 {}：{e}（端口被占用？可用 --listen 指定其他地址）",
                args.listen
            )
        })?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let base = base_url(args.public_url.as_deref(), Some(local));
    if args.demo {
        let logins = demo::ensure(&svc, &args.data.data).await?;
        println!("演示数据已载入（示例市人民政府）。演示账号（仅供体验，勿用于正式环境）：");
        for l in &logins {
            println!("  {l}");
        }
    }
    if let Some(token) = svc.issue_setup_token().await.map_err(|e| e.to_string())? {
        println!(
            "本站尚无系统管理员。请在浏览器中打开下面的一次性链接创建第一位系统管理员（72 小时内有效）："
        );
        println!("  {base}/setup/{token}");
    }
    // The search index is this instance's cache: rebuilt when new, then kept in step.
    let indexed = if fresh {
        svc.reindex().await
    } else {
        svc.sync_search().await
    }
    .map_err(|e| service_message(&e))?;
    if fresh {
        println!("全文检索索引已建立（{indexed} 条信息）");
    }
    println!(
        "gongkai 已启动：{base}/ （数据库：{}；附件：{}）",
        store.display_url(),
        files_place
    );
    let purge = svc.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_mins(10)).await;
            if let Err(e) = purge.purge_sessions().await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    // Scheduled publication, search-index sync (changes made by other instances), application
    // reminders and year-end carry-over records.
    let jobs = svc.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            if let Err(e) = jobs.publish_scheduled().await {
                tracing::warn!(error = %e, "scheduled publication failed");
            }
            if let Err(e) = jobs.sync_search().await {
                tracing::warn!(error = %e, "search sync failed");
            }
            if let Err(e) = jobs.run_application_jobs().await {
                tracing::warn!(error = %e, "application reminders failed");
            }
        }
    });
    let config = gongkai_web::WebConfig {
        secure_cookies: args
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        public_url: Some(base),
        trust_proxy: args.trust_proxy,
    };
    gongkai_web::serve(listener, gongkai_web::AppState::new(svc, config))
        .await
        .map_err(|e| format!("服务中止：{e}"))?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

// ---- migrate, backup, restore ----------------------------------------------------------------

pub fn migrate(data: &DataArgs) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            let store = data.open().await?;
            let svc = service(store.clone());
            let n = svc
                .ensure_standard_columns()
                .await
                .map_err(|e| service_message(&e))?;
            svc.ensure_calendar_seeded()
                .await
                .map_err(|e| service_message(&e))?;
            println!("数据库已是最新结构：{}", store.display_url());
            if n > 0 {
                println!("已为尚无标准栏目的机关建立“政府信息公开”栏目（共 {n} 个栏目）");
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        })
    }))
}

pub fn backup(data: &DataArgs, file: &Path) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            if data
                .database_url
                .as_deref()
                .is_some_and(|u| u.starts_with("postgres"))
            {
                return Err(POSTGRES_BACKUP.to_owned());
            }
            if !store::sqlite_file(&data.data).exists() {
                return Err(format!(
                    "数据目录 {} 中没有数据库（gongkai.db）",
                    data.data.display()
                ));
            }
            let store = data.open().await?;
            store
                .sqlite_snapshot(file)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            // Check the copy: it opens, and its audit chain verifies.
            let copy = Store::connect(&format!("sqlite://{}?mode=ro", file.display()))
                .await
                .map_err(|e| format!("备份文件无法打开：{e}"))?;
            let report = copy
                .verify_audit_chain(None)
                .await
                .map_err(|e| e.to_string())?;
            copy.close().await;
            println!(
                "已备份到 {}（在线一致性快照；审计日志 {} 条{}）",
                file.display(),
                report.rows,
                if report.first_break.is_some() {
                    "，注意：哈希链校验未通过"
                } else {
                    "，哈希链校验通过"
                }
            );
            Ok(ExitCode::SUCCESS)
        })
    }))
}

const POSTGRES_BACKUP: &str = "PostgreSQL 数据库请用 pg_dump 备份，例如：\n  pg_dump --format=custom --file=gongkai-$(date +%F).dump \"$GONGKAI_DATABASE_URL\"\n恢复：\n  pg_restore --clean --if-exists --dbname=\"$GONGKAI_DATABASE_URL\" gongkai-YYYY-MM-DD.dump\n（详见 README 的“备份与恢复”一节）";

pub fn restore(data: &DataArgs, file: &Path, force: bool) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            if data.database_url.is_some() {
                return Err(POSTGRES_BACKUP.to_owned());
            }
            if !file.is_file() {
                return Err(format!("备份文件 {} 不存在", file.display()));
            }
            // The backup must be a gongkai database: it opens, has our tables, its chain verifies.
            let probe = Store::connect(&format!("sqlite://{}?mode=ro", file.display()))
                .await
                .map_err(|e| format!("{} 不是可用的 SQLite 数据库：{e}", file.display()))?;
            let report = probe
                .verify_audit_chain(None)
                .await
                .map_err(|_| format!("{} 不是 gongkai 的备份（缺少审计日志表）", file.display()))?;
            probe.close().await;
            if let Some(b) = &report.first_break {
                return Err(format!("备份文件的审计日志校验未通过：{}；拒绝恢复", b.message()));
            }
            data.ensure_dir()?;
            let target = store::sqlite_file(&data.data);
            if target.exists() {
                if !force {
                    return Err(format!(
                        "数据目录中已有数据库 {}。请先停止 gongkai serve，再加 --force 恢复；现有数据库会被改名保留，不会删除",
                        target.display()
                    ));
                }
                let stamp = SystemClock.now().format("%Y%m%d%H%M%S").to_string();
                for suffix in ["", "-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{suffix}", target.display()));
                    if from.exists() {
                        let to = PathBuf::from(format!("{}.before-restore-{stamp}{suffix}", target.display()));
                        std::fs::rename(&from, &to).map_err(|e| format!("无法保留现有数据库 {}：{e}", from.display()))?;
                    }
                }
                println!("现有数据库已改名保留为 {}.before-restore-{stamp}", target.display());
            }
            std::fs::copy(file, &target).map_err(|e| format!("无法复制备份到 {}：{e}", target.display()))?;
            let store = data.open().await?;
            store.close().await;
            println!("已从 {} 恢复（审计日志 {} 条，哈希链校验通过）。现在可以启动 gongkai serve。", file.display(), report.rows);
            Ok(ExitCode::SUCCESS)
        })
    }))
}

// ---- audit -------------------------------------------------------------------------------------

pub fn audit(cmd: AuditCommand) -> ExitCode {
    let AuditCommand::Verify { data, anchor } = cmd;
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            let anchor = match anchor {
                Some(a) => Some(gongkai_domain::audit::parse_anchor(&a)?),
                None => None,
            };
            let store = data.open().await?;
            let report = store
                .verify_audit_chain(anchor)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            match &report.first_break {
                None => {
                    println!("校验通过：{} 条记录，哈希链完整。", report.rows);
                    if let Some(h) = &report.head {
                        println!("当前锚点（请抄录在数据库之外）：{h}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!("校验未通过：{}", b.message());
                    Ok(ExitCode::from(1))
                }
            }
        })
    }))
}

// ---- admin -------------------------------------------------------------------------------------

async fn user_id(svc: &Service, username: &str) -> Result<UserId, String> {
    svc.store()
        .user_by_username(&username.trim().to_ascii_lowercase())
        .await
        .map_err(|e| e.to_string())?
        .map(|u| u.id)
        .ok_or_else(|| {
            format!("没有用户名为“{username}”的账号（gongkai admin list-users 可列出全部）")
        })
}

fn service_message(e: &ServiceError) -> String {
    match e {
        ServiceError::Invalid(v) => v
            .iter()
            .map(|f| format!("{}：{}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("；"),
        ServiceError::Store(inner) => inner.to_string(),
        ServiceError::Internal(inner) => inner.clone(),
        e => e.to_string(),
    }
}

pub fn admin(cmd: AdminCommand) -> ExitCode {
    finish(runtime().and_then(|rt| rt.block_on(admin_async(cmd))))
}

async fn admin_async(cmd: AdminCommand) -> Result<ExitCode, String> {
    let actor = Actor::System;
    let link_hint = "（链接以本站对外地址开头，例如 https://本站域名/account/password/…）";
    match cmd {
        AdminCommand::ListUsers { data } => {
            let svc = service(data.open().await?);
            let agencies = svc.store().agencies().await.map_err(|e| e.to_string())?;
            let users = svc.store().users().await.map_err(|e| e.to_string())?;
            println!(
                "{:<20} {:<10} {:<24} {:<24} 状态",
                "用户名", "姓名", "机关", "角色"
            );
            for u in users {
                let agency = agencies
                    .iter()
                    .find(|a| a.id == u.agency_id)
                    .map_or("", |a| a.name.as_str());
                let roles: Vec<_> = u.roles.iter().map(|r| r.label()).collect();
                let state = if u.disabled {
                    "已停用"
                } else if u.has_password {
                    "正常"
                } else {
                    "待设置密码"
                };
                println!(
                    "{:<20} {:<10} {:<24} {:<24} {state}",
                    u.username,
                    u.display_name,
                    agency,
                    roles.join("、")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::CreateUser {
            data,
            username,
            name,
            agency,
            division,
            roles,
        } => {
            let svc = service(data.open().await?);
            let a = svc
                .store()
                .agency_by_name(agency.trim())
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("没有名为“{agency}”的机关"))?;
            let division_id = match division {
                Some(d) => Some(
                    svc.store()
                        .divisions(a.id)
                        .await
                        .map_err(|e| e.to_string())?
                        .into_iter()
                        .find(|x| x.name == d.trim())
                        .ok_or_else(|| format!("机关“{}”没有名为“{d}”的处室", a.name))?
                        .id
                        .0,
                ),
                None => None,
            };
            let (user, token) = svc
                .create_user(
                    &actor,
                    &NewUser {
                        username,
                        display_name: name,
                        agency_id: a.id.0,
                        division_id,
                        roles,
                    },
                )
                .await
                .map_err(|e| service_message(&e))?;
            println!(
                "已建立账号 {}。请把一次性设置密码链接交给本人{link_hint}：",
                user.username
            );
            println!("  /account/password/{token}");
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::ResetPassword { data, username } => {
            let svc = service(data.open().await?);
            let id = user_id(&svc, &username).await?;
            let token = svc
                .reset_password(&actor, id)
                .await
                .map_err(|e| service_message(&e))?;
            println!(
                "账号 {username} 的原密码已失效、登录已全部退出。一次性设置密码链接{link_hint}："
            );
            println!("  /account/password/{token}");
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::Disable { data, username } => set_disabled(&data, &username, true).await,
        AdminCommand::Enable { data, username } => set_disabled(&data, &username, false).await,
        AdminCommand::CreateAgency {
            data,
            name,
            kind,
            parent,
        } => {
            let svc = service(data.open().await?);
            let parent_id = match parent {
                Some(p) => Some(
                    svc.store()
                        .agency_by_name(p.trim())
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("没有名为“{p}”的上级机关"))?
                        .id,
                ),
                None => None,
            };
            let a = svc
                .create_agency(&actor, parent_id, &name, &kind)
                .await
                .map_err(|e| service_message(&e))?;
            println!("已建立机关 {}（编号 {}）", a.name, a.id);
            Ok(ExitCode::SUCCESS)
        }
        AdminCommand::SetupLink { data, public_url } => {
            let svc = service(data.open().await?);
            match svc.issue_setup_token().await.map_err(|e| service_message(&e))? {
                Some(token) => {
                    println!("一次性初始化链接（72 小时内有效）：");
                    println!("  {}/setup/{token}", base_url(public_url.as_deref(), None));
                    Ok(ExitCode::SUCCESS)
                }
                None => Err("本站已有系统管理员，无需初始化；忘记密码请用 gongkai admin reset-password 用户名".into()),
            }
        }
    }
}

async fn set_disabled(data: &DataArgs, username: &str, disabled: bool) -> Result<ExitCode, String> {
    let svc = service(data.open().await?);
    let id = user_id(&svc, username).await?;
    svc.set_user_disabled(&Actor::System, id, disabled)
        .await
        .map_err(|e| service_message(&e))?;
    println!(
        "账号 {username} 已{}",
        if disabled {
            "停用，其登录已全部退出"
        } else {
            "启用"
        }
    );
    Ok(ExitCode::SUCCESS)
}

// ---- calendar ----------------------------------------------------------------------------------

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// 打印 DATE 之后第 N 个工作日（DATE 当天不计），格式 YYYY-MM-DD
    /// (the N-th working day after DATE, DATE itself not counted)
    AddWorkingDays {
        #[command(flatten)]
        data: DataArgs,
        /// YYYY-MM-DD
        date: String,
        n: u32,
        /// 起算日为工作日时计入（默认不计入） (count DATE itself when it is a working day)
        #[arg(long)]
        count_trigger_day: bool,
        /// 尚未载入通知的年份只按周末计算（默认另计元旦、劳动节、国庆节的法定日期）
        /// (provisional years: weekends only, without the fixed-date holidays)
        #[arg(long)]
        weekends_only: bool,
    },
    /// 打印 yes（工作日）或 no (whether DATE is a working day)
    IsWorkingDay {
        #[command(flatten)]
        data: DataArgs,
        /// YYYY-MM-DD
        date: String,
    },
    /// 导入节假日安排（TSV：date<TAB>kind<TAB>name），文件中的年份整体替换
    /// (import a TSV; each year in the file replaces that year)
    Import {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
        /// 依据：通知名称和文号 (the notice: title and number)
        #[arg(long)]
        source: String,
        /// 改动已过去的日期时的理由 (reason, required when past dates change)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 列出已载入的年份与导入记录 (years loaded and the import history)
    Show {
        #[command(flatten)]
        data: DataArgs,
    },
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日期“{s}”应写作 YYYY-MM-DD，例如 2026-02-13"))
}

/// The calendar of the data directory's database, or the shipped one when there is none yet.
async fn calendar_of(data: &DataArgs) -> Result<gongkai_domain::WorkingCalendar, String> {
    if data.database_url.is_none() && !store::sqlite_file(&data.data).exists() {
        return Ok(gongkai_domain::WorkingCalendar::shipped());
    }
    let svc = service(data.open().await?);
    svc.ensure_calendar_seeded()
        .await
        .map_err(|e| service_message(&e))?;
    let cal = svc.calendar().await.map_err(|e| service_message(&e))?;
    svc.store().close().await;
    Ok(cal)
}

pub fn calendar(cmd: CalendarCommand) -> ExitCode {
    finish(runtime().and_then(|rt| rt.block_on(calendar_async(cmd))))
}

async fn calendar_async(cmd: CalendarCommand) -> Result<ExitCode, String> {
    use chrono::Datelike;
    match cmd {
        CalendarCommand::AddWorkingDays {
            data,
            date,
            n,
            count_trigger_day,
            weekends_only,
        } => {
            let d = parse_date(&date)?;
            if n > gongkai_domain::calendar::MAX_WORKING_DAYS {
                return Err(format!(
                    "N 最大为 {}",
                    gongkai_domain::calendar::MAX_WORKING_DAYS
                ));
            }
            let cal = calendar_of(&data)
                .await?
                .with_provisional_fixed_holidays(!weekends_only);
            let due = cal
                .add_working_days(d, n, count_trigger_day)
                .ok_or("日期超出可计算范围")?;
            println!("{}", due.format("%Y-%m-%d"));
            let uncovered: Vec<i32> = (d.year()..=due.year())
                .filter(|y| !cal.covers(*y))
                .collect();
            if !uncovered.is_empty() {
                eprintln!(
                    "注意：尚未载入 {} 年的节假日安排，结果按周末和元旦、劳动节、国庆节的法定日期计算，为暂定期限；载入当年通知后请重新计算（gongkai calendar import）",
                    uncovered
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("、")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::IsWorkingDay { data, date } => {
            let d = parse_date(&date)?;
            let cal = calendar_of(&data).await?;
            println!("{}", if cal.is_working_day(d) { "yes" } else { "no" });
            if !cal.covers(d.year()) {
                eprintln!(
                    "注意：尚未载入 {} 年的节假日安排，按周末和元旦、劳动节、国庆节的法定日期判断",
                    d.year()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Import {
            data,
            file,
            source,
            reason,
        } => {
            let text =
                std::fs::read(&file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
            let text = String::from_utf8(text)
                .map_err(|_| format!("{} 不是 UTF-8 文本（请另存为 UTF-8）", file.display()))?;
            let svc = service(data.open().await?);
            svc.ensure_calendar_seeded()
                .await
                .map_err(|e| service_message(&e))?;
            let r = svc
                .import_calendar(&Actor::System, &text, &source, &reason)
                .await
                .map_err(|e| match e {
                    ServiceError::Invalid(v) => v
                        .into_iter()
                        .map(|f| f.message)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    e => service_message(&e),
                })?;
            for w in &r.warnings {
                eprintln!("提示：第 {} 行：{}", w.line, w.message);
            }
            println!(
                "已导入 {} 行，替换 {} 年的节假日安排（导入记录 {}）；{} 件在办申请的答复期限已重新计算并记录。",
                r.rows,
                r.years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("、"),
                r.revision,
                r.recomputed
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Show { data } => {
            let svc = service(data.open().await?);
            svc.ensure_calendar_seeded()
                .await
                .map_err(|e| service_message(&e))?;
            for r in svc
                .calendar_revisions()
                .await
                .map_err(|e| service_message(&e))?
            {
                println!(
                    "#{} {} 年份 {} 共 {} 行 由 {}：{}{}",
                    r.id,
                    ms_date(r.at),
                    r.years,
                    r.rows,
                    r.actor,
                    r.source,
                    if r.reason.is_empty() {
                        String::new()
                    } else {
                        format!("（理由：{}）", r.reason)
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn ms_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&gongkai_domain::beijing())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

// ---- reindex -----------------------------------------------------------------------------------

pub fn reindex(data: &DataArgs) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            let store = data.open().await?;
            let (index, _) = gongkai_service::search_index::SearchIndex::open(&data.data.join("search-index"))
                .map_err(|e| format!("{e}（若 gongkai serve 正在运行，请先停止；每个实例在自己的数据目录中有一份索引）"))?;
            let svc = service(store).with_search(Arc::new(index));
            let n = svc.reindex().await.map_err(|e| service_message(&e))?;
            println!("全文检索索引已重建：{n} 条已发布信息（{}）", data.data.join("search-index").display());
            Ok(ExitCode::SUCCESS)
        })
    }))
}

// ---- demo, report generate ----------------------------------------------------------------------

/// `gongkai demo --data DIR`: the demo data of `serve --demo`, without serving.
pub fn demo_load(data: &DataArgs, files: &FileArgs) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            let store = data.open().await?;
            let (index, _) =
                gongkai_service::search_index::SearchIndex::open(&data.data.join("search-index"))
                    .map_err(|e| format!("{e}（若 gongkai serve 正在运行，请先停止）"))?;
            let config = ServiceConfig {
                files: Some(files.open(&data.data).await?),
                ..ServiceConfig::default()
            };
            let svc = Service::new(store.clone(), Arc::new(SystemClock), config)
                .with_search(Arc::new(index));
            svc.ensure_standard_columns()
                .await
                .map_err(|e| service_message(&e))?;
            svc.ensure_calendar_seeded()
                .await
                .map_err(|e| service_message(&e))?;
            let logins = demo::ensure(&svc, &data.data).await?;
            println!(
                "演示数据已载入 {}（{}）。演示账号：",
                data.data.display(),
                store.display_url()
            );
            for l in &logins {
                println!("  {l}");
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        })
    }))
}

/// Arguments of `gongkai report generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// 机关名称（与平台中登记的名称一致） (the agency's name as registered)
    #[arg(long)]
    pub agency: String,
    /// 报告年度 (report year)
    #[arg(long)]
    pub year: i32,
    /// 输出报告 JSON（gongkai.annual-report/1，含检查结果） (print the JSON document)
    #[arg(long)]
    pub json: bool,
}

/// `gongkai report generate`: the report of an agency's year compiled from the platform's data.
/// Exit status 1 when the report has hard errors.
pub fn generate(args: &GenerateArgs) -> ExitCode {
    finish(runtime().and_then(|rt| {
        rt.block_on(async {
            let store = args.data.open().await?;
            let svc = service(store.clone());
            let Some(agency) = store
                .agency_by_name(args.agency.trim())
                .await
                .map_err(|e| e.to_string())?
            else {
                let names: Vec<String> = store
                    .agencies()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|a| a.name)
                    .collect();
                return Err(format!(
                    "没有名为“{}”的机关。已登记的机关：{}",
                    args.agency.trim(),
                    if names.is_empty() {
                        "（无）".to_owned()
                    } else {
                        names.join("、")
                    }
                ));
            };
            let c = svc
                .compile_annual_report(&Actor::System, agency.id, args.year)
                .await
                .map_err(|e| service_message(&e))?;
            let target = if args.json {
                gongkai_report::render::Target::Json
            } else {
                gongkai_report::render::Target::Text
            };
            let opts = gongkai_report::render::RenderOptions {
                draft: true,
                ..Default::default()
            };
            let out = gongkai_report::render::render(&c.report, target, opts)
                .map_err(|e| e.to_string())?;
            print!("{}", String::from_utf8_lossy(&out));
            store.close().await;
            Ok(if c.hard_errors() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        })
    }))
}
