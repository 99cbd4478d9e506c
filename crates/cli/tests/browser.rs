//! Headless Chromium against a real `gongkai serve --demo`: a drafter writes an item, the
//! 处室负责人 and 分管领导 sign it off, it is published, public and found by search; axe-core
//! finds no serious or critical accessibility violation on the main public pages. The browser
//! part is `e2e/publish.mjs` (playwright-core driving Debian's /usr/bin/chromium).
//!
//! Runs when `GONGKAI_TEST_BROWSER` is set (`scripts/test` installs Chromium, Node.js packages and
//! sets it; CI always runs it).

use std::process::Command;

use gongkai_test_support::process::Server;

#[test]
fn publishing_in_a_real_browser_and_accessibility_of_public_pages() {
    if std::env::var("GONGKAI_TEST_BROWSER").is_err() {
        eprintln!("skipped: GONGKAI_TEST_BROWSER is not set (run scripts/test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(env!("CARGO_BIN_EXE_gongkai"), dir.path(), &["--demo"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/publish.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://{}", s.addr))
        .arg(dir.path())
        .output()
        .expect("node (scripts/test installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{text}");
    assert!(
        text.contains("found by search") && text.contains("pass axe"),
        "{text}"
    );
}

/// The disclosure-application path of issue 6 in Chromium: the public submits → the office
/// handles it through 补正 and a decision → the reply letter is produced → the status page shows
/// it closed (`e2e/apply.mjs`).
#[test]
fn an_application_in_a_real_browser() {
    if std::env::var("GONGKAI_TEST_BROWSER").is_err() {
        eprintln!("skipped: GONGKAI_TEST_BROWSER is not set (run scripts/test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(env!("CARGO_BIN_EXE_gongkai"), dir.path(), &["--demo"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/apply.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://{}", s.addr))
        .arg(dir.path())
        .output()
        .expect("node (scripts/test installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser test failed:\n{text}");
    assert!(text.contains("shown closed"), "{text}");
}
