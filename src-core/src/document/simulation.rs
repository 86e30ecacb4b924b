//! The simulation settings a workspace stores: how each register entry is spread and how many
//! draws a run takes. The sampling itself is [`crate::decide::monte_carlo`]'s.

use serde::{Deserialize, Serialize};

/// The largest number of draws a run accepts (10⁶: about 8 MB per output or input).
pub const MAX_DRAWS: usize = 1_000_000;
/// The usual number of draws: the P10 and P90 of 10,000 draws move by well under 1% of the
/// spread between runs.
pub const DEFAULT_DRAWS: usize = 10_000;

/// The shape of an uncertain input's spread between its low, mode and high values.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Triangular with its peak at the mode: the default, easy to elicit from three numbers.
    #[default]
    Triangular,
    /// Every value in [low, high] equally likely; the mode is ignored.
    Uniform,
    /// Beta-PERT (λ = 4): smoother than triangular, weighted more towards the mode.
    Pert,
    /// Always the mode: a value treated as known.
    Fixed,
}

impl Distribution {
    /// Every distribution, in the order the user interface lists them.
    pub const ALL: [Self; 4] = [Self::Triangular, Self::Uniform, Self::Pert, Self::Fixed];

    /// The distribution's name as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Triangular => "triangular",
            Self::Uniform => "uniform",
            Self::Pert => "pert",
            Self::Fixed => "fixed",
        }
    }
}
