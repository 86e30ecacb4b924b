//! What Linux needs beyond tauri-bundler's own output: a desktop entry that passes the file it
//! is asked to open (`%f`), and a shared-mime-info type for workspace files.

use crate::description::Description;

/// The desktop entry as a tauri-bundler (Handlebars) template: tauri-bundler fills `exec`,
/// `icon`, `categories`, `comment` and `mime_type`; the rest comes from the description.
pub fn desktop_template(desc: &Description) -> String {
    let keywords: String = desc
        .desktop
        .keywords
        .iter()
        .map(|k| format!("{k};"))
        .collect();
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name={name}\n\
         GenericName={generic}\n\
         {{{{#if comment}}}}\n\
         Comment={{{{comment}}}}\n\
         {{{{/if}}}}\n\
         Exec={{{{exec}}}} %f\n\
         Icon={{{{icon}}}}\n\
         Terminal=false\n\
         Categories={{{{categories}}}}\n\
         Keywords={keywords}\n\
         {{{{#if mime_type}}}}\n\
         MimeType={{{{mime_type}}}};\n\
         {{{{/if}}}}\n",
        name = desc.name,
        generic = desc.desktop.generic_name,
    )
}

/// `/usr/share/mime/packages/NAME.xml`: the workspace type, matched by its extension. The
/// longer glob wins over the `*.yaml` of application/yaml (shared-mime-info's rule), and the
/// type is a sub-class of YAML so editors still offer to open it.
pub fn mime_xml(desc: &Description) -> String {
    let a = &desc.file_association;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <mime-info xmlns=\"http://www.freedesktop.org/standards/shared-mime-info\">\n\
         \x20 <mime-type type=\"{mime}\">\n\
         \x20   <comment>{comment}</comment>\n\
         \x20   <sub-class-of type=\"{parent}\"/>\n\
         \x20   <generic-icon name=\"text-x-generic\"/>\n\
         \x20   <glob pattern=\"*.{ext}\"/>\n\
         \x20 </mime-type>\n\
         </mime-info>\n",
        mime = xml_escape(&a.mime_type),
        comment = xml_escape(&a.description),
        parent = xml_escape(&a.sub_class_of),
        ext = xml_escape(&a.extension),
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::description::parse;

    fn shipped() -> Description {
        parse(include_str!("../../bundle.toml")).unwrap()
    }

    #[test]
    fn the_entry_passes_the_file_and_names_the_app() {
        let t = desktop_template(&shipped());
        assert!(t.contains("\nExec={{exec}} %f\n"), "{t}");
        assert!(t.contains("\nName=LCPR Workbench\n"), "{t}");
        assert!(t.contains("\nMimeType={{mime_type}};\n"), "{t}");
        assert!(
            t.contains("\nKeywords=LLM;inference;cost;LCPR;FinOps;\n"),
            "{t}"
        );
    }

    #[test]
    fn the_mime_type_globs_the_extension_and_escapes_text() {
        let mut d = shipped();
        d.file_association.description = "A & B <workspace>".into();
        let x = mime_xml(&d);
        assert!(x.contains("<glob pattern=\"*.lcpr.yaml\"/>"), "{x}");
        assert!(x.contains("type=\"application/x-lcpr-workspace\""), "{x}");
        assert!(
            x.contains("<comment>A &amp; B &lt;workspace&gt;</comment>"),
            "{x}"
        );
    }
}
