//! Small building blocks shared by the feature pages.

mod check_field;
mod confirm_delete;
mod form_banner;
mod pager;
mod refresh;
mod search_bar;
mod select_field;
mod status_badge;
mod text_area_field;
mod text_field;

pub use check_field::CheckField;
pub use confirm_delete::ConfirmDelete;
pub use form_banner::FormBanner;
pub use pager::Pager;
pub use refresh::refresh_every;
pub use search_bar::SearchBar;
pub use select_field::SelectField;
pub use status_badge::StatusBadge;
pub use text_area_field::TextAreaField;
pub use text_field::TextField;

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The last error of an action, as a signal the fields read their message from.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// The `name` of a form input bound to a struct argument called `form`.
pub fn form_name(field: &str) -> String {
    format!("form[{field}]")
}
