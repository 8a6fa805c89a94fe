//! Scheduled unlocks: a door's "Scheduled unlocks" tab (list, editor with
//! the next activations in the place's and the viewer's time zone, what
//! holds the door back, its zone), and a place's holidays and zones.

pub mod api;
mod door_schedules;
mod door_zone_picker;
mod held_back_note;
mod next_activations;
mod place_holidays;
mod place_scheduling;
mod place_zones;
mod schedule_editor;
mod schedule_list;
mod summary;
mod viewer_zone;

pub use door_schedules::{DoorSchedules, ScheduleEditorPage};
pub use held_back_note::DoorHeldBack;
pub use place_scheduling::PlaceScheduling;
