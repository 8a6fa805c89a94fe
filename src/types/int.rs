//! Integer parsing shared by the numeric types.

/// Parses trimmed decimal text with an optional sign, saturating huge values
/// so range checks can give the right message. None when it is not a whole number.
pub(crate) fn parse_int(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.parse::<i64>().unwrap_or(i64::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_numbers() {
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("+7"), Some(7));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("007"), Some(7));
    }

    #[test]
    fn saturates_huge_values() {
        assert_eq!(parse_int("99999999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_int("-99999999999999999999999"), Some(-i64::MAX));
    }

    #[test]
    fn rejects_other_text() {
        for bad in ["", " ", "-", "+", "1.5", "1e3", "abc", "12a", "- 1", "--1"] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }
}
