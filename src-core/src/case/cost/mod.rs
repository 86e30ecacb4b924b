//! A scenario's cost, twice: [`exact`] computes it in Decimal to the cent for what people read;
//! [`fast`] compiles the workspace once into f64 so Monte Carlo can re-cost every scenario per
//! draw without cloning and re-validating the workspace. Two implementations are kept for that
//! measured reason: the `default workspace, 10k draws` group of `cargo bench -p lcpr-core
//! --bench monte_carlo` runs on [`fast`]. `fast`'s test
//! `twin_matches_the_decimal_cost_on_every_shipped_workspace` pins the two together.

pub mod exact;
pub mod fast;
