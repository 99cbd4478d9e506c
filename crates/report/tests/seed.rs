//! The seed example of spec §3.7: a real report with one wrong cell. Checking it must give
//! exactly the findings and `checks_not_run` of spec §4.9, and nothing else.

use gongkai_report::json;
use gongkai_report::validate::{self, Options};

const SEED: &str = include_str!("fixtures/seed-2020-nantong-emergency.json");

#[test]
fn seed_yields_exactly_the_spec_findings() {
    let expected: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let mut report = json::from_str(SEED).unwrap();
    // Drop every validator finding; keep only what the parser reported (the two F5).
    report.findings.retain(|f| f.rule.is_parser_rule());
    report.checks_not_run.clear();
    assert_eq!(report.findings.len(), 2);
    validate::check(&mut report, &Options::default());
    let got = json::to_value(&report);
    assert_eq!(
        serde_json::to_string_pretty(&got["findings"]).unwrap(),
        serde_json::to_string_pretty(&expected["findings"]).unwrap()
    );
    assert_eq!(got["checks_not_run"], expected["checks_not_run"]);
    assert_eq!(got, expected, "the whole document round-trips unchanged");
}

#[test]
fn fixing_the_suspect_clears_every_error() {
    let mut report = json::from_str(SEED).unwrap();
    let cell = "/tables/applications/denied_third_party_rights/other_org";
    assert!(report.tables.set_by_pointer(cell, Some(0.into())));
    validate::check(&mut report, &Options::default());
    assert!(!report.has_errors(), "{:#?}", report.findings);
    assert!(report.findings.iter().all(|f| f.rule.as_str() == "F5"));
}

/// The published seed text (flattened cells) parses to exactly the spec's document.
#[test]
fn parsing_the_seed_text_gives_the_spec_document() {
    use gongkai_report::AgencyKind;
    use gongkai_report::parse::{Metadata, parse};
    let text = include_bytes!("fixtures/seed-2020-nantong-emergency.txt");
    let meta = Metadata {
        agency_name: Some("南通市应急管理局".into()),
        agency_kind: Some(AgencyKind::Department),
        year: Some(2020),
        published_on: None,
    };
    let report = parse(text, &meta).unwrap();
    let got = json::to_value(&report);
    let expected: serde_json::Value = serde_json::from_str(SEED).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&got).unwrap(),
        serde_json::to_string_pretty(&expected).unwrap()
    );
}

/// A PDF without a text layer (a scan) gets a clear message; a damaged PDF an error, never a
/// panic.
#[test]
fn pdf_without_text_or_damaged_is_a_clear_error() {
    use gongkai_report::parse::{Metadata, ParseError, parse};
    use std::fmt::Write as _;
    // A valid one-page PDF with no text at all.
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for obj in [
        "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n",
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n",
    ] {
        offsets.push(pdf.len());
        pdf.push_str(obj);
    }
    let xref = pdf.len();
    pdf.push_str("xref\n0 4\n0000000000 65535 f \n");
    for o in offsets {
        let _ = writeln!(pdf, "{o:010} 00000 n ");
    }
    let _ = write!(
        pdf,
        "trailer << /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    );
    let meta = Metadata {
        year: Some(2024),
        ..Metadata::default()
    };
    match parse(pdf.as_bytes(), &meta) {
        Err(ParseError::Unsupported(m)) => assert!(m.contains("没有文字层"), "{m}"),
        other => panic!("expected a no-text-layer error, got {other:?}"),
    }
    let damaged = b"%PDF-1.7\n\x00\x01garbage that is not a pdf body\n%%EOF";
    let err = parse(damaged, &meta).unwrap_err();
    assert!(err.to_string().contains("PDF"), "{err}");
}
