//! The description turned into tauri-bundler's settings, and the bundling itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use tauri_bundler::{
    BundleBinary, BundleSettings, DebianSettings, MacOsSettings, NsisSettings, PackageSettings,
    PackageType, RpmSettings, Settings, SettingsBuilder, WindowsSettings,
};
use tauri_utils::config::{
    AssociationExt, BundleTypeRole, ExportedFileAssociation, FileAssociation, HandlerRank,
    WebviewInstallMode,
};

use crate::description::{Description, Loaded};

/// The formats made on this OS. Those whose bundler downloads its tools (AppImage here; WiX and
/// NSIS on Windows) are only made when asked for, on a machine with network access.
pub fn host_formats(appimage: bool) -> Vec<PackageType> {
    if cfg!(target_os = "macos") {
        vec![PackageType::MacOsBundle, PackageType::Dmg]
    } else if cfg!(target_os = "windows") {
        vec![PackageType::WindowsMsi, PackageType::Nsis]
    } else if appimage {
        vec![PackageType::Deb, PackageType::Rpm, PackageType::AppImage]
    } else {
        vec![PackageType::Deb, PackageType::Rpm]
    }
}

/// What lcpr-bundle made before handing over to tauri-bundler.
pub struct Prepared {
    /// Where the binaries were staged; tauri-bundler reads them from, and writes its bundles
    /// under, this folder.
    pub stage: PathBuf,
    pub icons: Vec<String>,
    pub ico: PathBuf,
    pub desktop_template: PathBuf,
    pub mime_xml: PathBuf,
}

/// Copies the binaries from `bin_dir` into `stage`. tauri-bundler takes each binary from its
/// output folder and rewrites the main one after every format, so it works on copies, never
/// on the build's own files. On Linux the copies are stripped of debug information, as
/// Debian and Fedora ship binaries.
pub fn stage_binaries(desc: &Description, bin_dir: &Path, stage: &Path) -> Result<()> {
    std::fs::create_dir_all(stage).with_context(|| format!("cannot create {}", stage.display()))?;
    for name in &desc.binaries {
        let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
        let from = bin_dir.join(&file);
        if !from.is_file() {
            bail!(
                "binary `{name}` is not in {}: build it first (`cargo build -p {} --bins`, add --release for a release) or pass its folder with --bin-dir",
                bin_dir.display(),
                desc.version_from.package
            );
        }
        let to = stage.join(&file);
        std::fs::copy(&from, &to)
            .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
        if cfg!(target_os = "linux") {
            let status = Command::new("strip")
                .arg("--strip-debug")
                .arg(&to)
                .status()
                .context("cannot run `strip` (binutils): install it, it comes with the C toolchain cargo links with")?;
            if !status.success() {
                bail!("`strip --strip-debug {}` failed", to.display());
            }
        }
    }
    Ok(())
}

/// The example workspaces, each installed under `workspaces/` with the association's extension
/// (`support-migration.yaml` becomes `support-migration.lcpr.yaml`), so an installed example
/// opens on double-click like a colleague's file. Sorted, so a bundle lists them in one order.
pub fn workspace_resources(loaded: &Loaded) -> Result<Vec<(PathBuf, String)>> {
    let pattern = loaded.path(&loaded.desc.resources.workspaces);
    let pattern_text = pattern.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in glob::glob(&pattern_text)
        .with_context(|| format!("resources.workspaces `{pattern_text}` is not a glob pattern"))?
    {
        let path = entry.with_context(|| format!("cannot read a match of `{pattern_text}`"))?;
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{}: file name is not UTF-8", path.display()))?;
        let target = format!(
            "workspaces/{}",
            installed_name(name, &loaded.desc.file_association.extension)
        );
        found.push((path, target));
    }
    if found.is_empty() {
        bail!(
            "resources.workspaces `{pattern_text}` matches no file: point it at the example workspaces"
        );
    }
    found.sort();
    Ok(found)
}

/// `NAME.yaml` → `NAME.EXT`; a name that already ends in `.EXT` is kept.
pub fn installed_name(file_name: &str, ext: &str) -> String {
    if file_name.ends_with(&format!(".{ext}")) {
        return file_name.to_string();
    }
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    format!("{stem}.{ext}")
}

