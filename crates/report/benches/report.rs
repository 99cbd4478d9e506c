//! Speed target of the report engine (issue: < 5 ms per report on one core to validate a
//! report and render it to every format). Run: `cargo bench -p gongkai-report --bench report`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_report::json;
use gongkai_report::render::{RenderOptions, Target, render};
use gongkai_report::validate::{self, Options};

const SEED: &str = include_str!("../tests/fixtures/seed-2020-nantong-emergency.json");
const SEED_TEXT: &[u8] = include_bytes!("../tests/fixtures/seed-2020-nantong-emergency.txt");

fn bench(c: &mut Criterion) {
    let report = json::from_str(SEED).unwrap();
    c.bench_function("validate", |b| {
        b.iter(|| validate::validate(black_box(&report), &Options::default()));
    });
    for target in Target::ALL {
        c.bench_function(&format!("render_{}", target.name()), |b| {
            b.iter(|| render(black_box(&report), target, RenderOptions::default()).unwrap());
        });
    }
    c.bench_function("load_validate_render_all", |b| {
        b.iter(|| {
            let mut r = json::from_str(black_box(SEED)).unwrap();
            validate::check(&mut r, &Options::default());
            for target in Target::ALL {
                black_box(render(&r, target, RenderOptions::default()).unwrap());
            }
        });
    });
}

/// Parser throughput (issue: ≥ 1,000 text or HTML reports per second on one core); PDF
/// extraction is measured on a corpus PDF when `../shared/corpus` is present.
fn bench_parse(c: &mut Criterion) {
    use gongkai_report::parse::{Metadata, parse};
    let meta = Metadata {
        year: Some(2020),
        ..Metadata::default()
    };
    c.bench_function("parse_flat_text", |b| {
        b.iter(|| parse(black_box(SEED_TEXT), &meta).unwrap());
    });
    let report = json::from_str(SEED).unwrap();
    let html = render(
        &report,
        Target::Html,
        RenderOptions {
            show_findings: false,
            ..RenderOptions::default()
        },
    )
    .unwrap();
    c.bench_function("parse_html", |b| {
        b.iter(|| parse(black_box(&html), &meta).unwrap());
    });
    // A real published page (with its own inline styles), when the corpus is beside the project.
    let page = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/real/015_2019_shanghai-szfbgt/content.html"
    );
    if let Ok(bytes) = std::fs::read(page) {
        let meta = Metadata {
            year: Some(2019),
            ..Metadata::default()
        };
        c.bench_function("parse_html_published_page", |b| {
            b.iter(|| parse(black_box(&bytes), &meta).unwrap());
        });
    }
    let pdf = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/real/001_2024_huaian-szf/szfgs2024.pdf"
    );
    if let Ok(bytes) = std::fs::read(pdf) {
        let meta = Metadata {
            year: Some(2024),
            ..Metadata::default()
        };
        c.bench_function("parse_pdf_6_pages", |b| {
            b.iter(|| parse(black_box(&bytes), &meta).unwrap());
        });
    }
}

criterion_group!(benches, bench, bench_parse);
criterion_main!(benches);
