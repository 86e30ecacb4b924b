//! `lcpr`: the command-line interface of LCPR Workbench.

fn main() -> std::process::ExitCode {
    lcpr_workbench::cli::run()
}
