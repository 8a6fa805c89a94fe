//! The dashboard's frame (navigation, signed-in user) and the not-found page.

mod dashboard_layout;
mod not_found;
mod page_header;

pub use dashboard_layout::DashboardLayout;
pub use not_found::NotFound;
pub use page_header::PageHeader;