/// The associations: a workspace's extension and MIME type, exported on macOS as its own UTI
/// conforming to YAML.
///
/// Finder and Explorer choose an app by the last extension only (`.yaml`), so there the
/// workspace association alone never opens a `*.lcpr.yaml`. On macOS the app therefore also
/// declares YAML at the Alternate rank: it is offered under "Open With" without becoming the
/// default for every YAML file. On Windows the bundlers can only make an app the default for an
/// extension, so YAML is left to the user's choice there.
pub fn file_associations(desc: &Description, macos: bool) -> Vec<FileAssociation> {
    let a = &desc.file_association;
    let uti = format!("{}.workspace", desc.identifier);
    let mut list = vec![FileAssociation {
        ext: vec![AssociationExt(a.extension.clone())],
        content_types: Some(vec![uti.clone()]),
        name: Some(a.description.clone()),
        description: Some(a.description.clone()),
        role: BundleTypeRole::Editor,
        mime_type: Some(a.mime_type.clone()),
        rank: HandlerRank::Owner,
        exported_type: Some(ExportedFileAssociation {
            identifier: uti,
            conforms_to: Some(a.macos_conforms_to.clone()),
        }),
        android_intent_action_filters: None,
    }];
    if macos {
        let last = a.extension.rsplit('.').next().unwrap_or(&a.extension);
        list.push(FileAssociation {
            ext: vec![AssociationExt(last.to_string())],
            content_types: Some(a.macos_conforms_to.iter().take(1).cloned().collect()),
            name: Some(format!("{} (as {last})", a.description)),
            description: None,
            role: BundleTypeRole::Editor,
            mime_type: None,
            rank: HandlerRank::Alternate,
            exported_type: None,
            android_intent_action_filters: None,
        });
    }
    list
}

/// The product name tauri-bundler names files after. Linux names the package, the desktop
/// entry (`/usr/share/applications/NAME.desktop`) and the resource folder (`/usr/lib/NAME`)
/// after it, so there it is the package name; the .app, the MSI and the NSIS installer show it
/// to people, so there it is the display name.
pub fn product_name(desc: &Description) -> String {
    if cfg!(target_os = "linux") {
        desc.package_name.clone()
    } else {
        desc.name.clone()
    }
}

