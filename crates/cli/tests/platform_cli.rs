//! The platform through the real binary: `serve` (setup link, demo), a crash during a burst of
//! writes, `backup`/`restore`, `audit verify`, `admin …`, and start-up errors.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gongkai_service::store::{Store, sqlite_url};
use gongkai_test_support::csrf_in;
use gongkai_test_support::http::request;
use gongkai_test_support::process::Server;

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env_remove("GONGKAI_DATABASE_URL")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn serve(data: &Path, extra: &[&str]) -> Server {
    Server::start(env!("CARGO_BIN_EXE_gongkai"), data, extra)
}

/// Logs in over real HTTP and returns the session cookie.
fn login(addr: &str, username: &str, password: &str) -> String {
    let page = request(addr, "GET", "/login", None, None).unwrap();
    let anon = page.cookie(gongkai_web::SESSION_COOKIE).unwrap();
    let csrf = csrf_in(&page.body).unwrap();
    let r = request(
        addr,
        "POST",
        "/login",
        Some(&anon),
        Some(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
        ]),
    )
    .unwrap();
    assert_eq!(r.status, 303, "{}", r.body);
    r.cookie(gongkai_web::SESSION_COOKIE).unwrap()
}

fn demo_password(data: &Path, user: &str) -> String {
    let text = std::fs::read_to_string(data.join("demo-logins.txt")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{user} ")))
        .unwrap();
    line.split_whitespace().nth(2).unwrap().to_owned()
}

#[test]
fn first_start_prints_a_one_time_setup_link_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &[]);
    let link = s
        .lines
        .iter()
        .find(|l| l.contains("/setup/"))
        .expect("setup link printed")
        .trim()
        .to_owned();
    assert!(s.lines.iter().any(|l| l.contains("尚无系统管理员")));
    let path = &link[link.find("/setup/").unwrap()..];
    let page = request(&s.addr, "GET", path, None, None).unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("初始化站点"));
    assert!(dir.path().join("gongkai.db").exists());
    drop(s);
    // A second start issues a fresh link and revokes the first.
    let s2 = serve(dir.path(), &[]);
    assert!(
        s2.lines
            .iter()
            .any(|l| l.contains("/setup/") && !l.contains(path))
    );
    assert_eq!(
        request(&s2.addr, "GET", path, None, None).unwrap().status,
        400
    );
}

#[test]
fn every_acknowledged_write_survives_a_kill_during_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = serve(dir.path(), &["--demo"]);
    assert!(
        s.lines
            .iter()
            .any(|l| l.contains("admin") && l.contains("密码")),
        "{:?}",
        s.lines
    );
    let cookie = login(&s.addr, "admin", &demo_password(dir.path(), "admin"));
    let page = request(&s.addr, "GET", "/admin/agencies", Some(&cookie), None).unwrap();
    let csrf = csrf_in(&page.body).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt
        .block_on(Store::connect(&sqlite_url(dir.path())))
        .unwrap();
    let ems = rt
        .block_on(store.agency_by_name("示例市应急管理局"))
        .unwrap()
        .unwrap()
        .id;
    rt.block_on(store.close());

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let writer = {
        let (addr, acked) = (s.addr.clone(), acked.clone());
        std::thread::spawn(move || {
            for i in 0.. {
                let name = format!("压力测试科{i}");
                match request(
                    &addr,
                    "POST",
                    &format!("/admin/agencies/{ems}/divisions"),
                    Some(&cookie),
                    Some(&[("name", &name), ("csrf", &csrf)]),
                ) {
                    Ok(r) if r.status == 303 => acked.lock().unwrap().push(name),
                    Ok(r) => panic!("write refused: {} {}", r.status, r.body),
                    Err(_) => break, // the server is gone
                }
            }
        })
    };
    // At the same time the disclosure office registers applications (each acknowledged with
    // its case number).
    let office = login(
        &s.addr,
        "gongkaiban",
        &demo_password(dir.path(), "gongkaiban"),
    );
    let page = request(
        &s.addr,
        "GET",
        "/admin/applications/new",
        Some(&office),
        None,
    )
    .unwrap();
    let office_csrf = csrf_in(&page.body).unwrap();
    let registered: Arc<Mutex<Vec<String>>> = Arc::default();
    let registrar = {
        let (addr, registered) = (s.addr.clone(), registered.clone());
        std::thread::spawn(move || {
            for i in 0.. {
                let name = format!("申请人{i}");
                match request(
                    &addr,
                    "POST",
                    "/admin/applications/new",
                    Some(&office),
                    Some(&[
                        ("channel", "in_person"),
                        ("kind", "natural_person"),
                        ("name", &name),
                        ("description", "压力测试所需信息"),
                        ("csrf", &office_csrf),
                    ]),
                ) {
                    Ok(r) if r.status == 200 && r.body.contains("id=\"case-no\"") => {
                        let no = r
                            .body
                            .split("id=\"case-no\">")
                            .nth(1)
                            .and_then(|t| t.split('<').next())
                            .expect("case number")
                            .to_owned();
                        registered.lock().unwrap().push(no);
                    }
                    Ok(r) => panic!("registration refused: {} {}", r.status, r.body),
                    Err(_) => break,
                }
            }
        })
    };
    // Let the burst run, then kill the server without warning (SIGKILL).
    let deadline = Instant::now() + Duration::from_secs(30);
    while (acked.lock().unwrap().len() < 40 || registered.lock().unwrap().len() < 20)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    writer.join().unwrap();
    registrar.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "only {} writes before the kill",
        acked.len()
    );

    let store = rt.block_on(Store::open(&sqlite_url(dir.path()))).unwrap();
    let names: Vec<String> = rt
        .block_on(store.divisions(ems))
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    for n in &acked {
        assert!(names.contains(n), "acknowledged write {n} lost");
    }
    let registered = registered.lock().unwrap().clone();
    assert!(
        registered.len() >= 20,
        "only {} registrations",
        registered.len()
    );
    for no in &registered {
        let row = rt.block_on(store.application_by_case_no(no)).unwrap();
        assert!(
            row.is_some_and(|r| r.state == "registered"),
            "acknowledged application {no} lost"
        );
    }
    let report = rt.block_on(store.verify_audit_chain(None)).unwrap();
    assert_eq!(report.first_break, None);
    rt.block_on(store.close());
    let v = gongkai(&["audit", "verify", "--data", dir.path().to_str().unwrap()]);
    assert!(v.status.success(), "{}", out(&v));
    assert!(out(&v).contains("校验通过"));
}

