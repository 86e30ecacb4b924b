//! The icon set, made at bundle time from the one source image with the `image` crate (already
//! a dependency of tauri-bundler, so no outside tool is needed on any runner).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use image::codecs::ico::{IcoEncoder, IcoFrame};
use image::imageops::FilterType;
use image::{ExtendedColorType, ImageFormat, RgbaImage};

/// Sizes of the Linux hicolor theme the desktops look up.
pub const LINUX_SIZES: &[u32] = &[16, 24, 32, 48, 64, 128, 256];
/// Sizes an `.icns` accepts (tauri-bundler refuses any other size for macOS).
pub const MACOS_SIZES: &[u32] = &[16, 32, 64, 128, 256];
/// Sizes Windows Explorer and the Start menu pick from an `.ico`.
pub const WINDOWS_SIZES: &[u32] = &[16, 24, 32, 48, 64, 256];

pub struct IconSet {
    pub pngs: Vec<(u32, PathBuf)>,
    pub ico: PathBuf,
}

impl IconSet {
    /// The icon files tauri-bundler should see for the host OS.
    pub fn for_host(&self) -> Vec<String> {
        let list = |sizes: &[u32]| -> Vec<String> {
            self.pngs
                .iter()
                .filter(|(s, _)| sizes.contains(s))
                .map(|(_, p)| p.display().to_string())
                .collect()
        };
        if cfg!(target_os = "windows") {
            vec![self.ico.display().to_string()]
        } else if cfg!(target_os = "macos") {
            list(MACOS_SIZES)
        } else {
            list(LINUX_SIZES)
        }
    }
}

/// Writes `NAME-SIZE.png` for every size any format needs, and `NAME.ico`, into `out`.
pub fn generate(source: &Path, name: &str, out: &Path) -> Result<IconSet> {
    let img = image::open(source)
        .with_context(|| format!("cannot read the icon source {}", source.display()))?
        .to_rgba8();
    let largest = LINUX_SIZES
        .iter()
        .chain(MACOS_SIZES)
        .chain(WINDOWS_SIZES)
        .max()
        .copied()
        .unwrap_or(256);
    if img.width() != img.height() || img.width() < largest {
        bail!(
            "the icon source {} is {}x{}: it must be square and at least {largest}x{largest} (icons are only scaled down)",
            source.display(),
            img.width(),
            img.height()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut sizes: Vec<u32> = LINUX_SIZES
        .iter()
        .chain(MACOS_SIZES)
        .chain(WINDOWS_SIZES)
        .copied()
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut pngs = Vec::new();
    let mut frames = Vec::new();
    for size in sizes {
        let scaled = scale(&img, size);
        let path = out.join(format!("{name}-{size}.png"));
        scaled
            .save_with_format(&path, ImageFormat::Png)
            .with_context(|| format!("cannot write {}", path.display()))?;
        if WINDOWS_SIZES.contains(&size) {
            let mut png = Vec::new();
            scaled
                .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
                .context("cannot encode an icon frame")?;
            frames.push(
                IcoFrame::with_encoded(png, size, size, ExtendedColorType::Rgba8)
                    .context("cannot make an icon frame")?,
            );
        }
        pngs.push((size, path));
    }
    let ico = out.join(format!("{name}.ico"));
    let file =
        std::fs::File::create(&ico).with_context(|| format!("cannot write {}", ico.display()))?;
    IcoEncoder::new(file)
        .encode_images(&frames)
        .with_context(|| format!("cannot write {}", ico.display()))?;
    Ok(IconSet { pngs, ico })
}

fn scale(img: &RgbaImage, size: u32) -> RgbaImage {
    if img.width() == size {
        img.clone()
    } else {
        image::imageops::resize(img, size, size, FilterType::Lanczos3)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_size_is_made_from_the_source_and_the_ico_holds_the_windows_sizes() {
        let dir = std::env::temp_dir().join(format!("lcpr-bundle-icons-{}", std::process::id()));
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/lcpr-workbench-256.png");
        let set = generate(&source, "app", &dir).unwrap();
        for (size, path) in &set.pngs {
            let (w, h) = image::image_dimensions(path).unwrap();
            assert_eq!((w, h), (*size, *size), "{}", path.display());
        }
        let ico = image::ImageReader::open(&set.ico)
            .unwrap()
            .with_guessed_format()
            .unwrap();
        assert_eq!(ico.format(), Some(ImageFormat::Ico));
        // The ICO directory: a count at bytes 4..6, then one 16-byte entry per frame whose
        // first byte is the width (0 meaning 256).
        let bytes = std::fs::read(&set.ico).unwrap();
        let count = u16::from_le_bytes([bytes[4], bytes[5]]) as usize;
        let widths: Vec<u32> = (0..count)
            .map(|i| match bytes[6 + 16 * i] {
                0 => 256,
                w => u32::from(w),
            })
            .collect();
        assert_eq!(widths, WINDOWS_SIZES);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_source_too_small_is_refused() {
        let dir = std::env::temp_dir().join(format!("lcpr-bundle-small-{}", std::process::id()));
        let source =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/lcpr-workbench-64.png");
        let err = format!("{:#}", generate(&source, "app", &dir).err().unwrap());
        assert!(err.contains("at least 256x256"), "{err}");
    }
}
