//! The simulator panel: try Postern without hardware. Per simulated
//! controller: its relays and doors with their state, a card presented at
//! each reader (the same access decision as at a real door, logged), the
//! exit buttons, the doors pushed open or shut, power cut and restored, and
//! the network cable pulled — what a real controller would report.

pub mod api;
mod simulator_page;

pub use simulator_page::SimulatorPage;
