//! How many SMS segments a text takes, to keep messages short.

/// Characters of the GSM 03.38 basic set that are not plain printable ASCII.
const GSM_BASIC_EXTRA: &str = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r";
/// ASCII characters not in the basic set (`` ` `` has no GSM equivalent).
const NOT_GSM_ASCII: &str = "`";
/// Characters of the GSM extension table: two septets each.
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{0C}";

/// Septets in GSM-7, or `None` when the text needs UCS-2.
fn gsm_septets(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |count, c| {
        if GSM_EXTENDED.contains(c) {
            Some(count + 2)
        } else if ((' '..='~').contains(&c) && !NOT_GSM_ASCII.contains(c)) || GSM_BASIC_EXTRA.contains(c) {
            Some(count + 1)
        } else {
            None
        }
    })
}

/// The number of segments `text` is sent as (0 for empty text).
pub fn segments(text: &str) -> usize {
    let (units, single, multi) = match gsm_septets(text) {
        Some(septets) => (septets, 160, 153),
        None => (text.encode_utf16().count(), 70, 67),
    };
    match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(multi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_gsm_segments() {
        assert_eq!(segments(""), 0);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"a".repeat(307)), 3);
        assert_eq!(segments(&"[".repeat(80)), 1, "extension characters count twice");
        assert_eq!(segments(&"é".repeat(160)), 1, "é is in the GSM set");
    }

    #[test]
    fn counts_ucs2_segments() {
        assert_eq!(segments(&"ł".repeat(70)), 1);
        assert_eq!(segments(&"ł".repeat(71)), 2);
        assert_eq!(segments(&"ł".repeat(134)), 2);
        assert_eq!(segments(&"ł".repeat(135)), 3);
    }
}
