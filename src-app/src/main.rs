//! `lcpr-workbench`: the desktop workbench. `--headless` prints the evaluation instead.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use lcpr_workbench::gui::{LaunchOptions, WorkbenchApp};

/// LCPR Workbench: loaded cost per accepted result of LLM inference.
#[derive(Parser)]
#[command(name = "lcpr-workbench", version, about)]
struct Args {
    /// A workspace file to open.
    file: Option<PathBuf>,
    /// Print the evaluation of FILE (as `lcpr compute FILE`) instead of opening a window.
    #[arg(long)]
    headless: bool,
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let args = Args::parse();
    if args.headless {
        let Some(file) = args.file else {
            eprintln!("lcpr-workbench --headless needs a workspace file");
            return ExitCode::from(2);
        };
        return match lcpr_workbench::cli::compute::load_and_evaluate(&file) {
            Ok((ws, eval)) => {
                print!(
                    "{}",
                    lcpr_workbench::cli::compute::to_text(&file, &ws, &eval)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("lcpr-workbench: {e}");
                ExitCode::from(2)
            }
        };
    }
    let mut viewport = egui::ViewportBuilder::default();
    // A missing icon is cosmetic: the window opens without one.
    if let Ok(icon) =
        eframe::icon_data::from_png_bytes(include_bytes!("../../icons/lcpr-workbench-256.png"))
    {
        viewport = viewport.with_icon(std::sync::Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport: viewport
            .with_title("LCPR Workbench")
            .with_inner_size([1400.0, 880.0])
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let launch = LaunchOptions {
        file: args.file,
        started: Some(started),
        ..LaunchOptions::default()
    };
    match eframe::run_native(
        "LCPR Workbench",
        options,
        Box::new(|cc| Ok(Box::new(WorkbenchApp::new(cc, launch)))),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lcpr-workbench: {e}");
            ExitCode::FAILURE
        }
    }
}
