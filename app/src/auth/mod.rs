//! Sign-in, first run (owner setup) and sign-out.

pub mod api;
mod login_page;
mod setup_page;

pub use login_page::LoginPage;
pub use setup_page::SetupPage;

use postern::types::Role;

/// Where a person lands after signing in: staff on the dashboard, members on their doors.
pub fn home_for(role: Role) -> &'static str {
    if role.can_manage() {
        "/"
    } else {
        "/me"
    }
}
