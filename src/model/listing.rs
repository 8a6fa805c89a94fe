use serde::{Deserialize, Serialize};

/// One page of a searchable list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl<T> Listing<T> {
    pub fn page_count(&self) -> u32 {
        let size = i64::from(self.page_size.max(1));
        u32::try_from((self.total + size - 1) / size).unwrap_or(u32::MAX).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_is_at_least_one() {
        let l = |total| Listing::<()> { items: vec![], total, page: 1, page_size: 25 };
        assert_eq!(l(0).page_count(), 1);
        assert_eq!(l(25).page_count(), 1);
        assert_eq!(l(26).page_count(), 2);
    }
}
