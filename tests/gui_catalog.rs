//! File → New from template… and File → Browse catalog…, driven headless with egui_kittest: a
//! case built from a template and catalog rows without touching YAML, whose Compare,
//! Sensitivity, Gates, Forecast and memo all have data; a catalog row added as a rate card and
//! route in one undo step; rate cards priced too long ago flagged.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lcpr_core::document::ScenarioStatus;
use lcpr_workbench::gui::dialogs::ScriptedDialogs;
use lcpr_workbench::gui::{LaunchOptions, WorkbenchApp};

fn app(file: Option<PathBuf>, answers: Vec<Option<PathBuf>>) -> Harness<'static, WorkbenchApp> {
    let options = LaunchOptions {
        file,
        storage: None,
        dialogs: Box::new(ScriptedDialogs::answering(answers)),
        started: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 1000.0))
        .with_step_dt(0.25)
        .build_eframe(move |cc| WorkbenchApp::new(cc, options));
    h.run_steps(3);
    h
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-gui-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn file_menu(h: &mut Harness<'_, WorkbenchApp>, entry: &str) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label(entry).click();
    h.run_steps(3);
}

/// Opens the chooser labelled `label` and picks the option whose text starts with `option`.
fn choose(h: &mut Harness<'_, WorkbenchApp>, label: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, label).click();
    h.run_steps(2);
    // The list's filter narrows sixty rows to the one wanted.
    h.get_by_role_and_label(Role::TextInput, "Filter").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text(option);
    h.run_steps(2);
    h.get_by_label_contains(&format!("{option} — ")).click();
    h.run_steps(2);
}

fn show(h: &mut Harness<'_, WorkbenchApp>, view: &str) {
    h.state_mut().show_view(view);
    h.run_steps(3);
    assert_eq!(h.state().active_view(), view);
}

#[test]
fn new_from_template_builds_a_case_whose_views_and_memo_all_have_data() {
    let dir = scratch("template");
    let memo = dir.join("memo.pdf");
    let mut h = app(None, vec![Some(memo.clone())]);
    file_menu(&mut h, "New from template…");
    assert!(h.state().choosing_template());
    // The defaults: the support template, GPT-5.4 today, one serverless candidate.
    assert!(
        h.query_by_label_contains("3 scenarios: today's route, 1 candidate,")
            .is_some()
    );
    choose(&mut h, "Candidate 2", "claude-sonnet-4-6");
    choose(&mut h, "Candidate 3", "coreweave-h100-1y");
    let line = format!("{:?}", h.get_by_label_contains("scenarios: today's route"));
    assert!(
        line.contains("4 scenarios: today's route, 3 candidates."),
        "{line}"
    );
    h.get_by_label("Create case").click();
    h.run_steps(4);
    assert!(!h.state().choosing_template());
    assert!(h.state().error().is_none(), "{:?}", h.state().error());

    let doc = h.state().session().doc.clone();
    assert_eq!(doc.scenarios.len(), 4);
    assert_eq!(doc.scenarios[0].status, ScenarioStatus::Current);
    assert_eq!(doc.rate_cards.len(), 4);
    assert!(doc.rate_cards.iter().all(|c| c.provenance.is_some()));
    assert!(doc.migration.is_some() && doc.forecast.is_some());
    assert!(!doc.register.is_empty());
    // A new case is unsaved, with no file yet.
    assert!(h.state().session().is_dirty());
    assert!(h.state().session().path().is_none());
    let eval = h.state().session().evaluation().clone();
    assert!(eval.scenarios.iter().all(|s| s.cost.is_some()));

    show(&mut h, "Compare");
    assert!(h.query_by_label("No scenarios yet").is_none());
    assert!(
        h.query_by_label_contains("Lowest LCPR for Support answer drafting")
            .is_some()
    );
    show(&mut h, "Sensitivity");
    assert!(h.query_by_label_contains("The dominant lever is").is_some());
    show(&mut h, "Gates");
    assert!(h.query_by_label("No migration case yet").is_none());
    assert!(
        h.query_by_label_contains("memory and context fit")
            .is_some()
    );
    show(&mut h, "Forecast");
    assert!(h.query_by_label("No forecast yet").is_none());
    assert!(h.query_all_by_label_contains("Move to ").count() >= 1);

    file_menu(&mut h, "Export memo…");
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let bytes = std::fs::read(&memo).expect("the memo was written");
    assert!(bytes.starts_with(b"%PDF"));
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&memo)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/test.sh installs it");
    let words = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("Decision:"), "{words}");
    assert!(words.contains("gpt-5.4 (OpenAI) today"), "{words}");
    assert!(words.contains("claude-sonnet-4-6 (Anthropic)"), "{words}");
}

#[test]
fn a_catalog_row_becomes_a_route_with_its_card_in_one_undo_step() {
    let file = support::repo_root().join("workspaces/support-migration.yaml");
    let mut h = app(Some(file), vec![]);
    let before = h.state().session().doc.clone();
    file_menu(&mut h, "Browse catalog…");
    assert!(h.state().browsing_catalog());
    // The default workspace's cards were priced in May: flagged against the 90-day default.
    assert!(
        h.query_by_label_contains("gpt-5.4: priced on 2026-05-12")
            .is_some()
    );
    // Search narrows the table; a row is selected and added as a route.
    h.get_by_role_and_label(Role::TextInput, "Search").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text("haiku");
    h.run_steps(2);
    assert!(h.state().browsing_catalog(), "{:?}", h.state().error());
    let count = format!("{:?}", h.get_by_label_contains(" of 35 rows"));
    assert!(count.contains("1 of 35 rows"), "{count}");
    h.get_by_label("claude-haiku-4-5").click();
    h.run_steps(2);
    h.get_by_label("Add route").click();
    h.run_steps(3);
    let doc = h.state().session().doc.clone();
    assert_eq!(doc.rate_cards.len(), before.rate_cards.len() + 1);
    assert_eq!(doc.routes.len(), before.routes.len() + 1);
    let card = doc.rate_card("claude-haiku-4-5").expect("card");
    let p = card.provenance.as_ref().expect("provenance");
    assert_eq!(
        (p.key.as_str(), p.book.as_str()),
        ("claude-haiku-4-5", "catalog/tokens/litellm-1.110.2.json")
    );
    assert_eq!(
        doc.route("claude-haiku-4-5").expect("route").rate_card,
        "claude-haiku-4-5"
    );
    // Card and route are one undo step.
    h.run_steps(4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc, before);
    // A GPU offer as a rate card, filtered by accelerator through the tab's search.
    h.get_by_label("GPU offers").click();
    h.run_steps(2);
    // The search stays across tabs: replace it.
    h.get_by_role_and_label(Role::TextInput, "Search").click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text("coreweave reserved");
    h.run_steps(2);
    assert!(format!("{:?}", h.get_by_label_contains(" of 23 rows")).contains("1 of 23 rows"));
    h.get_by_label("coreweave-h100-1y").click();
    h.run_steps(2);
    h.get_by_label("Add rate card").click();
    h.run_steps(3);
    let doc = h.state().session().doc.clone();
    let gpu = doc.rate_card("coreweave-h100-1y").expect("gpu card");
    assert_eq!(
        gpu.provenance.as_ref().expect("provenance").book,
        "catalog/gpus.yaml"
    );
    assert_eq!(doc.routes.len(), before.routes.len());
}
