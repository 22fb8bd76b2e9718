//! The order in which query and document ids are listed for people: digit runs compare as
//! numbers, so `PLAIN-102` comes before `PLAIN-1008` and `9` before `10`. Files keep byte
//! order (trec_eval's), only displays use this.

use std::cmp::Ordering;

/// Natural order of two ids: runs of ASCII digits compare by value (then by length, so
/// `007` follows `7`), everything else bytewise; byte order breaks the remaining ties.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        if x[i].is_ascii_digit() && y[j].is_ascii_digit() {
            let (ei, ej) = (digits_end(x, i), digits_end(y, j));
            let (ri, rj) = (trim_zeros(&x[i..ei]), trim_zeros(&y[j..ej]));
            let by_value = ri.len().cmp(&rj.len()).then_with(|| ri.cmp(rj));
            let o = by_value.then_with(|| (ei - i).cmp(&(ej - j)));
            if o != Ordering::Equal {
                return o;
            }
            (i, j) = (ei, ej);
        } else {
            match x[i].cmp(&y[j]) {
                Ordering::Equal => (i, j) = (i + 1, j + 1),
                o => return o,
            }
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| x.cmp(y))
}

fn digits_end(s: &[u8], from: usize) -> usize {
    s[from..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(s.len(), |p| from + p)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_compare_as_numbers() {
        let mut ids = vec![
            "PLAIN-1008",
            "PLAIN-102",
            "PLAIN-2",
            "10",
            "9",
            "a",
            "007",
            "7",
            "PLAIN-102b",
            "PLAIN-",
            "99999999999999999999999",
            "100000000000000000000000",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "7",
                "007",
                "9",
                "10",
                "99999999999999999999999",
                "100000000000000000000000",
                "PLAIN-",
                "PLAIN-2",
                "PLAIN-102",
                "PLAIN-102b",
                "PLAIN-1008",
                "a",
            ]
        );
    }

    #[test]
    fn is_a_total_order_consistent_with_equality() {
        let ids = ["x1", "x01", "x1a", "x", "1", "01", "", "x10", "x9"];
        for a in ids {
            assert_eq!(natural_cmp(a, a), Ordering::Equal);
            for b in ids {
                assert_eq!(natural_cmp(a, b), natural_cmp(b, a).reverse(), "{a} {b}");
                assert_eq!(natural_cmp(a, b) == Ordering::Equal, a == b, "{a} {b}");
                for c in ids {
                    if natural_cmp(a, b).is_le() && natural_cmp(b, c).is_le() {
                        assert!(natural_cmp(a, c).is_le(), "{a} {b} {c}");
                    }
                }
            }
        }
    }
}
