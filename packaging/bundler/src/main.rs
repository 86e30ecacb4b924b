//! `lcpr-bundle`: reads packaging/bundle.toml and prepares what tauri-bundler is handed: the
//! icon set, the Linux desktop-entry template and the shared-mime-info type. Driving
//! tauri-bundler itself (`bundle_project`) is the next step (issue 20).

mod description;
mod freedesktop;
mod icons;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
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
    while let Some(a) = args.next() {
        match a.as_str() {
            "--description" => file = args.next().context("--description needs a file")?.into(),
            "--out" => out = Some(args.next().context("--out needs a folder")?.into()),
            other => bail!("unknown argument `{other}`: use --description FILE --out DIR"),
        }
    }
    let out = out.context("--out DIR is required")?;
    let loaded = description::load(&file)?;
    let desc = &loaded.desc;
    let set = icons::generate(
        &loaded.path(&desc.icon.source),
        &desc.package_name,
        &out.join("icons"),
    )?;
    let template = out.join(format!("{}.desktop.hbs", desc.package_name));
    std::fs::write(&template, freedesktop::desktop_template(desc))
        .with_context(|| format!("cannot write {}", template.display()))?;
    let mime = out.join(format!("{}.xml", desc.package_name));
    std::fs::write(&mime, freedesktop::mime_xml(desc))
        .with_context(|| format!("cannot write {}", mime.display()))?;
    println!(
        "{} {}: {} icons for this OS, {}, {}",
        desc.name,
        loaded.version,
        set.for_host().len(),
        template.display(),
        mime.display()
    );
    Ok(())
}
