//! The simulator panel: try Postern without hardware. For now it presents
//! cards and fobs at the simulated controllers' readers (the reader unlock
//! goes through the same access decision and is logged).

pub mod api;
mod simulator_page;

pub use simulator_page::SimulatorPage;