/// tauri-bundler's settings for `formats`, from the description and what was prepared.
pub fn settings(
    loaded: &Loaded,
    prepared: &Prepared,
    formats: Vec<PackageType>,
) -> Result<Settings> {
    let desc = &loaded.desc;
    let resources: HashMap<String, String> = workspace_resources(loaded)?
        .into_iter()
        .map(|(path, target)| (path.to_string_lossy().into_owned(), target))
        .collect();
    // Files the Linux packages install beside what tauri-bundler lays out itself.
    let mut linux_files = HashMap::from([(
        PathBuf::from(format!(
            "/usr/share/mime/packages/{}.xml",
            desc.package_name
        )),
        prepared.mime_xml.clone(),
    )]);
    for doc in &desc.resources.docs {
        let source = loaded.path(doc);
        let name = source
            .file_name()
            .with_context(|| format!("resources.docs `{}` names no file", doc.display()))?;
        if !source.is_file() {
            bail!(
                "resources.docs `{}`: {} is not a file",
                doc.display(),
                source.display()
            );
        }
        linux_files.insert(
            Path::new("/usr/share/doc")
                .join(&desc.package_name)
                .join(name),
            source,
        );
    }
    let binaries = desc
        .binaries
        .iter()
        .enumerate()
        .map(|(i, name)| BundleBinary::new(name.clone(), i == 0))
        .collect();
    let bundle = BundleSettings {
        identifier: Some(desc.identifier.clone()),
        publisher: Some(desc.publisher.clone()),
        icon: Some(prepared.icons.clone()),
        resources_map: Some(resources),
        copyright: Some(desc.copyright.clone()),
        license: Some(desc.license.clone()),
        category: Some(desc.category),
        file_associations: Some(file_associations(desc, cfg!(target_os = "macos"))),
        short_description: Some(desc.short_description.clone()),
        long_description: Some(desc.long_description.clone()),
        deb: DebianSettings {
            depends: Some(desc.deb.depends.clone()),
            files: linux_files.clone(),
            desktop_template: Some(prepared.desktop_template.clone()),
            section: Some(desc.deb.section.clone()),
            ..DebianSettings::default()
        },
        rpm: RpmSettings {
            depends: Some(desc.rpm.depends.clone()),
            files: linux_files,
            desktop_template: Some(prepared.desktop_template.clone()),
            release: "1".into(),
            ..RpmSettings::default()
        },
        macos: MacOsSettings {
            bundle_name: Some(desc.name.clone()),
            ..MacOsSettings::default()
        },
        // The MSI takes its icon from `icon_path` while it is set, and its default names a
        // file this project does not have; the NSIS installer takes its own. The workbench
        // draws with OpenGL, not a webview: the installers must not fetch WebView2.
        #[allow(deprecated)]
        windows: WindowsSettings {
            icon_path: prepared.ico.clone(),
            webview_install_mode: WebviewInstallMode::Skip,
            nsis: Some(NsisSettings {
                installer_icon: Some(prepared.ico.clone()),
                ..NsisSettings::default()
            }),
            ..WindowsSettings::default()
        },
        ..BundleSettings::default()
    };
    SettingsBuilder::new()
        .project_out_directory(&prepared.stage)
        .package_settings(PackageSettings {
            product_name: product_name(desc),
            version: loaded.version.clone(),
            description: desc.short_description.clone(),
            homepage: None,
            authors: Some(vec![desc.maintainer.clone()]),
            default_run: desc.binaries.first().cloned(),
        })
        .bundle_settings(bundle)
        .binaries(binaries)
        .package_types(formats)
        // The binaries are not Tauri apps: there is no updater marker to patch into them.
        .binary_patching(false)
        .log_level(log::Level::Info)
        .build()
        .context("tauri-bundler refused the settings")
}

