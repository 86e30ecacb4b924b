//! LCPR Workbench: the desktop workbench (`gui`) and the command line (`cli`), both thin faces
//! over `lcpr-core`, which holds the document and every computation.

pub mod cli;
pub mod gui;
