//! `packaging/bundle.toml`: the one description every installer is made from.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use tauri_bundler::AppCategory;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    pub name: String,
    pub package_name: String,
    pub identifier: String,
    pub version_from: VersionFrom,
    pub publisher: String,
    pub maintainer: String,
    pub copyright: String,
    pub license: String,
    pub category: AppCategory,
    pub short_description: String,
    pub long_description: String,
    pub binaries: Vec<String>,
    pub icon: IconSource,
    pub desktop: Desktop,
    pub file_association: Association,
    pub resources: Resources,
    pub deb: Deb,
    pub rpm: Rpm,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionFrom {
    pub manifest: PathBuf,
    pub package: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IconSource {
    pub source: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desktop {
    pub generic_name: String,
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Association {
    pub extension: String,
    pub mime_type: String,
    pub description: String,
    pub sub_class_of: String,
    pub macos_conforms_to: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub workspaces: String,
    pub docs: Vec<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deb {
    pub section: String,
    pub depends: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rpm {
    pub depends: Vec<String>,
}

/// A description with its paths resolved against the folder of the file.
#[derive(Debug)]
pub struct Loaded {
    pub desc: Description,
    pub dir: PathBuf,
    pub version: String,
}

impl Loaded {
    pub fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.dir.join(relative)
    }
}

pub fn load(file: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the bundle description {}", file.display()))?;
    let desc = parse(&text).with_context(|| format!("{}", file.display()))?;
    let dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let manifest = dir.join(&desc.version_from.manifest);
    let version = cargo_version(&manifest, &desc.version_from.package).with_context(|| {
        format!(
            "{}: version_from names package `{}` in {}",
            file.display(),
            desc.version_from.package,
            manifest.display()
        )
    })?;
    Ok(Loaded { desc, dir, version })
}

/// Parses and checks the description; each error names the field, the rule and the fix.
pub fn parse(text: &str) -> Result<Description> {
    let desc: Description = toml::from_str(text)?;
    if desc.binaries.is_empty() {
        bail!("`binaries` is empty: list the executables to install, the one to launch first");
    }
    let ext = &desc.file_association.extension;
    if ext.is_empty() || ext.starts_with('.') || ext.contains('/') {
        bail!(
            "file_association.extension `{ext}` must be the extension without its leading dot, e.g. `lcpr.yaml`"
        );
    }
    for (field, mime) in [
        (
            "file_association.mime_type",
            &desc.file_association.mime_type,
        ),
        (
            "file_association.sub_class_of",
            &desc.file_association.sub_class_of,
        ),
    ] {
        let ok = mime.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && !mime.contains(char::is_whitespace)
        });
        if !ok {
            bail!("{field} `{mime}` is not a MIME type: write it as `type/subtype`");
        }
    }
    if desc.package_name.is_empty()
        || !desc
            .package_name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        bail!(
            "package_name `{}` must be lowercase letters, digits and `-` (it names the Linux package)",
            desc.package_name
        );
    }
    // The desktop entry is a template with {{...}} fields: a brace or a line break in a value
    // would change it.
    let texts = [
        ("name", desc.name.as_str()),
        ("desktop.generic_name", desc.desktop.generic_name.as_str()),
        ("short_description", desc.short_description.as_str()),
    ];
    for (field, value) in texts.into_iter().chain(
        desc.desktop
            .keywords
            .iter()
            .map(|k| ("desktop.keywords", k.as_str())),
    ) {
        if value.contains(['{', '}', '\n', ';']) || value.trim().is_empty() {
            bail!(
                "{field} `{value}` must be one non-empty line without braces or semicolons (it goes into the desktop entry)"
            );
        }
    }
    Ok(desc)
}

/// The version cargo reports for `package`, workspace inheritance resolved.
fn cargo_version(manifest: &Path, package: &str) -> Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .context("cannot run `cargo metadata`")?;
    if !out.status.success() {
        bail!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    version_in_metadata(&out.stdout, package)
}

fn version_in_metadata(json: &[u8], package: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    let meta: Metadata = serde_json::from_slice(json).context("unreadable `cargo metadata`")?;
    meta.packages
        .into_iter()
        .find(|p| p.name == package)
        .map(|p| p.version)
        .with_context(|| format!("no package `{package}` in that workspace"))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../bundle.toml");

    #[test]
    fn the_shipped_description_parses() {
        let d = parse(SHIPPED).unwrap();
        assert_eq!(d.binaries[0], "lcpr-workbench");
        assert_eq!(d.file_association.extension, "lcpr.yaml");
    }

    #[test]
    fn a_dotted_extension_is_refused_with_the_fix() {
        let text = SHIPPED.replace("extension = \"lcpr.yaml\"", "extension = \".lcpr.yaml\"");
        let err = format!("{:#}", parse(&text).unwrap_err());
        assert!(err.contains("file_association.extension"), "{err}");
        assert!(err.contains("without its leading dot"), "{err}");
    }

    #[test]
    fn a_bad_mime_type_is_refused() {
        let text = SHIPPED.replace(
            "mime_type = \"application/x-lcpr-workspace\"",
            "mime_type = \"lcpr workspace\"",
        );
        let err = format!("{:#}", parse(&text).unwrap_err());
        assert!(err.contains("file_association.mime_type"), "{err}");
    }

    #[test]
    fn an_unknown_field_names_itself() {
        let text = format!("{SHIPPED}\n[deb]\nsection = \"x\"\n");
        assert!(parse(&text).is_err());
        let text = SHIPPED.replace("publisher =", "publishr =");
        let err = format!("{:#}", parse(&text).unwrap_err());
        assert!(err.contains("publishr"), "{err}");
    }

    #[test]
    fn a_brace_in_a_desktop_field_is_refused() {
        let text = SHIPPED.replace(
            "generic_name = \"Inference cost decision workbench\"",
            "generic_name = \"{{exec}}\"",
        );
        let err = format!("{:#}", parse(&text).unwrap_err());
        assert!(err.contains("desktop.generic_name"), "{err}");
    }

    #[test]
    fn the_version_is_the_named_packages() {
        let json = br#"{"packages":[{"name":"lcpr-core","version":"9.9.9"},{"name":"lcpr-workbench","version":"0.3.1"}]}"#;
        assert_eq!(
            version_in_metadata(json, "lcpr-workbench").unwrap(),
            "0.3.1"
        );
        let err = format!("{:#}", version_in_metadata(json, "nope").unwrap_err());
        assert!(err.contains("no package `nope`"), "{err}");
    }
}
