//! The 信息处理费 schedules (处理费办法 Art. 4 and 5, applications.md §7.3), in whole yuan.

/// The fee for the `n`-th item (1-based) of the same applicant in one calendar month, charged
/// per item (按件计收). Items 31–40 are 200 元 (the spec's reading of “以10件为一档”).
pub fn per_item_fee(n: u32) -> u64 {
    match n {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100 * (2 + u64::from((n - 31) / 10)),
    }
}

/// The fee for an application of `pages` pages, charged per volume (按量计收).
pub fn per_page_fee(pages: u32) -> u64 {
    let p = i64::from(pages);
    let tier = |lo: i64, hi: i64| (p - lo).clamp(0, hi - lo);
    let fee = 10 * tier(30, 100) + 20 * tier(100, 200) + 40 * (p - 200).max(0);
    fee.unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// applications.md §7.3, the worked examples.
    #[test]
    fn the_spec_examples() {
        assert_eq!(per_item_fee(10), 0);
        assert_eq!(per_item_fee(11), 100);
        assert_eq!(per_item_fee(35), 200);
        assert_eq!((1..=45).map(per_item_fee).sum::<u64>(), 5_500);
        assert_eq!(per_page_fee(30), 0);
        assert_eq!(per_page_fee(31), 10);
        assert_eq!(per_page_fee(120), 1_100);
        assert_eq!(per_page_fee(250), 4_700);
        assert_eq!(per_item_fee(40), 200);
        assert_eq!(per_item_fee(41), 300);
        assert_eq!(per_page_fee(0), 0);
        assert_eq!(per_page_fee(200), 700 + 2_000);
    }

    proptest::proptest! {
        #[test]
        fn fees_never_fall_as_counts_grow(n in 0u32..10_000, p in 0u32..100_000) {
            proptest::prop_assert!(per_item_fee(n + 1) >= per_item_fee(n));
            proptest::prop_assert!(per_page_fee(p + 1) >= per_page_fee(p));
        }
    }
}
