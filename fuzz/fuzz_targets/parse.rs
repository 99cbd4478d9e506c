//! Any input up to 1 MB: the parser returns a report or an error, never panics, and finishes
//! in bounded time. Run: `cargo fuzz run parse -s none -- -max_len=1048576 -max_total_time=600`.
#![no_main]

use gongkai_report::parse::{Metadata, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 1 << 20 {
        return;
    }
    let meta = Metadata { year: Some(2024), ..Metadata::default() };
    if let Ok(report) = parse(data, &meta) {
        // Whatever was read renders as a draft without panicking.
        let _ = gongkai_report::render::render(
            &report,
            gongkai_report::render::Target::Flat,
            gongkai_report::render::RenderOptions { draft: true, ..Default::default() },
        );
    }
});
