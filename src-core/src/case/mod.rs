//! Stage: one workspace evaluated — every scenario costed, the reconciliations and load tests
//! read back, the cheapest route named.
//!
//! - [`cost`]: a scenario's monthly cost and LCPR, exact in Decimal and its fast f64 twin;
//! - [`evaluation`]: the whole workspace, as `lcpr compute` prints it and every view shows it;
//! - [`mix`]: a scenario split, cascaded, reserved + overflow or batched, part by part;
//! - [`current_route`]: each workload's current route as modelled, measured and reconciled;
//! - [`sources`]: where each input takes its value from, and evidence moving it;
//! - [`template`]: workload templates, and a complete new case made from one and the catalog.
//!
//! May use: `document`, `evidence`, `calc`. Never `decide` or `report`.

pub mod cost;
pub mod current_route;
pub mod evaluation;
pub mod mix;
pub mod sources;
pub mod template;
