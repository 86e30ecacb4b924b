//! Monte Carlo: [`engine`] simulates any model over uncertain inputs; [`register`] runs it over
//! a workspace's assumption register; [`sampling`] draws each input from its distribution.

pub mod engine;
pub mod register;
pub mod sampling;

pub use engine::*;
