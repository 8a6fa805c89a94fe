//! Proof that the request comes from someone standing at the door's reader.

use serde::{Deserialize, Serialize};

/// The outcome of the caller's check of the reader's proximity proof.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProximityProof {
    /// A fresh proof from this door's reader.
    Valid,
    /// A genuine proof, but too old.
    Stale,
    /// A proof that does not check out (wrong door, bad signature).
    Invalid,
    /// No proof came with the request.
    #[default]
    Missing,
}
