//! Simulation settings: the draws and seed every Monte Carlo run and forecast uses.

use egui::Ui;
use lcpr_core::document::{MAX_DRAWS, Workspace};

use crate::gui::widgets;

pub(super) fn ui(ui: &mut Ui, ws: &mut Workspace) -> bool {
    let s = &mut ws.simulation;
    let mut draws = s.draws as u64;
    if widgets::count(
        ui,
        "draws",
        "Draws per run",
        "more: steadier P10/P90, slower",
        &mut draws,
        (1, MAX_DRAWS as u64),
    ) {
        s.draws = usize::try_from(draws).unwrap_or(MAX_DRAWS);
    }
    widgets::count(
        ui,
        "seed",
        "Seed",
        "same seed, same draws",
        &mut s.seed,
        (0, u64::MAX),
    );
    true
}
