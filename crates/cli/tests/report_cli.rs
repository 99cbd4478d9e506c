//! `gongkai report …` through the real binary: exit statuses, messages, files written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::Reader;
use serde_json::{Value, json};

const SEED: &str = "../report/tests/fixtures/seed-2020-nantong-emergency.json";

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn template(format: &str, year: &str) -> Value {
    let o = gongkai(&[
        "report",
        "template",
        "--format",
        format,
        "--year",
        year,
        "--agency",
        "示例市应急管理局",
        "--kind",
        "department",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn check_seed_finds_the_wrong_cell() {
    let o = gongkai(&["report", "check", SEED]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("错误 H2"), "{out}");
    assert!(out.contains("错误 H3"));
    assert!(out.contains(
        "疑似出错：申请情况表“4.保护第三方合法权益”行“其他（法人或其他组织）”列，改为 0"
    ));
    assert!(out.contains("合计：2 个错误，0 个警告，2 个提示"));
}

#[test]
fn check_json_one_and_many() {
    let o = gongkai(&["report", "check", "--json", SEED]);
    assert_eq!(o.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["findings"][0]["rule"], "H2");
    assert_eq!(doc["findings"][0]["suspects"][0]["suggested"], json!(0));
    let o = gongkai(&["report", "check", "--json", SEED, SEED]);
    let docs: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 2);
}

#[test]
fn template_is_valid_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (f, y) in [("2019", "2020"), ("2021", "2025")] {
        let p = write(dir.path(), &format!("t{y}.json"), &template(f, y));
        let o = gongkai(&["report", "check", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    }
    let o = gongkai(&["report", "template", "--format", "2019", "--year", "2024"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2024年度报告应使用2021年格式"));
}

/// `report check` refuses the document with exit status 2 and a message containing `needle`.
fn expect_rejected(dir: &Path, name: &str, doc: &Value, needle: &str) {
    let p = write(dir, name, doc);
    let o = gongkai(&["report", "check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{name}");
    assert!(stderr(&o).contains(needle), "{name}: {}", stderr(&o));
}

#[test]
fn bad_input_exits_2_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{\"schema\": ").unwrap();
    let o = gongkai(&["report", "check", bad_json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("不是有效的 JSON（第1行"),
        "{}",
        stderr(&o)
    );

    let mut t = template("2019", "2020");
    t["tables"]["applications"]["granted"]["natural_person"] = json!("3");
    expect_rejected(
        dir.path(),
        "type.json",
        &t,
        "/tables/applications/granted/natural_person：应为整数（件数）或 null",
    );

    let mut t = template("2019", "2020");
    t["tables"]["applications"]["other_overdue_fee"] = json!({});
    expect_rejected(
        dir.path(),
        "mixed.json",
        &t,
        "“other_overdue_fee”是2021年格式的行，本报告 format 为“2019”",
    );

    let mut t = template("2021", "2024");
    t["tables"]["active_disclosure"]["fees"]["amount_wan_yuan"] = json!(1.5);
    t["tables"]["active_disclosure"]["regulations"]["issued"] = json!(1.5);
    expect_rejected(
        dir.path(),
        "frac.json",
        &t,
        "/tables/active_disclosure/regulations/issued：应为整数",
    );

    let mut t = template("2021", "2024");
    t["bogus"] = json!(1);
    expect_rejected(
        dir.path(),
        "unknown.json",
        &t,
        "/bogus：不认识的字段“bogus”",
    );

    let o = gongkai(&["report", "check", "/nonexistent/report.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("无法读取 /nonexistent/report.json"));
}

#[test]
fn previous_year_is_used_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let prev = write(dir.path(), "2024.json", &template("2021", "2024"));
    let mut now = template("2021", "2025");
    now["tables"]["applications"]["carried_in"]["natural_person"] = json!(2);
    now["tables"]["applications"]["carried_in"]["total"] = json!(2);
    now["tables"]["applications"]["received"]["natural_person"] = json!(-2);
    let cur = write(dir.path(), "2025.json", &now);
    let o = gongkai(&[
        "report",
        "check",
        cur.to_str().unwrap(),
        "--previous",
        prev.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("警告 S1"), "{}", stdout(&o));
    let o = gongkai(&[
        "report",
        "check",
        prev.to_str().unwrap(),
        "--previous",
        cur.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--previous 应为2023年度的报告"));
}

#[test]
fn render_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for to in ["html", "md", "txt", "json", "csv", "flat", "xlsx", "docx"] {
        let out = dir.path().join(format!("seed.{to}"));
        let o = gongkai(&[
            "report",
            "render",
            SEED,
            "--to",
            to,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{to}: {}", stderr(&o));
        assert!(std::fs::metadata(&out).unwrap().len() > 500, "{to}");
    }
    let o = gongkai(&["report", "render", SEED, "--to", "txt"]);
    assert!(stdout(&o).contains("| 4.保护第三方合法权益"));
    let xlsx = dir.path().join("seed.xlsx");
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    assert_eq!(wb.sheet_names().len(), 4);
}

#[test]
fn render_refuses_empty_cells_without_draft() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = template("2021", "2024");
    t["tables"]["review_litigation"]["reconsideration"]["pending"] = Value::Null;
    let p = write(dir.path(), "null.json", &t);
    let o = gongkai(&["report", "render", p.to_str().unwrap(), "--to", "html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--draft"));
    let o = gongkai(&[
        "report",
        "render",
        p.to_str().unwrap(),
        "--to",
        "html",
        "--draft",
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("草稿"));
}

#[test]
fn compile_sums_and_refuses_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = template("2021", "2024");
    a["tables"]["applications"]["granted"]["natural_person"] = json!(2);
    a["tables"]["applications"]["granted"]["total"] = json!(2);
    a["tables"]["applications"]["total"]["natural_person"] = json!(2);
    a["tables"]["applications"]["total"]["total"] = json!(2);
    a["tables"]["applications"]["received"]["natural_person"] = json!(2);
    a["tables"]["applications"]["received"]["total"] = json!(2);
    a["tables"]["active_disclosure"]["fees"]["amount_wan_yuan"] = json!(0.038);
    let pa = write(dir.path(), "a.json", &a);
    let pb = write(dir.path(), "b.json", &a);
    let out = dir.path().join("sum.json");
    let o = gongkai(&[
        "report",
        "compile",
        pa.to_str().unwrap(),
        pb.to_str().unwrap(),
        "--agency",
        "示例市人民政府",
        "--kind",
        "government",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sum: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(sum["tables"]["applications"]["granted"]["total"], json!(4));
    assert_eq!(
        sum["tables"]["active_disclosure"]["fees"]["amount_wan_yuan"],
        json!(0.076)
    );
    assert_eq!(
        sum["compilation"]["constituents"].as_array().unwrap().len(),
        2
    );
    assert_eq!(sum["agency"]["name"], "示例市人民政府");

    let pc = write(dir.path(), "c2019.json", &template("2019", "2020"));
    let o = gongkai(&[
        "report",
        "compile",
        pa.to_str().unwrap(),
        pc.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("c2019.json（2020年度，2019年格式）"),
        "{}",
        stderr(&o)
    );

    // A constituent with a hard error is refused unless --allow-errors.
    let mut bad = a.clone();
    bad["tables"]["applications"]["granted"]["total"] = json!(9);
    let pbad = write(dir.path(), "bad.json", &bad);
    let o = gongkai(&[
        "report",
        "compile",
        pa.to_str().unwrap(),
        pbad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json（"));
    let o = gongkai(&[
        "report",
        "compile",
        pa.to_str().unwrap(),
        pbad.to_str().unwrap(),
        "--allow-errors",
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("\"severity\": \"warning\""));
}

#[test]
fn schema_command_matches_published_file() {
    let o = gongkai(&["report", "schema"]);
    let published = std::fs::read_to_string("../../docs/schema/annual-report-1.json").unwrap();
    assert_eq!(stdout(&o).trim_end(), published.trim_end());
}

/// The `.docx` and `.xlsx` open in LibreOffice (converted headless to PDF, text read back).
/// `scripts/test` installs LibreOffice and sets `GONGKAI_TEST_OFFICE`; plain `cargo test` on a
/// machine without it says the test was skipped.
#[test]
fn office_files_open_in_libreoffice() {
    let has = |cmd: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {cmd}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("soffice") || !has("pdftotext") {
        assert!(
            std::env::var_os("GONGKAI_TEST_OFFICE").is_none(),
            "GONGKAI_TEST_OFFICE is set but soffice/pdftotext are missing: run scripts/test"
        );
        eprintln!(
            "skipped: LibreOffice (soffice) or pdftotext not installed; scripts/test installs them"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}/lo-profile",
        dir.path().display()
    );
    for to in ["docx", "xlsx"] {
        let file = dir.path().join(format!("seed.{to}"));
        let o = gongkai(&[
            "report",
            "render",
            SEED,
            "--to",
            to,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert!(o.status.success());
        let o = Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                dir.path().to_str().unwrap(),
                file.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "soffice failed on {to}: {}", stderr(&o));
        let pdf = dir.path().join("seed.pdf");
        let o = Command::new("pdftotext")
            .args([pdf.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        let text = stdout(&o);
        let flat: String = text.split_whitespace().collect();
        for label in ["第二十条第（一）项", "规范性文件", "政府集中采购", "2031.9"]
        {
            assert!(
                flat.contains(label),
                "{to}: {label} not in the converted document"
            );
        }
        if to == "docx" {
            for label in [
                "一、总体情况",
                "申请人情况",
                "4.保护第三方合法权益",
                "复议后起诉",
                "六、其他需要报告的事项",
            ] {
                assert!(
                    flat.contains(label),
                    "{to}: {label} not in the converted document"
                );
            }
        }
        std::fs::remove_file(&pdf).unwrap();
    }
}

const CORPUS: &str = "../../../shared/corpus";

#[test]
fn parse_published_reports_of_every_kind() {
    // Flattened text with the agency supplied, PDF, and HTML.
    let seed = format!("{CORPUS}/seed-2020-nantong-emergency.txt");
    let o = gongkai(&[
        "report",
        "parse",
        &seed,
        "--year",
        "2020",
        "--agency",
        "南通市应急管理局",
        "--kind",
        "department",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["agency"]["name"], "南通市应急管理局");
    assert_eq!(
        doc["tables"]["applications"]["denied_third_party_rights"]["other_org"],
        json!(1)
    );
    assert_eq!(doc["findings"][0]["rule"], "H2");

    let pdf = format!("{CORPUS}/real/001_2024_huaian-szf/szfgs2024.pdf");
    let o = gongkai(&["report", "parse", &pdf, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["input_layout"], "pdf_text");
    assert_eq!(
        doc["tables"]["active_disclosure"]["fees"]["amount_wan_yuan"],
        json!(96171.6)
    );
    assert_eq!(
        doc["tables"]["review_litigation"]["reconsideration"]["total"],
        json!(351)
    );

    let html = format!("{CORPUS}/real/015_2019_shanghai-szfbgt/content.html");
    let o = gongkai(&["report", "check", &html]);
    // The 2019 Shanghai page leaves row totals blank: H5 errors, exit 1.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("上海市人民政府办公厅 2019年度报告（2019年格式）"),
        "{}",
        stdout(&o)
    );

    let o = gongkai(&["report", "parse", "--show-text", &pdf]);
    assert!(stdout(&o).contains("一、本年新收政府信息公开申请数量"));
}

#[test]
fn parse_a_directory_with_summary_csv_and_json_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in [
        "real/011_2023_jiangsu-shuyang-fgj/text.txt",
        "real/007_2022_fujian-pingtan-gwh/page.txt",
        "seed-2020-nantong-emergency.txt",
        "real/003_2024_huaian-hongze-qzf/hzq2024_working.pdf",
    ] {
        let name = f.replace('/', "_");
        std::fs::copy(format!("{CORPUS}/{f}"), input.join(name)).unwrap();
    }
    std::fs::write(input.join("broken.docx"), b"PK\x03\x04 not really a zip").unwrap();
    let out = dir.path().join("json");
    let csv = dir.path().join("cells.csv");
    let o = gongkai(&[
        "report",
        "parse",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--year",
        "2020",
    ]);
    // One unreadable file: exit 2, but every other report is processed and summarised.
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let summary = stdout(&o);
    assert!(
        summary.contains("文件") && summary.contains("错误") && summary.contains("警告"),
        "{summary}"
    );
    assert!(
        summary.contains("共 5 份：") && summary.contains("1 份无法读取"),
        "{summary}"
    );
    assert!(
        summary.contains("hzq2024_working.pdf"),
        "PDFs in a directory are read: {summary}"
    );
    assert!(
        stderr(&o).contains("broken.docx") && stderr(&o).contains("Word"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 4);
    let cells = std::fs::read_to_string(&csv).unwrap();
    assert!(cells.starts_with("file,agency,year,format,table,row,column,value,raw\n"));
    assert!(cells.lines().count() > 3 * 190);
    assert!(cells.contains(",applications,denied_third_party_rights,other_org,1,1\n"));
}

#[test]
fn compile_reads_published_reports() {
    let a = format!("{CORPUS}/real/002_2023_huaian-hongze-qzf/layout.txt");
    let o = gongkai(&[
        "report",
        "compile",
        &a,
        &format!("{CORPUS}/real/001_2024_huaian-szf/layout.txt"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("2024年度"), "{}", stderr(&o));
}
