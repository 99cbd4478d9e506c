//! Exact decimals in JSON: read from and written as plain decimal numbers, never through `f64`
//! (spec §3.1). Relies on serde_json's `arbitrary_precision`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

/// Plain decimal text: trailing zeros removed, no exponent, no separators (spec §7.1).
pub fn plain(d: Decimal) -> String {
    let n = d.normalize();
    if n.is_zero() {
        "0".to_owned()
    } else {
        n.to_string()
    }
}

/// Parses the text of a JSON number exactly (`2031.9`, `1e3`, `-2`).
pub fn from_json_number(s: &str) -> Option<Decimal> {
    if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str(s).ok()
    }
}

/// The JSON number for a decimal.
pub fn to_json_number(d: Decimal) -> serde_json::Number {
    serde_json::Number::from_str(&plain(d)).expect("a plain decimal is a JSON number")
}

/// `#[serde(with = "crate::decimal::option")]` for `Option<Decimal>`.
pub mod option {
    use super::{Decimal, Deserialize, Deserializer, Serializer, from_json_number, to_json_number};
    use serde::Serialize;

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => to_json_number(*d).serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        let n: Option<serde_json::Number> = Option::deserialize(d)?;
        match n {
            None => Ok(None),
            Some(n) => from_json_number(n.as_str())
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not a decimal: {n}"))),
        }
    }
}

/// `#[serde(with = "crate::decimal::list")]` for `Vec<Option<Decimal>>`.
pub mod list {
    use super::{Decimal, Deserialize, Deserializer, Serializer, from_json_number, to_json_number};
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(v: &[Option<Decimal>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for d in v {
            seq.serialize_element(&d.map(to_json_number))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<Decimal>>, D::Error> {
        let v: Vec<Option<serde_json::Number>> = Vec::deserialize(d)?;
        v.into_iter()
            .map(|n| match n {
                None => Ok(None),
                Some(n) => from_json_number(n.as_str())
                    .map(Some)
                    .ok_or_else(|| serde::de::Error::custom(format!("not a decimal: {n}"))),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text() {
        assert_eq!(plain(Decimal::from_str("2031.90").unwrap()), "2031.9");
        assert_eq!(plain(Decimal::from_str("0.0380").unwrap()), "0.038");
        assert_eq!(plain(Decimal::from_str("0.00").unwrap()), "0");
        assert_eq!(plain(Decimal::from_str("96171.6").unwrap()), "96171.6");
        assert_eq!(plain(Decimal::from(1200)), "1200");
        assert_eq!(from_json_number("1e3"), Some(Decimal::from(1000)));
        assert_eq!(
            to_json_number(Decimal::from_str("0.038").unwrap()).to_string(),
            "0.038"
        );
    }
}
