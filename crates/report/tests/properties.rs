//! Property tests: a random consistent report has no error; changing any single cell of tables
//! 3 and 4 is caught by a hard rule that names that cell; a table-2 cell made negative is caught
//! by H5/H6 (table 2 has no arithmetic rule, spec §4.2); JSON round-trips exactly.

mod common;

use gongkai_report::schema::{CellType, TableId};
use gongkai_report::validate::{self, Options};
use gongkai_report::{Format, Report, Severity, json};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn arb_report() -> impl Strategy<Value = Report> {
    (
        2019i32..2031,
        proptest::collection::vec(0i64..50, 200),
        proptest::collection::vec(0u32..100_000, 30),
    )
        .prop_map(|(year, v, money)| {
            let mut r = common::consistent(year);
            common::fill_applications(
                &mut r,
                |row, col| v[(row * 7 + col) % v.len()],
                |c| v[(c * 13 + 5) % v.len()],
                |c| v[(c * 17 + 3) % v.len()],
            );
            common::fill_review(&mut r, |b, c| v[(b * 5 + c + 100) % v.len()]);
            let t2 = &mut r.tables.active_disclosure;
            let def = t2.def();
            for (ri, row) in def.rows.iter().enumerate() {
                for (ci, col) in row.cols.iter().enumerate() {
                    let k = ri * 4 + ci;
                    let value = match col.ty {
                        CellType::Count => Decimal::from(v[(k + 150) % v.len()]),
                        CellType::SignedCount => {
                            Decimal::from(v[(k + 160) % v.len()])
                                - Decimal::from(v[(k + 150) % v.len()]).min(Decimal::from(25))
                        }
                        CellType::Money => Decimal::new(i64::from(money[k % money.len()]), 4),
                    };
                    t2.set_at(ri, ci, Some(value));
                }
            }
            if r.format == Format::V2019 {
                // previous_items + change must stay ≥ 0 (H7b).
                for id in [
                    "licensing",
                    "other_services",
                    "penalties",
                    "enforcement",
                    "fees",
                ] {
                    let ch = t2.get(id, "change").unwrap().unwrap();
                    let p = t2.get(id, "previous_items").unwrap().unwrap();
                    if p + ch < Decimal::ZERO {
                        t2.set(id, "previous_items", Some(-ch));
                    }
                }
            }
            r
        })
}

fn errors(r: &Report) -> Vec<&gongkai_report::Finding> {
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn consistent_report_has_no_error(mut r in arb_report()) {
        validate::check(&mut r, &Options::default());
        prop_assert!(errors(&r).is_empty(), "{:#?}", errors(&r));
    }

    #[test]
    fn any_changed_cell_of_tables_3_and_4_is_named(r in arb_report(), pick in 0usize..1000, delta in prop_oneof![-20i64..-1, 1i64..20]) {
        let cells: Vec<(TableId, usize, usize)> = [TableId::Applications, TableId::ReviewLitigation]
            .iter()
            .flat_map(|t| r.tables.grid(*t).iter().map(move |(ri, ci, _)| (*t, ri, ci)))
            .collect();
        let (t, ri, ci) = cells[pick % cells.len()];
        let mut changed = r.clone();
        let old = changed.tables.grid(t).at(ri, ci).unwrap();
        let new = (old + Decimal::from(delta)).max(Decimal::ZERO);
        prop_assume!(new != old);
        changed.tables.grid_mut(t).set_at(ri, ci, Some(new));
        validate::check(&mut changed, &Options::default());
        let ptr = changed.tables.grid(t).pointer(ri, ci);
        let named = errors(&changed).iter().any(|f| f.rule.as_str().starts_with('H') && f.cells.contains(&ptr));
        prop_assert!(named, "{ptr} changed {old}→{new}: {:#?}", changed.findings);
    }

    #[test]
    fn negative_table_2_cell_is_named(r in arb_report(), pick in 0usize..100) {
        let g = &r.tables.active_disclosure;
        let cells: Vec<(usize, usize)> = g.iter()
            .filter(|(ri, ci, _)| g.def().rows[*ri].cols[*ci].ty != CellType::SignedCount)
            .map(|(ri, ci, _)| (ri, ci))
            .collect();
        let (ri, ci) = cells[pick % cells.len()];
        let mut changed = r.clone();
        changed.tables.active_disclosure.set_at(ri, ci, Some(Decimal::from(-1)));
        validate::check(&mut changed, &Options::default());
        let ptr = changed.tables.active_disclosure.pointer(ri, ci);
        prop_assert!(errors(&changed).iter().any(|f| matches!(f.rule.as_str(), "H5" | "H6") && f.cells.contains(&ptr)));
    }

    #[test]
    fn json_round_trips(mut r in arb_report()) {
        validate::check(&mut r, &Options::default());
        let text = json::to_string_pretty(&r);
        let back = json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &r);
    }
}
