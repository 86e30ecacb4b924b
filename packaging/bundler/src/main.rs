//! `lcpr-bundle`: reads packaging/bundle.toml, prepares what tauri-bundler needs beyond the
//! description (the icon set, the Linux desktop-entry template and the shared-mime-info type),
//! stages the binaries and has tauri-bundler make the installers of the host OS.
//!
//!     lcpr-bundle --bin-dir TARGET/release --out DIR [--appimage] [--description FILE]

mod bundle;
mod description;
mod freedesktop;
mod icons;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "use --bin-dir DIR --out DIR [--appimage] [--description FILE]";

fn main() -> ExitCode {
    if log::set_logger(&Logger).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lcpr-bundle: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut file = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../bundle.toml"));
    let mut out: Option<PathBuf> = None;
    let mut bin_dir: Option<PathBuf> = None;
    let mut appimage = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--description" => file = args.next().context("--description needs a file")?.into(),
            "--out" => out = Some(args.next().context("--out needs a folder")?.into()),
            "--bin-dir" => bin_dir = Some(args.next().context("--bin-dir needs a folder")?.into()),
            // AppImage's bundler downloads linuxdeploy and its plugins: a release machine's step.
            "--appimage" => appimage = true,
            other => bail!("unknown argument `{other}`: {USAGE}"),
        }
    }
    let out = out.with_context(|| format!("--out DIR is required: {USAGE}"))?;
    let bin_dir = bin_dir.with_context(|| {
        format!("--bin-dir DIR (the folder cargo built the binaries in) is required: {USAGE}")
    })?;
    if appimage && !cfg!(target_os = "linux") {
        bail!("--appimage is a Linux format: run it on a Linux machine");
    }
    // Without TLS the download would fail half-way through bundling; say so before starting.
    if (appimage || cfg!(target_os = "windows")) && !cfg!(feature = "download-tools") {
        bail!(
            "{} over HTTPS: build lcpr-bundle with `--features download-tools` on a machine with network access",
            if appimage {
                "the AppImage bundler downloads linuxdeploy"
            } else {
                "the .msi and NSIS bundlers download WiX and NSIS"
            }
        );
    }
    let loaded = description::load(&file)?;
    let desc = &loaded.desc;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let out = out
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", out.display()))?;
    let set = icons::generate(
        &loaded.path(&desc.icon.source),
        &desc.package_name,
        &out.join("icons"),
    )?;
    let desktop_template = out.join(format!("{}.desktop.hbs", desc.package_name));
    std::fs::write(&desktop_template, freedesktop::desktop_template(desc))
        .with_context(|| format!("cannot write {}", desktop_template.display()))?;
    let mime_xml = out.join(format!("{}.xml", desc.package_name));
    std::fs::write(&mime_xml, freedesktop::mime_xml(desc))
        .with_context(|| format!("cannot write {}", mime_xml.display()))?;
    let stage = out.join("stage");
    bundle::stage_binaries(desc, &bin_dir, &stage)?;
    let prepared = bundle::Prepared {
        stage,
        icons: set.for_host(),
        ico: set.ico.clone(),
        desktop_template,
        mime_xml,
    };
    let settings = bundle::settings(&loaded, &prepared, bundle::host_formats(appimage))?;
    let paths = bundle::run(&settings)?;
    println!("{} {}:", desc.name, loaded.version);
    for p in paths {
        println!("{}", p.display());
    }
    Ok(())
}

/// tauri-bundler reports each step through `log`; they go to stderr, the bundles' paths to
/// stdout.
struct Logger;

impl log::Log for Logger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{:>5} {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}
