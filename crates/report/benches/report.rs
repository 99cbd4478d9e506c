//! Speed target of the report engine (issue: < 5 ms per report on one core to validate a
//! report and render it to every format). Run: `cargo bench -p gongkai-report --bench report`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_report::json;
use gongkai_report::render::{RenderOptions, Target, render};
use gongkai_report::validate::{self, Options};

const SEED: &str = include_str!("../tests/fixtures/seed-2020-nantong-emergency.json");

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

criterion_group!(benches, bench);
criterion_main!(benches);
