//! `gongkai bench-seed`: fills an empty data directory with many published items for the portal
//! benchmark (`scripts/bench-portal.sh`). It writes rows directly, bypassing review and audit —
//! a benchmark tool, refused on a database that already has agencies.

use std::process::ExitCode;
use std::sync::Arc;

use gongkai_domain::{AgencyId, Role, SystemClock};
use gongkai_service::search_index::{SearchDoc, SearchIndex};
use gongkai_service::store::testing::{BulkItem, bulk_published_items};
use gongkai_service::store::{ItemContent, User};
use gongkai_service::{Actor, NewUser, PublicItem, Service, ServiceConfig};

use crate::platform::DataArgs;

const SUBJECTS: [&str; 12] = [
    "安全生产",
    "防汛防台",
    "应急演练",
    "森林防火",
    "危险化学品",
    "消防安全",
    "地质灾害",
    "救灾物资",
    "应急预案",
    "隐患排查",
    "执法检查",
    "宣传培训",
];
const VERBS: [&str; 8] = [
    "关于开展",
    "关于加强",
    "关于做好",
    "关于印发",
    "市应急管理局部署",
    "全市推进",
    "关于公布",
    "关于调整",
];
const TAILS: [&str; 6] = [
    "工作的通知",
    "专项行动的实施方案",
    "情况的通报",
    "工作要点",
    "结果的公告",
    "名单的公示",
];
const TOPICS: [&str; 4] = [
    "综合政务\\应急管理",
    "市场监管、安全生产监管\\安全生产监管",
    "城乡建设、环境保护\\气象、水文、测绘、地震",
    "民政、扶贫、救灾\\减灾救灾",
];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as usize
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.next() % v.len()]
    }
}

/// The drafter the generated items are credited to.
async fn drafter(svc: &Service, agency: AgencyId) -> Result<User, String> {
    svc.create_user(
        &Actor::System,
        &NewUser {
            username: "bench".into(),
            display_name: "基准".into(),
            agency_id: agency.0,
            division_id: None,
            roles: vec![Role::Drafter.id().into()],
        },
    )
    .await
    .map(|(u, _)| u)
    .map_err(|e| e.to_string())
}

pub fn seed(data: &DataArgs, items: usize) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(seed_async(data, items)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

async fn seed_async(data: &DataArgs, n: usize) -> Result<(), String> {
    let store = data.open().await?;
    if !store
        .agencies()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("bench-seed 只用于空的数据目录（它绕过审核直接写入数据）".into());
    }
    let svc = Service::new(
        store.clone(),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    );
    let sys = Actor::System;
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let agency = svc
        .create_agency(&sys, None, "基准测试市应急管理局", "department")
        .await
        .map_err(msg)?;
    let column = svc
        .create_column(&sys, agency.id, None, "新闻动态", "news", None)
        .await
        .map_err(msg)?;
    let user = drafter(&svc, agency.id).await?;
    let (index, _) =
        SearchIndex::open(&data.data.join("search-index")).map_err(|e| e.to_string())?;
    index.rebuild(&[]).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start_ms: i64 = 1_704_067_200_000; // 2024-01-01
    let batch = 2_000;
    let mut done = 0;
    while done < n {
        let k = batch.min(n - done);
        let mut rows = Vec::with_capacity(k);
        for j in 0..k {
            let seq = done + j + 1;
            let subject = rng.pick(&SUBJECTS);
            let title = format!(
                "{}{}{}（第{seq}号）",
                rng.pick(&VERBS),
                subject,
                rng.pick(&TAILS)
            );
            let body = format!(
                "<p>为进一步做好{subject}工作，根据有关规定，结合本市实际，现就有关事项通知如下。</p><p>一、提高认识，加强{}和{}工作的统筹。</p><p>二、落实责任，确保各项措施落到实处。</p>",
                rng.pick(&SUBJECTS),
                rng.pick(&SUBJECTS)
            );
            let at = start_ms + (seq as i64) * 60_000;
            rows.push(BulkItem {
                agency_id: agency.id.0,
                column_id: column.id.0,
                drafter_id: user.id.0,
                content: ItemContent {
                    column_id: column.id.0,
                    title,
                    summary: format!("部署{subject}相关工作。"),
                    body,
                    publisher: agency.name.clone(),
                    generated_on: "2024-01-01".into(),
                    topic: rng.pick(&TOPICS).into(),
                    attribute: "active".into(),
                    ..ItemContent::default()
                },
                index_no: format!("11320600MB1790201X/{}-{:07}", 2024, seq),
                published_at: at,
            });
        }
        let mut docs = Vec::with_capacity(k);
        bulk_published_items(&store, &rows, |id, r| {
            let p = PublicItem {
                id,
                index_no: r.index_no.clone(),
                agency_id: r.agency_id,
                column_id: r.column_id,
                title: r.content.title.clone(),
                summary: r.content.summary.clone(),
                body: r.content.body.clone(),
                publisher: r.content.publisher.clone(),
                doc_number: String::new(),
                generated_on: r.content.generated_on.clone(),
                topic: r.content.topic.clone(),
                genre: String::new(),
                keywords: String::new(),
                law_item: None,
                validity: None,
                effective_on: None,
                repealed_on: None,
                expired_on: None,
                interprets_id: None,
                doc_class: None,
                published_at: r.published_at,
                history: Vec::new(),
                attachments: Vec::new(),
            };
            docs.push(SearchDoc {
                id: id.unsigned_abs(),
                agency_id: r.agency_id.unsigned_abs(),
                column_id: r.column_id.unsigned_abs(),
                title: p.title.clone(),
                summary: p.summary.clone(),
                body: p.body.replace("<p>", "").replace("</p>", "\n"),
                topic: p.topic.clone(),
                publisher: p.publisher.clone(),
                published_at: p.published_at,
            });
            serde_json::to_string(&p).unwrap_or_default()
        })
        .await
        .map_err(|e| e.to_string())?;
        index.apply(&docs, &[]).map_err(|e| e.to_string())?;
        done += k;
        if done % 50_000 == 0 || done == n {
            eprintln!("已生成 {done}/{n} 条");
        }
    }
    eprintln!("合并全文检索索引……");
    index.compact().map_err(|e| e.to_string())?;
    index
        .set_synced_at(i64::MAX / 2)
        .map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "已生成 {n} 条已发布信息（栏目编号 {}），并建立全文检索索引",
        column.id
    );
    Ok(())
}