#[test]
fn backup_restore_and_audit_verify() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let o = gongkai(&[
        "admin",
        "create-agency",
        "--data",
        d,
        "--name",
        "示例市人民政府",
        "--kind",
        "government",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let o = gongkai(&[
        "admin",
        "create-user",
        "--data",
        d,
        "--username",
        "wang",
        "--name",
        "王管理",
        "--agency",
        "示例市人民政府",
        "--role",
        "admin",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("/account/password/"));
    let o = gongkai(&[
        "admin",
        "create-user",
        "--data",
        d,
        "--username",
        "wang",
        "--name",
        "重名",
        "--agency",
        "示例市人民政府",
        "--role",
        "admin",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("已存在"), "{}", out(&o));
    let o = gongkai(&[
        "admin",
        "create-user",
        "--data",
        d,
        "--username",
        "li",
        "--name",
        "李",
        "--agency",
        "不存在的局",
        "--role",
        "drafter",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("没有名为“不存在的局”的机关"));
    assert!(
        gongkai(&["admin", "disable", "--data", d, "wang"])
            .status
            .success()
    );
    let list = gongkai(&["admin", "list-users", "--data", d]);
    assert!(
        out(&list).contains("wang") && out(&list).contains("已停用"),
        "{}",
        out(&list)
    );
    assert!(
        gongkai(&["admin", "enable", "--data", d, "wang"])
            .status
            .success()
    );
    let o = gongkai(&["admin", "reset-password", "--data", d, "wang"]);
    assert!(o.status.success() && out(&o).contains("/account/password/"));

    let v = gongkai(&["audit", "verify", "--data", d]);
    assert!(v.status.success(), "{}", out(&v));
    let anchor = out(&v)
        .lines()
        .find(|l| l.contains("当前锚点"))
        .unwrap()
        .rsplit('：')
        .next()
        .unwrap()
        .trim()
        .to_owned();

    let backup = dir.path().join("backup.db");
    let b = gongkai(&["backup", "--data", d, backup.to_str().unwrap()]);
    assert!(b.status.success(), "{}", out(&b));
    assert!(out(&b).contains("哈希链校验通过"));
    let again = gongkai(&["backup", "--data", d, backup.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "never overwrites");

    // Later changes, then restore the backup over them (the current database is kept renamed).
    assert!(
        gongkai(&[
            "admin",
            "create-agency",
            "--data",
            d,
            "--name",
            "示例市财政局",
            "--parent",
            "示例市人民政府"
        ])
        .status
        .success()
    );
    let r = gongkai(&["restore", "--data", d, backup.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
    assert!(out(&r).contains("--force"));
    let r = gongkai(&["restore", "--data", d, "--force", backup.to_str().unwrap()]);
    assert!(r.status.success(), "{}", out(&r));
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .collect();
    assert!(!kept.is_empty(), "the replaced database is kept");
    let v = gongkai(&["audit", "verify", "--data", d, "--anchor", &anchor]);
    assert!(v.status.success(), "{}", out(&v));
    let list = gongkai(&[
        "admin",
        "create-agency",
        "--data",
        d,
        "--name",
        "示例市财政局",
        "--parent",
        "示例市人民政府",
    ]);
    assert!(
        list.status.success(),
        "the restored database does not have the later agency: {}",
        out(&list)
    );

    // A file that is not a gongkai backup is refused.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let r = gongkai(&["restore", "--data", d, "--force", junk.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2), "{}", out(&r));
    // A bad anchor is explained.
    let v = gongkai(&["audit", "verify", "--data", d, "--anchor", "12"]);
    assert_eq!(v.status.code(), Some(2));
    assert!(out(&v).contains("序号:哈希值"));
}

#[test]
fn a_database_that_cannot_be_opened_stops_the_start_with_its_name_and_cause() {
    let o = gongkai(&[
        "migrate",
        "--database-url",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let text = out(&o);
    assert!(
        text.contains("无法打开数据库 postgres://nobody@127.0.0.1:1/none"),
        "{text}"
    );
    let o = gongkai(&["serve", "--database-url", "mysql://x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).contains("既不是 sqlite:// 也不是 postgres://"),
        "{}",
        out(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    let o = gongkai(&["migrate", "--data", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("无法创建数据目录"), "{}", out(&o));
    let o = gongkai(&["backup", "--database-url", "postgres://x@y/z", "f.dump"]);
    assert!(out(&o).contains("pg_dump"));
}

#[test]
fn the_same_commands_work_on_postgresql() {
    let Ok(server) = std::env::var("GONGKAI_TEST_PG") else {
        eprintln!("skipped: GONGKAI_TEST_PG is not set");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt
        .block_on(gongkai_service::store::testing::recreate_postgres_database(
            &server, "gk_t_cli",
        ))
        .unwrap();
    let o = gongkai(&["migrate", "--database-url", &url]);
    assert!(o.status.success(), "{}", out(&o));
    let o = gongkai(&[
        "admin",
        "create-agency",
        "--database-url",
        &url,
        "--name",
        "示例市人民政府",
        "--kind",
        "government",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let v = gongkai(&["audit", "verify", "--database-url", &url]); // rows: the calendar seed and the agency
    assert!(
        v.status.success() && out(&v).contains("2 条记录"),
        "{}",
        out(&v)
    );
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &["--database-url", &url]);
    assert!(s.lines.iter().any(|l| l.contains("/setup/")));
    assert_eq!(
        request(&s.addr, "GET", "/healthz", None, None)
            .unwrap()
            .status,
        200
    );
}

#[test]
fn calendar_commands_count_working_days_on_the_loaded_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let d = d.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut a = vec!["calendar"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--data", d]);
        gongkai(&a)
    };
    let o = run(&["add-working-days", "2026-02-13", "20"]);
    assert!(o.status.success(), "{}", out(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "2026-03-19\n");
    assert_eq!(
        String::from_utf8_lossy(
            &run(&[
                "add-working-days",
                "2026-02-13",
                "20",
                "--count-trigger-day"
            ])
            .stdout
        ),
        "2026-03-18\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&run(&["is-working-day", "2026-02-14"]).stdout),
        "yes\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&run(&["is-working-day", "2026-02-16"]).stdout),
        "no\n"
    );
    // A year without a notice is provisional, and says so.
    let p = run(&["add-working-days", "2026-12-14", "20"]);
    assert_eq!(String::from_utf8_lossy(&p.stdout), "2027-01-12\n");
    assert!(String::from_utf8_lossy(&p.stderr).contains("暂定"));
    let bad = run(&["add-working-days", "14.12.2026", "20"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(out(&bad).contains("YYYY-MM-DD"));

    // Import the 2027 notice (a made-up arrangement for the test), then the deadline moves.
    let file = dir.path().join("2027.tsv");
    std::fs::write(&file, "date\tkind\tname\n2027-01-01\tholiday\t元旦\n2027-01-02\tholiday\t元旦\n2027-01-03\tholiday\t元旦\n2027-01-04\tholiday\t元旦\n").unwrap();
    let no_source = gongkai(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--source",
        " ",
        "--data",
        d,
    ]);
    assert_eq!(no_source.status.code(), Some(2));
    assert!(out(&no_source).contains("请填写依据"));
    let ok = gongkai(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--source",
        "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "--data",
        d,
    ]);
    assert!(ok.status.success(), "{}", out(&ok));
    assert!(out(&ok).contains("替换 2027 年"));
    assert_eq!(
        String::from_utf8_lossy(&run(&["add-working-days", "2026-12-14", "20"]).stdout),
        "2027-01-13\n"
    );
    let show = run(&["show"]);
    assert!(
        out(&show).contains("随软件提供") && out(&show).contains("2027年部分节假日安排"),
        "{}",
        out(&show)
    );
    // Errors name the line.
    std::fs::write(&file, "date\tkind\tname\n2027-02-30\tholiday\t春节\n").unwrap();
    let e = gongkai(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--source",
        "x",
        "--data",
        d,
    ]);
    assert_eq!(e.status.code(), Some(2));
    assert!(out(&e).contains("第 2 行"), "{}", out(&e));
    // Changing a past year needs a reason.
    std::fs::write(&file, "date\tkind\tname\n2020-01-01\tholiday\t元旦\n").unwrap();
    let e = gongkai(&[
        "calendar",
        "import",
        file.to_str().unwrap(),
        "--source",
        "更正",
        "--data",
        d,
    ]);
    assert_eq!(e.status.code(), Some(2));
    assert!(out(&e).contains("理由"), "{}", out(&e));
    let v = gongkai(&["audit", "verify", "--data", d]);
    assert!(v.status.success(), "{}", out(&v));
}

/// `gongkai demo --data` loads the demo without serving; the demo bureau's 2020 report, compiled
/// from its own cases, register and figures, has the seed example's tables with the seed's
/// arithmetic error corrected; the published seed page imported beside it differs in exactly
/// that cell, and the validator explains why (H2, H3). `report generate --json` prints it.
#[test]
fn the_demo_2020_report_reproduces_the_seed_example_from_its_own_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let o = gongkai(&["demo", "--data", data_s]);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("演示数据已载入"), "{}", out(&o));
    let o = gongkai(&[
        "report",
        "generate",
        "--data",
        data_s,
        "--agency",
        "示例市应急管理局",
        "--year",
        "2020",
        "--json",
    ]);
    assert!(o.status.success(), "{}", out(&o));
    let ours: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let seed = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/seed-2020-published.txt");
    let o = gongkai(&["report", "parse", seed, "--year", "2020", "--json"]);
    let published: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let published = if published.is_array() {
        published[0].clone()
    } else {
        published
    };
    // Every cell equal but the seed's stray “1” in row 4.保护第三方合法权益, column 其他.
    let mut differ = Vec::new();
    for t in ["active_disclosure", "applications", "review_litigation"] {
        for (row, cols) in ours["tables"][t].as_object().unwrap() {
            for (col, v) in cols.as_object().unwrap() {
                if published["tables"][t][row][col] != *v {
                    differ.push(format!("{t}/{row}/{col}"));
                }
            }
        }
    }
    assert_eq!(differ, ["applications/denied_third_party_rights/other_org"]);
    assert!(
        ours["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error")
    );
    let rules: Vec<&str> = published["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["H2", "H3"]);

    // On the platform: published on time; supervision lists the one difference.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(&sqlite_url(&data)).await.unwrap();
        let svc = gongkai_service::Service::new(
            store.clone(),
            Arc::new(gongkai_domain::SystemClock),
            gongkai_service::ServiceConfig::default(),
        );
        let city = store
            .agency_by_name("示例市人民政府")
            .await
            .unwrap()
            .unwrap();
        let s = svc
            .supervision(&gongkai_service::Actor::System, city.id, 2020, &[])
            .await
            .unwrap();
        let ems = s
            .agencies
            .iter()
            .find(|a| a.name == "示例市应急管理局")
            .unwrap();
        assert_eq!((ems.state, ems.source), ("on_time", "compiled"));
        let cells: Vec<&str> = ems.differences.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            cells,
            ["/tables/applications/denied_third_party_rights/other_org"]
        );
        store.close().await;
    });
}
