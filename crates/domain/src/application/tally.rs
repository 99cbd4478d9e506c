//! Table 3 of the annual report computed from the cases (applications.md §9, §10): no manual
//! entry. `NEW + CARRY_IN = TOTAL + CARRY_OUT` holds by construction in every column.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::vocab::{ApplicantType, Disposition};

/// What table 3 needs of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountedCase {
    pub applicant_type: ApplicantType,
    /// `None` until receipt is confirmed: such cases are not counted (§10.1).
    pub receipt_date: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub disposition: Option<Disposition>,
}

/// One row of table 3: the report model's row id, its label, the six applicant columns and 总计.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table3Row {
    pub id: &'static str,
    pub label: &'static str,
    pub group: Option<&'static str>,
    pub cells: [u64; 7],
}

/// Table 3 of one year, in the row order of the chosen format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table3 {
    pub year: i32,
    pub format_2019: bool,
    pub rows: Vec<Table3Row>,
}

impl Table3 {
    /// The row with this id.
    pub fn row(&self, id: &str) -> Option<&Table3Row> {
        self.rows.iter().find(|r| r.id == id)
    }
}

/// The applicant column (0–5) of a case's type in table 3.
pub fn column_of(t: ApplicantType) -> usize {
    ApplicantType::ALL
        .iter()
        .position(|x| *x == t)
        .unwrap_or(ApplicantType::ALL.len() - 1)
}

/// The rows of table 3 a case is counted in for `year` (§10.1), in its applicant column
/// ([`column_of`]). The one definition behind [`table3`] and the drill-down from a cell to its
/// cases, so the two cannot disagree.
pub fn rows_of(c: &CountedCase, year: i32, format_2019: bool) -> Vec<&'static str> {
    let mut rows = Vec::new();
    let Some(receipt) = c.receipt_date else {
        return rows;
    };
    if receipt.year() == year {
        rows.push("received");
    }
    if receipt.year() < year && c.closed_on.is_none_or(|d| d.year() >= year) {
        rows.push("carried_in");
    }
    if let (Some(closed), Some(disp)) = (c.closed_on, c.disposition)
        && closed.year() == year
    {
        rows.push(if format_2019 {
            disp.row_2019()
        } else {
            disp.id()
        });
        rows.push("total");
    }
    if receipt.year() <= year && c.closed_on.is_none_or(|d| d.year() > year) {
        rows.push("carried_over");
    }
    rows
}

/// Counts the cases for `year` (§10.1). Cases closed in the year count under their
/// disposition; open ones at year end are carried over.
pub fn table3(cases: &[CountedCase], year: i32, format_2019: bool) -> Table3 {
    let mut by: std::collections::BTreeMap<&'static str, [u64; 7]> =
        std::collections::BTreeMap::new();
    for c in cases {
        let i = column_of(c.applicant_type);
        for row in rows_of(c, year, format_2019) {
            let cells = by.entry(row).or_default();
            cells[i] += 1;
            cells[6] += 1;
        }
    }
    let cells_of = |id: &str| by.get(id).copied().unwrap_or_default();
    let (received, carried_in, total, carried_over) = (
        cells_of("received"),
        cells_of("carried_in"),
        cells_of("total"),
        cells_of("carried_over"),
    );
    let mut rows = vec![
        Table3Row {
            id: "received",
            label: "一、本年新收政府信息公开申请数量",
            group: None,
            cells: received,
        },
        Table3Row {
            id: "carried_in",
            label: "二、上年结转政府信息公开申请数量",
            group: None,
            cells: carried_in,
        },
    ];
    let mut other_2019_done = false;
    for d in Disposition::ALL {
        if format_2019 && d.row_2019() == "other" {
            if other_2019_done {
                continue;
            }
            other_2019_done = true;
            rows.push(Table3Row {
                id: "other",
                label: "（六）其他处理",
                group: Some("三、本年度办理结果"),
                cells: by.get("other").copied().unwrap_or_default(),
            });
            continue;
        }
        rows.push(Table3Row {
            id: d.id(),
            label: d.label(),
            group: d.group().or(Some("三、本年度办理结果")),
            cells: by.get(d.id()).copied().unwrap_or_default(),
        });
    }
    rows.push(Table3Row {
        id: "total",
        label: "（七）总计",
        group: Some("三、本年度办理结果"),
        cells: total,
    });
    rows.push(Table3Row {
        id: "carried_over",
        label: "四、结转下年度继续办理",
        group: None,
        cells: carried_over,
    });
    Table3 {
        year,
        format_2019,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn case(t: ApplicantType, r: &str, closed: Option<(&str, Disposition)>) -> CountedCase {
        CountedCase {
            applicant_type: t,
            receipt_date: Some(d(r)),
            closed_on: closed.map(|c| d(c.0)),
            disposition: closed.map(|c| c.1),
        }
    }

    /// §13.7 Example 6 and the identity of §10.1.
    #[test]
    fn carry_over_and_the_identity() {
        let cases = [
            case(
                ApplicantType::NaturalPerson,
                "2025-12-22",
                Some(("2026-01-15", Disposition::Granted)),
            ),
            case(
                ApplicantType::NaturalPerson,
                "2025-03-01",
                Some(("2025-03-20", Disposition::UnableNotHeld)),
            ),
            case(ApplicantType::LegalServiceOrg, "2025-11-03", None),
            case(
                ApplicantType::CommercialEnterprise,
                "2024-12-30",
                Some(("2025-01-10", Disposition::OtherOverdueFee)),
            ),
            CountedCase {
                applicant_type: ApplicantType::NaturalPerson,
                receipt_date: None,
                closed_on: None,
                disposition: None,
            },
        ];
        let t = table3(&cases, 2025, false);
        let cell = |id: &str, c: usize| t.row(id).unwrap().cells[c];
        assert_eq!(cell("received", 6), 3);
        assert_eq!(cell("carried_in", 6), 1);
        assert_eq!(cell("carried_in", 1), 1);
        assert_eq!(cell("total", 6), 2);
        assert_eq!(cell("other_overdue_fee", 1), 1);
        assert_eq!(cell("carried_over", 6), 2);
        assert_eq!(cell("carried_over", 0), 1);
        assert_eq!(t.rows.len(), 25);
        let next = table3(&cases, 2026, false);
        assert_eq!(
            next.row("carried_in").unwrap().cells,
            t.row("carried_over").unwrap().cells
        );
        for tt in [&t, &next, &table3(&cases, 2025, true)] {
            for c in 0..7 {
                let get = |id: &str| tt.row(id).unwrap().cells[c];
                assert_eq!(
                    get("received") + get("carried_in"),
                    get("total") + get("carried_over")
                );
                let outcomes: u64 = tt.rows[2..tt.rows.len() - 2]
                    .iter()
                    .map(|r| r.cells[c])
                    .sum();
                assert_eq!(outcomes, get("total"));
            }
        }
        let old = table3(&cases, 2025, true);
        assert_eq!(old.rows.len(), 23);
        assert_eq!(old.row("other").unwrap().cells[6], 1);
    }
}