/// Makes the bundles; returns their paths.
pub fn run(settings: &Settings) -> Result<Vec<PathBuf>> {
    let bundles = tauri_bundler::bundle_project(settings).context("tauri-bundler failed")?;
    let mut paths: Vec<PathBuf> = bundles.into_iter().flat_map(|b| b.bundle_paths).collect();
    paths.sort();
    if paths.is_empty() {
        bail!("tauri-bundler made no bundle for this OS");
    }
    Ok(paths)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::description::load;

    fn shipped() -> Loaded {
        load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../bundle.toml")).unwrap()
    }

    #[test]
    fn a_workspace_is_installed_with_the_associations_extension() {
        assert_eq!(
            installed_name("support-migration.yaml", "lcpr.yaml"),
            "support-migration.lcpr.yaml"
        );
        assert_eq!(installed_name("a.lcpr.yaml", "lcpr.yaml"), "a.lcpr.yaml");
        assert_eq!(installed_name("plain", "lcpr.yaml"), "plain.lcpr.yaml");
    }

    #[test]
    fn every_example_workspace_is_a_resource() {
        let loaded = shipped();
        let found = workspace_resources(&loaded).unwrap();
        let on_disk =
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workspaces"))
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "yaml")
                })
                .count();
        assert_eq!(found.len(), on_disk);
        assert!(
            found
                .iter()
                .any(|(_, t)| t == "workspaces/support-migration.lcpr.yaml"),
            "{found:?}"
        );
        assert!(found.iter().all(|(_, t)| t.ends_with(".lcpr.yaml")));
    }

    #[test]
    fn a_glob_matching_nothing_is_refused() {
        let mut loaded = shipped();
        loaded.desc.resources.workspaces = "../nowhere/*.yaml".into();
        let err = format!("{:#}", workspace_resources(&loaded).unwrap_err());
        assert!(err.contains("matches no file"), "{err}");
    }

    #[test]
    fn the_settings_carry_the_description() {
        let loaded = shipped();
        let stage =
            std::env::temp_dir().join(format!("lcpr-bundle-settings-{}", std::process::id()));
        let prepared = Prepared {
            stage: stage.clone(),
            icons: vec![stage.join("icons/a-256.png").display().to_string()],
            ico: stage.join("icons/a.ico"),
            desktop_template: stage.join("a.desktop.hbs"),
            mime_xml: stage.join("a.xml"),
        };
        let s = settings(&loaded, &prepared, host_formats(false)).unwrap();
        assert_eq!(s.main_binary_name().unwrap(), "lcpr-workbench");
        assert_eq!(s.binaries().len(), 2);
        assert!(!s.binary_patching());
        assert_eq!(s.windows().webview_install_mode, WebviewInstallMode::Skip);
        assert_eq!(s.version_string(), loaded.version);
        let mime = Path::new("/usr/share/mime/packages/lcpr-workbench.xml");
        assert_eq!(s.deb().files.get(mime), Some(&prepared.mime_xml));
        assert_eq!(s.rpm().files.get(mime), Some(&prepared.mime_xml));
        let readme = Path::new("/usr/share/doc/lcpr-workbench/README.md");
        assert!(s.deb().files[readme].ends_with("README.md"));
        assert!(s.rpm().files[readme].is_file());
        assert_eq!(
            s.deb().desktop_template.as_deref(),
            Some(prepared.desktop_template.as_path())
        );
        assert!(s.deb().depends.as_ref().unwrap()[0].starts_with("libc6 (>= "));
        let fa = &s.file_associations().unwrap()[0];
        assert_eq!(fa.ext[0].0, "lcpr.yaml");
        assert_eq!(
            fa.mime_type.as_deref(),
            Some("application/x-lcpr-workspace")
        );
        let targets: Vec<String> = s
            .resource_files()
            .iter()
            .map(|r| r.unwrap().target().display().to_string())
            .collect();
        assert!(
            targets.contains(&"workspaces/support-migration.lcpr.yaml".to_string()),
            "{targets:?}"
        );
        if cfg!(target_os = "linux") {
            assert_eq!(s.product_name(), "lcpr-workbench");
            assert_eq!(
                s.package_types().unwrap(),
                vec![PackageType::Deb, PackageType::Rpm]
            );
        }
    }

    #[test]
    fn macos_also_offers_the_app_for_yaml_without_taking_it() {
        let desc = shipped().desc;
        let linux = file_associations(&desc, false);
        assert_eq!(linux.len(), 1);
        let mac = file_associations(&desc, true);
        assert_eq!(mac.len(), 2);
        assert_eq!(mac[0].rank, HandlerRank::Owner);
        assert_eq!(
            mac[0].exported_type.as_ref().unwrap().identifier,
            "dev.lcpr.workbench.workspace"
        );
        assert_eq!(mac[1].ext[0].0, "yaml");
        assert_eq!(mac[1].rank, HandlerRank::Alternate);
        assert_eq!(
            mac[1].content_types.as_deref(),
            Some(&["public.yaml".to_string()][..])
        );
        assert!(mac[1].mime_type.is_none());
    }

    #[test]
    fn a_missing_doc_is_refused() {
        let mut loaded = shipped();
        loaded.desc.resources.docs = vec!["../NOPE.md".into()];
        let stage = std::env::temp_dir();
        let prepared = Prepared {
            stage: stage.clone(),
            icons: Vec::new(),
            ico: stage.join("a.ico"),
            desktop_template: stage.join("a.desktop.hbs"),
            mime_xml: stage.join("a.xml"),
        };
        let err = format!(
            "{:#}",
            settings(&loaded, &prepared, host_formats(false)).unwrap_err()
        );
        assert!(err.contains("resources.docs `../NOPE.md`"), "{err}");
    }

    #[test]
    fn a_missing_binary_names_its_folder_and_the_build_command() {
        let loaded = shipped();
        let empty = std::env::temp_dir().join(format!("lcpr-bundle-nobin-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        let err = format!(
            "{:#}",
            stage_binaries(&loaded.desc, &empty, &empty.join("stage")).unwrap_err()
        );
        assert!(err.contains("binary `lcpr-workbench` is not in"), "{err}");
        assert!(
            err.contains("cargo build -p lcpr-workbench --bins"),
            "{err}"
        );
        std::fs::remove_dir_all(&empty).unwrap();
    }
}