/// `gongkai bench-report`: the annual-report benchmark (`scripts/bench-report.sh`). Fills an
/// empty database with one agency of `applications` cases and `items` published items for
/// 2025, and `agencies` subordinate agencies each with a published 2025 report; then times the
/// compilation of the big agency's report and the 汇总 of the jurisdiction (best of `runs`).
pub fn report(
    data: &DataArgs,
    applications: usize,
    items: usize,
    agencies: usize,
    runs: usize,
) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(report_async(
        data,
        applications,
        items,
        agencies,
        runs.max(1),
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

async fn report_async(
    data: &DataArgs,
    n_apps: usize,
    n_items: usize,
    n_agencies: usize,
    runs: usize,
) -> Result<(), String> {
    use gongkai_domain::application::{Case, Channel};
    use gongkai_service::store::ApplicationRow;
    let store = data.open().await?;
    if !store
        .agencies()
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("bench-report 只用于空的数据库（它绕过审核直接写入数据）".into());
    }
    let svc = Service::new(
        store.clone(),
        Arc::new(SystemClock),
        ServiceConfig::default(),
    );
    svc.ensure_calendar_seeded()
        .await
        .map_err(|e| e.to_string())?;
    let sys = Actor::System;
    let msg = |e: gongkai_service::ServiceError| e.to_string();
    let city = svc
        .create_agency(&sys, None, "基准测试市人民政府", "government")
        .await
        .map_err(msg)?;
    let big = svc
        .create_agency(&sys, Some(city.id), "基准测试市应急管理局", "department")
        .await
        .map_err(msg)?;
    let column = svc
        .create_column(&sys, big.id, None, "政策文件", "policy", None)
        .await
        .map_err(msg)?;
    let user = drafter(&svc, big.id).await?;

    // Applications: spread over 2024–2025, every type and outcome, some open at year end.
    let types = gongkai_domain::application::ApplicantType::ALL;
    let outcomes = gongkai_domain::application::Disposition::ALL;
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let day = |d: usize| {
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
            .and_then(|s| s.checked_add_days(chrono::Days::new(d as u64)))
            .unwrap_or_default()
    };
    let mut done = 0;
    while done < n_apps {
        let k = 2_000.min(n_apps - done);
        let mut tx = store.begin().await.map_err(|e| e.to_string())?;
        for j in 0..k {
            let seq = done + j + 1;
            let received = day(rng.next() % 730);
            let open = rng.next().is_multiple_of(20);
            let closed = received
                .checked_add_days(chrono::Days::new((rng.next() % 30) as u64))
                .unwrap_or(received);
            let disposition = outcomes[rng.next() % outcomes.len()];
            let case = Case::registered(Channel::Online, received, received);
            let row = ApplicationRow {
                id: 0,
                agency_id: big.id,
                case_no: format!("B{seq:07}"),
                query_hash: String::new(),
                channel: "online".into(),
                state: if open { "in_progress" } else { "closed" }.into(),
                applicant_type: types[rng.next() % types.len()].id().into(),
                applicant_key: String::new(),
                applicant_json: "{}".into(),
                request_json: "{}".into(),
                case_json: serde_json::to_string(&case).unwrap_or_default(),
                summary: String::new(),
                receipt_date: Some(received.to_string()),
                due_date: None,
                closed_on: (!open).then(|| closed.to_string()),
                disposition: (!open).then(|| disposition.id().to_owned()),
                handler_id: None,
                division_id: None,
                calendar_version: 0,
                submitted_at: 0,
                created_at: 0,
                updated_at: 0,
                version: 0,
            };
            tx.insert_application(&row)
                .await
                .map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        done += k;
        if done % 20_000 == 0 || done == n_apps {
            eprintln!("已生成申请 {done}/{n_apps}");
        }
    }

    // Items: one in fifty is a 行政规范性文件 with its validity.
    let mut done = 0;
    while done < n_items {
        let k = 2_000.min(n_items - done);
        let mut rows = Vec::with_capacity(k);
        for j in 0..k {
            let seq = done + j + 1;
            let classed = seq.is_multiple_of(50);
            let generated = day(rng.next() % 730);
            rows.push(BulkItem {
                agency_id: big.id.0,
                column_id: column.id.0,
                drafter_id: user.id.0,
                content: ItemContent {
                    column_id: column.id.0,
                    title: format!(
                        "{}{}{}",
                        rng.pick(&VERBS),
                        rng.pick(&SUBJECTS),
                        rng.pick(&TAILS)
                    ),
                    summary: "摘要".into(),
                    body: "<p>正文。</p>".into(),
                    publisher: big.name.clone(),
                    generated_on: generated.to_string(),
                    topic: rng.pick(&TOPICS).into(),
                    attribute: "active".into(),
                    doc_class: classed.then(|| "normative".to_owned()),
                    validity: classed.then(|| "valid".to_owned()),
                    ..ItemContent::default()
                },
                index_no: format!("11320600MB1790201X/2025-{seq:07}"),
                published_at: 1_735_689_600_000 + (seq as i64) * 60_000,
            });
        }
        bulk_published_items(&store, &rows, |_, r| {
            serde_json::json!({ "title": r.content.title }).to_string()
        })
        .await
        .map_err(|e| e.to_string())?;
        done += k;
    }
    eprintln!("已生成信息 {n_items} 条");

    // Subordinate agencies with published 2025 reports.
    let mut template = gongkai_report::Report::template(gongkai_report::Format::V2021, 2025);
    template.published_on = chrono::NaiveDate::from_ymd_opt(2026, 1, 20);
    for i in 0..n_agencies {
        let a = svc
            .create_agency(
                &sys,
                Some(city.id),
                &format!("基准测试市第{}局", i + 1),
                "department",
            )
            .await
            .map_err(msg)?;
        let mut r = template.clone();
        r.agency.name = Some(a.name.clone());
        // A consistent table 3: n received, n granted, all from natural persons.
        let n = Some(rust_decimal::Decimal::from(i % 7));
        for row in ["received", "granted", "total"] {
            for col in ["natural_person", "total"] {
                r.tables
                    .set_by_pointer(&format!("/tables/applications/{row}/{col}"), n);
            }
        }
        let json = gongkai_report::json::to_string_pretty(&r);
        let mut tx = store.begin().await.map_err(|e| e.to_string())?;
        tx.insert_annual_report(
            a.id,
            2025,
            "imported",
            "{}",
            Some(&json),
            "bench",
            "",
            None,
            "bench",
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    eprintln!("已生成下级机关 {n_agencies} 个");

    let time = |label: String, d: Vec<std::time::Duration>| {
        let best = d.iter().min().copied().unwrap_or_default();
        let mut sorted = d.clone();
        sorted.sort();
        let median = sorted[sorted.len() / 2];
        println!(
            "{label}: best {:.0} ms, median {:.0} ms ({} runs)",
            best.as_secs_f64() * 1000.0,
            median.as_secs_f64() * 1000.0,
            d.len()
        );
    };
    let mut compile = Vec::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let c = svc
            .compile_annual_report(&sys, big.id, 2025)
            .await
            .map_err(msg)?;
        compile.push(t.elapsed());
        if c.report
            .tables
            .by_pointer("/tables/applications/received/total")
            .flatten()
            .is_none()
        {
            return Err("compiled report has no table 3".into());
        }
    }
    time(
        format!(
            "compile ({n_apps} applications, {n_items} items, {})",
            if store.backend() == gongkai_service::store::Backend::Sqlite {
                "SQLite"
            } else {
                "PostgreSQL"
            }
        ),
        compile,
    );
    let mut summary = Vec::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let s = svc
            .supervision(&sys, city.id, 2025, &[])
            .await
            .map_err(msg)?;
        summary.push(t.elapsed());
        if s.summary.is_err() {
            return Err(format!("汇总失败：{:?}", s.summary.err()));
        }
    }
    time(
        format!(
            "汇总 ({n_agencies} agencies, {})",
            if store.backend() == gongkai_service::store::Backend::Sqlite {
                "SQLite"
            } else {
                "PostgreSQL"
            }
        ),
        summary,
    );
    store.close().await;
    Ok(())
}
