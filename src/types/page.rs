//! Which page of a long list to show.

use serde::{Deserialize, Serialize};

/// A 1-based page number and a page size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Page {
    /// 1 for the first page.
    pub number: u32,
    /// Rows per page.
    pub size: u32,
}

impl Page {
    /// Default rows per page.
    pub const SIZE: u32 = 25;

    /// Reads a page number from a query string; anything invalid gives page 1.
    pub fn parse(number: Option<&str>) -> Page {
        let number = number
            .and_then(|text| text.trim().parse::<u32>().ok())
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        Page {
            number,
            size: Self::SIZE,
        }
    }

    /// Rows to skip (SQL OFFSET).
    pub fn offset(&self) -> i64 {
        i64::from(self.number.max(1) - 1).saturating_mul(i64::from(self.size))
    }

    /// Rows to fetch (SQL LIMIT).
    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

impl Default for Page {
    fn default() -> Self {
        Page {
            number: 1,
            size: Self::SIZE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_or_missing_is_page_one() {
        for input in [
            None,
            Some(""),
            Some("0"),
            Some("-2"),
            Some("abc"),
            Some("99999999999"),
        ] {
            assert_eq!(Page::parse(input), Page::default(), "{input:?}");
        }
    }

    #[test]
    fn offset_and_limit() {
        let page = Page::parse(Some(" 3 "));
        assert_eq!(page.number, 3);
        assert_eq!(page.offset(), 50);
        assert_eq!(page.limit(), 25);
        assert_eq!(Page::default().offset(), 0);
        assert_eq!(
            Page {
                number: 0,
                size: 10
            }
            .offset(),
            0
        );
        let last = Page {
            number: u32::MAX,
            size: u32::MAX,
        };
        assert_eq!(last.offset(), i64::MAX);
    }
}
