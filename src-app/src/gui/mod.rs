//! The desktop workbench: an eframe/egui face over `lcpr-core`. It edits the document and shows
//! computed results; every number comes from the core.
//!
//! Layout follows one pattern: [`session`] owns the document (undo, dirty state, evaluation),
//! [`navigator`] and [`editor`] edit it, each analysis view is one file in [`views`] behind the
//! [`views::View`] trait, and [`plot`] draws the core's chart data. [`theme`] holds the design
//! tokens and [`widgets`] the shared inputs.

pub mod app;
pub mod catalog_browser;
pub mod dialogs;
pub mod editor;
pub mod help;
pub mod import_preview;
pub mod invoice_setup;
pub mod navigator;
pub mod new_case;
pub mod plot;
pub mod sections;
pub mod session;
pub mod storage;
pub mod theme;
pub mod trace_setup;
pub mod views;
pub mod widgets;

pub use app::{LaunchOptions, WorkbenchApp};
