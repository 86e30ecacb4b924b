//! The desktop workbench driven headless with egui_kittest: open, edit, undo, every view,
//! invalid input, presenter mode, unsaved-changes prompts, save-as, autosave and recovery.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a test that cannot set up should panic

mod support;

use std::path::PathBuf;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lcpr_workbench::gui::dialogs::ScriptedDialogs;
use lcpr_workbench::gui::storage::{StoragePaths, find_snapshots};
use lcpr_workbench::gui::{LaunchOptions, WorkbenchApp};

fn default_workspace() -> PathBuf {
    support::repo_root().join("workspaces/support-migration.yaml")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lcpr-gui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn app(
    file: Option<PathBuf>,
    storage: Option<StoragePaths>,
    answers: Vec<Option<PathBuf>>,
) -> Harness<'static, WorkbenchApp> {
    app_sized(file, storage, answers, egui::vec2(1500.0, 950.0))
}

/// [`app`] in a window of `size`.
fn app_sized(
    file: Option<PathBuf>,
    storage: Option<StoragePaths>,
    answers: Vec<Option<PathBuf>>,
    size: egui::Vec2,
) -> Harness<'static, WorkbenchApp> {
    let options = LaunchOptions {
        file,
        storage,
        dialogs: Box::new(ScriptedDialogs::answering(answers)),
        started: None,
    };
    let mut h = Harness::builder()
        .with_size(size)
        .with_step_dt(0.25)
        .build_eframe(move |cc| WorkbenchApp::new(cc, options));
    h.run_steps(3);
    h
}

fn lcpr_of(h: &Harness<'_, WorkbenchApp>, scenario: &str) -> f64 {
    h.state()
        .session()
        .evaluation()
        .scenario(scenario)
        .and_then(|s| s.cost.as_ref())
        .map(|c| c.lcpr)
        .expect("scenario is costed")
}

/// Clicks the field and selects its text, so what is typed next replaces it.
fn select_field(h: &mut Harness<'_, WorkbenchApp>, label: &str) {
    h.get_by_role_and_label(Role::TextInput, label).click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
}

fn set_field(h: &mut Harness<'_, WorkbenchApp>, label: &str, text: &str) {
    select_field(h, label);
    h.get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    h.run_steps(3);
}

#[test]
fn editing_a_field_changes_lcpr_and_undo_restores_it() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    let before = lcpr_of(&h, "support-gpt");
    h.get_by_label("Support answer drafting").click();
    h.run_steps(2);
    // Shares are typed as percentages: "25%" is 0.25 in the file.
    set_field(&mut h, "Retry rate", "25%");
    assert_eq!(h.state().session().doc.workloads[0].retry_rate, 0.25);
    let after = lcpr_of(&h, "support-gpt");
    assert!(after > before, "LCPR {before} → {after}");
    assert!(h.state().session().is_dirty());
    // The compare table (and the current-route figures above it) show the new LCPR.
    let shown = lcpr_workbench_format(after);
    assert!(
        h.query_all_by_label(&shown).count() >= 1,
        "table does not show {shown}"
    );
    // Click away so the edit settles into one undo step, then undo it.
    h.run_steps(4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(lcpr_of(&h, "support-gpt"), before);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run_steps(2);
    assert_eq!(lcpr_of(&h, "support-gpt"), after);
}

fn lcpr_workbench_format(v: f64) -> String {
    lcpr_core::money::format_usd(v, 4)
}

#[test]
fn an_invalid_value_shows_its_rule_and_changes_nothing() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.get_by_label("Support answer drafting").click();
    h.run_steps(2);
    let doc_before = h.state().session().doc.clone();
    set_field(&mut h, "Retry rate", "170%");
    assert!(
        h.query_by_label_contains("must lie in [0%, 100%], got 170%")
            .is_some(),
        "the rule is not shown"
    );
    assert_eq!(
        h.state().session().doc,
        doc_before,
        "an invalid value was written"
    );
    set_field(&mut h, "Retry rate", "lots");
    assert!(h.query_by_label_contains("must be a number").is_some());
}

#[test]
fn a_valid_prefix_typed_on_the_way_to_an_invalid_value_never_reaches_the_document() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.get_by_label("Support answer drafting").click();
    h.run_steps(2);
    let doc_before = h.state().session().doc.clone();
    let lcpr_before = lcpr_of(&h, "support-gpt");
    select_field(&mut h, "Retry rate");
    // One key a frame, as a person types: "1" and "15" are valid on the way to "150".
    for key in ["1", "5", "0"] {
        h.get_by_role_and_label(Role::TextInput, "Retry rate")
            .type_text(key);
        h.run_steps(1);
    }
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("must lie in [0%, 100%], got 150%")
            .is_some(),
        "the rule is not shown"
    );
    assert_eq!(
        h.state().session().doc,
        doc_before,
        "a prefix of the invalid text stayed in the document"
    );
    assert_eq!(lcpr_of(&h, "support-gpt"), lcpr_before, "LCPR moved");
    assert!(!h.state().session().is_dirty(), "the unsaved marker shows");
    assert!(!h.state().session().title().contains('●'));
}

#[test]
fn readiness_labels_say_each_score_is_a_complexity() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut().show_view("Readiness");
    h.run_steps(2);
    for label in [
        "Quality infrastructure (1 = a regression eval suite in place … 3 = no evals yet)",
        "Serving expertise (1 = deep in-house serving expertise … 3 = no serving expertise)",
        "Factor (each scored 1 = simple … 3 = hard)",
    ] {
        assert!(h.query_by_label(label).is_some(), "no label {label:?}");
    }
    assert!(h.query_by_label_contains("(1 none, 3 mature)").is_none());
}

#[test]
fn every_view_opens() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    for view in [
        "Compare",
        "Sensitivity",
        "Break-even",
        "Cache",
        "KV sizing",
        "Readiness",
        "Reconciliation",
    ] {
        h.get_by_label(view).click();
        h.run_steps(2);
        assert_eq!(h.state().active_view(), view);
    }
    // Each view draws its own finding.
    h.get_by_label("Sensitivity").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("The dominant lever is").is_some());
    h.get_by_label("Readiness").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Typical timeline").is_some());
    h.get_by_label("Reconciliation").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("within the 5% threshold")
            .is_some()
    );
    h.get_by_label("Break-even").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("It would need").is_some()
            || h.query_by_label_contains("Dedicated GPUs cost less above")
                .is_some()
    );
}

#[test]
fn the_attribution_view_splits_the_chargeback_bill() {
    let mut h = app(
        Some(support::repo_root().join("workspaces/public-sector-chargeback.yaml")),
        None,
        vec![],
    );
    h.get_by_label("Attribution").click();
    h.run_steps(2);
    assert!(h.query_by_label("Benefits administration").is_some());
    assert_eq!(
        h.query_all_by_label("$56,000.00").count(),
        4,
        "each of the four modes totals the bill"
    );
}

#[test]
fn views_show_empty_states_on_a_new_workspace() {
    let mut h = app(None, None, vec![]);
    // The first tab of a new workspace is the getting-started panel.
    assert!(h.query_by_label("Getting started").is_some());
    h.get_by_label("Reconciliation").click();
    h.run_steps(2);
    assert!(h.query_by_label("No reconciliations yet").is_some());
    h.get_by_label("Goodput").click();
    h.run_steps(2);
    assert!(h.query_by_label("No load tests yet").is_some());
}

#[test]
fn presenter_mode_steps_through_charts() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.key_press(Key::F11);
    h.run_steps(2);
    assert!(h.state().presenting());
    let first = h.state().active_view();
    // A slide: its counter, its large title and the view's takeaway sentence.
    h.get_by_label("1 / 10");
    h.get_by_label("LCPR by route, split into its components");
    h.get_by_label_contains("Lowest LCPR for Support answer drafting: ");
    h.key_press(Key::ArrowRight);
    h.run_steps(2);
    assert_ne!(h.state().active_view(), first);
    h.get_by_label("2 / 10");
    h.get_by_label_contains("The dominant lever is");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state().presenting());
}

#[test]
fn a_file_that_fails_to_load_keeps_the_open_document() {
    let dir = scratch("badload");
    let bad = dir.join("bad.yaml");
    let text = std::fs::read_to_string(default_workspace()).expect("read");
    std::fs::write(
        &bad,
        text.replacen("  rate_card: gpt-5.4\n", "  rate_card: nope\n", 1),
    )
    .expect("write");
    let mut h = app(Some(default_workspace()), None, vec![]);
    let before = h.state().session().doc.clone();
    h.state_mut().open(&bad);
    h.run_steps(2);
    let error = h.state().error().expect("an error is shown").to_owned();
    assert!(
        error.contains("bad.yaml:")
            && error.contains("routes[0].rate_card")
            && error.contains("names no rate card"),
        "{error}"
    );
    assert!(h.query_by_label_contains("names no rate card").is_some());
    assert_eq!(h.state().session().doc, before);
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(h.state().error().is_none());
}

#[test]
fn a_mistyped_key_in_a_colleagues_file_suggests_the_right_one() {
    let dir = scratch("typo");
    let bad = dir.join("typo.yaml");
    let text = std::fs::read_to_string(default_workspace()).expect("read");
    std::fs::write(
        &bad,
        text.replacen("  retry_rate: 0.03", "  retry_rat: 0.03", 1),
    )
    .expect("write");
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut().open(&bad);
    h.run_steps(2);
    let error = h.state().error().expect("an error is shown").to_owned();
    assert!(error.contains("did you mean `retry_rate`?"), "{error}");
    assert!(!error.contains("expected one of"), "{error}");
    assert!(
        h.query_by_label_contains("did you mean `retry_rate`?")
            .is_some()
    );
}

#[test]
fn compare_with_a_colleagues_copy_lists_the_changes_and_what_they_did_to_lcpr() {
    let dir = scratch("compare");
    let theirs = dir.join("theirs.yaml");
    let text = std::fs::read_to_string(default_workspace()).expect("read");
    std::fs::write(
        &theirs,
        text.replacen(
            "  ops_monthly_cost: 2500.0",
            "  ops_monthly_cost: 3500.0",
            1,
        ),
    )
    .expect("write");
    let mut h = app(Some(default_workspace()), None, vec![Some(theirs)]);
    let before = h.state().session().doc.clone();
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Compare with…").click();
    h.run_steps(3);
    let lines = h
        .state()
        .comparison()
        .expect("the comparison is shown")
        .to_vec();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("ops_monthly_cost: $2500 → $3500")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("support-gpt") && l.contains("$0.0912 → "))
    );
    assert!(
        h.query_by_label_contains("compared with theirs.yaml")
            .is_some()
    );
    assert_eq!(h.state().session().doc, before, "comparing changes nothing");
    h.get_by_label("Close").click();
    h.run_steps(2);
    assert!(h.state().comparison().is_none());
}

#[test]
fn unsaved_changes_are_asked_about_before_new() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut().session_mut().doc.meta.title = "Edited".into();
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    assert!(h.state().asking_about_unsaved_changes());
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc.meta.title, "Edited");
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    h.get_by_label("Don't save").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc.meta.title, "Untitled workspace");
}

#[test]
fn save_as_writes_the_file_and_clears_the_marker() {
    let dir = scratch("saveas");
    let target = dir.join("saved.yaml");
    let storage = StoragePaths::under(&dir.join("home"));
    let mut h = app(
        Some(default_workspace()),
        Some(storage.clone()),
        vec![Some(target.clone())],
    );
    h.state_mut().session_mut().doc.meta.title = "Saved copy".into();
    h.run_steps(2);
    assert!(h.state().session().title().contains('●'));
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
    h.run_steps(3);
    assert_eq!(h.state().session().path(), Some(target.as_path()));
    assert!(!h.state().session().is_dirty());
    let saved = lcpr_core::document::load(&target).expect("saved file loads");
    assert_eq!(saved.meta.title, "Saved copy");
    // It is remembered as a recent file.
    let prefs = lcpr_workbench::gui::storage::Prefs::load(&storage);
    assert_eq!(
        prefs.recent.first().map(|p| p.ends_with("saved.yaml")),
        Some(true)
    );
}

#[test]
fn a_file_changed_on_disk_is_asked_about_before_it_is_overwritten() {
    let dir = scratch("ondisk");
    let file = dir.join("w.yaml");
    std::fs::copy(default_workspace(), &file).expect("copy");
    let mut h = app(Some(file.clone()), None, vec![]);
    h.state_mut().session_mut().doc.meta.title = "Mine".into();
    h.run_steps(2);
    // Another program (a CLI import, a colleague's editor) writes the file meanwhile.
    let mut other = lcpr_core::document::load(&file).expect("load");
    other.meta.title = "Theirs".into();
    lcpr_core::document::save(&other, &file).expect("save");
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    assert!(h.state().asking_about_change_on_disk());
    assert!(h.query_by_label_contains("changed on disk").is_some());
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(
        lcpr_core::document::load(&file).expect("load").meta.title,
        "Theirs"
    );
    assert!(h.state().session().is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    h.get_by_label("Reload from disk").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc.meta.title, "Theirs");
    assert!(!h.state().session().is_dirty());
    h.state_mut().session_mut().doc.meta.title = "Mine again".into();
    h.run_steps(2);
    other.meta.title = "Theirs, later".into();
    lcpr_core::document::save(&other, &file).expect("save");
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run_steps(2);
    h.get_by_label("Overwrite").click();
    h.run_steps(2);
    assert_eq!(
        lcpr_core::document::load(&file).expect("load").meta.title,
        "Mine again"
    );
    assert!(!h.state().session().is_dirty());
}

#[test]
fn autosave_snapshots_are_offered_back_after_a_crash() {
    let dir = scratch("autosave");
    let storage = StoragePaths::under(&dir.join("home"));
    let original = dir.join("w.yaml");
    std::fs::copy(default_workspace(), &original).expect("copy");
    {
        let mut h = app(Some(original.clone()), Some(storage.clone()), vec![]);
        h.state_mut().session_mut().doc.meta.title = "Unsaved work".into();
        // 0.25 s a step: 40 s of idle time passes, past the 30 s autosave interval.
        h.run_steps(160);
        assert_eq!(find_snapshots(&storage).len(), 1, "no snapshot was taken");
        // The harness is dropped without saving: a crash, as far as the file is concerned.
    }
    assert_eq!(
        std::fs::read_to_string(&original).ok(),
        std::fs::read_to_string(default_workspace()).ok(),
        "autosave wrote over the user's file"
    );
    let mut h = app(None, Some(storage.clone()), vec![]);
    assert!(h.state().offering_recovery());
    assert!(
        h.query_by_label_contains("Recover unsaved changes from")
            .is_some()
    );
    h.get_by_label("Recover").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc.meta.title, "Unsaved work");
    assert!(h.state().session().is_dirty());
    assert_eq!(h.state().session().path(), Some(original.as_path()));
}

#[test]
fn an_edit_undone_back_to_the_file_is_not_offered_as_unsaved_changes() {
    let dir = scratch("autosave-undone");
    let storage = StoragePaths::under(&dir.join("home"));
    let original = dir.join("w.yaml");
    std::fs::copy(default_workspace(), &original).expect("copy");
    {
        let mut h = app(Some(original.clone()), Some(storage.clone()), vec![]);
        h.get_by_label("Support answer drafting").click();
        h.run_steps(2);
        set_field(&mut h, "Retry rate", "25");
        h.run_steps(160);
        assert_eq!(find_snapshots(&storage).len(), 1, "no snapshot was taken");
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.run_steps(4);
        assert!(
            !h.state().session().is_dirty(),
            "undo did not return to the file"
        );
        assert!(
            find_snapshots(&storage).is_empty(),
            "the snapshot outlived the undo"
        );
    }
    // A snapshot equal to its file, left by an older run, is not offered either.
    let yaml = std::fs::read_to_string(&original).expect("read");
    lcpr_workbench::gui::storage::write_snapshot(&storage, Some(&original), &yaml)
        .expect("snapshot");
    let h = app(None, Some(storage.clone()), vec![]);
    assert!(!h.state().offering_recovery());
    assert!(find_snapshots(&storage).is_empty());
}

#[test]
fn export_memo_writes_a_pdf_with_the_proposed_lcpr() {
    let dir = scratch("export");
    let target = dir.join("memo.pdf");
    let mut h = app(Some(default_workspace()), None, vec![Some(target.clone())]);
    // The compare table shows the proposed scenario's LCPR in this form (the reserved pool
    // of one H100 carries all the traffic and shows the same figure).
    let shown = lcpr_workbench_format(lcpr_of(&h, "support-h100-dedicated"));
    assert!(
        h.query_all_by_label(&shown).count() >= 1,
        "table does not show {shown}"
    );
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export memo…").click();
    h.run_steps(3);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let bytes = std::fs::read(&target).expect("the memo was written");
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&target)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed: scripts/test.sh installs it");
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&shown),
        "the memo does not show {shown}:\n{text}"
    );
    // The title may wrap; compare with whitespace collapsed.
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Decision: Stay on Support on GPT-5.4 (today)"),
        "{words}"
    );
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("memo.pdf")]);
}

#[test]
fn a_failed_export_shows_the_error() {
    let dir = scratch("export-fail");
    // A directory that does not exist cannot take the file.
    let target = dir.join("missing").join("review.pdf");
    let mut h = app(Some(default_workspace()), None, vec![Some(target.clone())]);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export review pack…").click();
    h.run_steps(3);
    let error = h.state().error().expect("an error is shown").to_owned();
    assert!(
        error.contains("review pack could not be exported"),
        "{error}"
    );
    assert!(!target.exists());
}

#[test]
fn export_compare_table_writes_csv() {
    let dir = scratch("export-csv");
    let target = dir.join("compare.csv");
    let mut h = app(Some(default_workspace()), None, vec![Some(target.clone())]);
    let shown = lcpr_workbench_format(lcpr_of(&h, "support-gpt"));
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export compare table as CSV…").click();
    h.run_steps(3);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let csv = std::fs::read_to_string(&target).expect("the CSV was written");
    assert!(csv.starts_with("Option,"), "{csv}");
    assert!(csv.contains(&shown), "{csv}");
    // One header and one record per scenario (four single routes, the cascade and the
    // reserved pool); the option cell holds a line feed, so count records by their CRLF ends.
    assert_eq!(csv.matches("\r\n").count(), 1 + 6);
}

/// Starts the import from the mapping dialog and waits for it.
fn start_trace_import(h: &mut Harness<'_, WorkbenchApp>) {
    assert!(
        h.state().choosing_trace_mapping(),
        "the mapping dialog is open"
    );
    // A new modal lays itself out unseen on its first frame.
    h.run_steps(2);
    h.get_by_label("Start import").click();
    h.run_steps(1);
    wait_for_import(h);
    if h.state().previewing_import() {
        apply_import(h);
    }
}

/// Applies the import whose report is shown; nothing has changed before.
fn apply_import(h: &mut Harness<'_, WorkbenchApp>) {
    // A click opens the report on the next frame; a new modal lays itself out unseen first.
    h.run_steps(3);
    assert!(
        h.state().previewing_import(),
        "the import's report is shown ({:?})",
        h.state().error()
    );
    h.get_by_label("Apply import").click();
    h.run_steps(3);
}

fn wait_for_import(h: &mut Harness<'_, WorkbenchApp>) {
    for _ in 0..200 {
        h.run_steps(1);
        if !h.state().importing() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the import did not finish");
}

#[test]
fn importing_traces_adds_a_baseline_as_one_undoable_step() {
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let mut h = app(Some(default_workspace()), None, vec![Some(trace)]);
    let before = h.state().session().doc.baselines.len();
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Import traces…").click();
    h.run_steps(2);
    start_trace_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let baselines = &h.state().session().doc.baselines;
    assert_eq!(baselines.len(), before + 1);
    assert_eq!(
        baselines.last().map(|b| b.id.as_str()),
        Some("support-chat-2026-11-04")
    );
    assert!(
        h.state()
            .status()
            .contains("baseline support-chat-2026-11-04 added"),
        "{}",
        h.state().status()
    );
    // The editor now shows the new baseline; one undo takes the whole import back.
    h.run_steps(4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc.baselines.len(), before);
}

#[test]
fn a_failed_import_shows_why_and_changes_nothing() {
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let chargeback = support::repo_root().join("workspaces/public-sector-chargeback.yaml");
    let mut h = app(Some(chargeback), None, vec![Some(trace)]);
    let before = h.state().session().doc.clone();
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Import traces…").click();
    h.run_steps(2);
    start_trace_import(&mut h);
    let error = h.state().error().expect("the refusal is shown").to_owned();
    assert!(
        error.contains("not in the workspace") && error.contains("Nothing was changed"),
        "{error}"
    );
    assert_eq!(h.state().session().doc, before);
}

/// A copy of the default workspace with a May reconciliation (trace cost and evals only) and
/// the amended contract, beside copies of the eval and review files.
fn may_case(name: &str) -> PathBuf {
    use lcpr_core::document::{Period, Reconciliation};
    let dir = scratch(name);
    let fixtures = support::repo_root().join("tests/fixtures");
    for f in ["eval_results.csv", "human_reviews.csv"] {
        std::fs::copy(fixtures.join("evals").join(f), dir.join(f)).unwrap();
    }
    let mut ws = lcpr_core::document::load(&default_workspace()).unwrap();
    let contract = std::fs::File::open(fixtures.join("contracts/acme_msa_amended.csv")).unwrap();
    ws.contract_rates =
        lcpr_core::evidence::joins::contract::read_contract("acme_msa_amended.csv", contract)
            .unwrap()
            .rates()
            .to_vec();
    let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    ws.reconciliations.push(Reconciliation {
        id: "may".into(),
        workload: "support-chat".into(),
        period: Period {
            start: "2026-05-01".parse().unwrap(),
            end: "2026-05-31".parse().unwrap(),
        },
        trace_cost: d("14127"),
        invoice_amount: d("14127"),
        eval_cost: d("0"),
        human_cost: d("0"),
        ops_cost: d("0"),
        attempts: d("261361"),
        accepted: d("1"),
        revenue_per_unit: d("0"),
        notes: String::new(),
        disputes: Vec::new(),
        off_rate_lines: Vec::new(),
        unrated_lines: Vec::new(),
        sources: Vec::new(),
    });
    let path = dir.join("may.yaml");
    lcpr_core::document::save(&ws, &path).unwrap();
    path
}

fn may_of(h: &Harness<'_, WorkbenchApp>) -> lcpr_core::document::Reconciliation {
    h.state()
        .session()
        .doc
        .reconciliations
        .iter()
        .find(|r| r.id == "may")
        .cloned()
        .expect("the May reconciliation")
}

fn file_menu(h: &mut Harness<'_, WorkbenchApp>, entry: &str) {
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label(entry).click();
    h.run_steps(3);
}

#[test]
fn an_imported_invoice_shows_off_rate_lines_and_a_dispute_leaves_loaded_cost() {
    use lcpr_core::document::validate::reconciliation_input;
    let case = may_case("invoice");
    let invoice = support::repo_root().join("tests/fixtures/invoices/plain_2026_05.csv");
    let mut h = app(Some(case), None, vec![Some(invoice)]);
    file_menu(&mut h, "Import invoice…");
    assert!(h.state().choosing_invoice_setup());
    h.run_steps(2);
    h.get_by_label("Import invoice").click();
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let r = may_of(&h);
    // The invoice found its reconciliation by period; L1 and L3 are billed at the superseded
    // tier, and their overcharge is the whole delta 15,341 − 14,127.
    let lines: Vec<&str> = r
        .off_rate_lines
        .iter()
        .map(|o| o.line_id.as_str())
        .collect();
    assert_eq!(lines, ["L1", "L3"]);
    assert_eq!(r.invoice_amount.to_string(), "15341.00");
    assert!(
        h.state()
            .status()
            .contains("2 billed off the contracted rate")
    );
    // The editor shows the record: dispute L3 there.
    h.run_steps(3);
    h.get_by_label("Dispute L3").click();
    h.run_steps(3);
    let r = may_of(&h);
    assert_eq!(r.disputes.len(), 1);
    assert_eq!(r.invoice_amount.to_string(), "15341.00", "kept as billed");
    assert_eq!(
        reconciliation_input(&r).invoice_amount.to_string(),
        "14441.00"
    );
    h.get_by_label("Disputed with the vendor");
    // Undo takes the dispute back, then the import.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(may_of(&h).disputes.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(may_of(&h).off_rate_lines.is_empty());
}

#[test]
fn reviews_then_evals_join_into_the_accepted_outputs() {
    let case = may_case("evals");
    let dir = case.parent().unwrap().to_path_buf();
    let mut h = app(
        Some(case),
        None,
        vec![
            Some(dir.join("human_reviews.csv")),
            Some(dir.join("eval_results.csv")),
        ],
    );
    let i = h
        .state()
        .session()
        .doc
        .reconciliations
        .iter()
        .position(|r| r.id == "may")
        .unwrap();
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::Reconciliation(i));
    h.run_steps(2);
    file_menu(&mut h, "Import human reviews…");
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    assert_eq!(may_of(&h).human_cost.to_string(), "8.00");
    file_menu(&mut h, "Import eval results…");
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let r = may_of(&h);
    // 2 gate passes + 2 failures signed off on review (req-002 approved, req-003 edited).
    assert_eq!(r.accepted.to_string(), "4");
    let kinds: Vec<&str> = r.sources.iter().map(|s| s.kind.name()).collect();
    assert_eq!(kinds, ["evals", "reviews"]);
    // The sources are listed under the record.
    h.get_by_label("Imported from");
}

#[test]
fn a_refused_evidence_file_shows_why_and_changes_nothing() {
    // A hybrid state-space stack: its per-token cache is not attention's, so it is refused.
    let hybrid = scratch("hybrid-config").join("config.json");
    std::fs::write(
        &hybrid,
        r#"{"model_type": "nemotron_h", "hidden_size": 4096, "num_hidden_layers": 52,
            "num_attention_heads": 32, "num_key_value_heads": 8, "torch_dtype": "bfloat16",
            "hybrid_override_pattern": "M-M-M-M*-M-M-M-M*-"}"#,
    )
    .unwrap();
    let mut h = app(Some(default_workspace()), None, vec![Some(hybrid)]);
    let before = h.state().session().doc.clone();
    file_menu(&mut h, "Import model config…");
    let error = h.state().error().expect("the refusal is shown").to_owned();
    assert!(
        error.contains("hybrid_override_pattern") && error.contains("Nothing was changed"),
        "{error}"
    );
    assert_eq!(h.state().session().doc, before);
}

#[test]
fn a_load_test_import_adds_its_runs_for_the_workload() {
    let sweep = support::repo_root().join("tests/fixtures/loadtests/generic_sweep.csv");
    let mut h = app(Some(default_workspace()), None, vec![Some(sweep)]);
    let before = h.state().session().doc.load_tests.len();
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::Workload(0));
    h.run_steps(2);
    file_menu(&mut h, "Import load test…");
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let doc = &h.state().session().doc;
    assert!(doc.load_tests.len() > before);
    assert!(
        doc.load_tests[before..]
            .iter()
            .all(|t| t.workload == "support-chat" && t.id.starts_with("generic_sweep"))
    );
    assert!(
        h.state().status().contains("capacity ceiling"),
        "{}",
        h.state().status()
    );
    // The Goodput view draws the sweep of the imported runs with its ceiling and operating
    // point, and what the method leaves out.
    h.get_by_label("Goodput").click();
    h.run_steps(3);
    assert_eq!(h.state().active_view(), "Goodput");
    assert!(h.query_by_label_contains("Capacity ceiling").is_some());
    assert!(h.query_all_by_label_contains("Operating point").count() >= 1);
    assert!(h.query_by_label("Runs").is_some());
}

#[test]
fn the_goodput_view_says_a_run_was_sampled_and_placed_at_its_achieved_rate() {
    let file = support::repo_root()
        .join("tests/fixtures/loadtests/real/guidellm-0.8.1_poisson-5_sample5.derived.json");
    let mut h = app(Some(default_workspace()), None, vec![Some(file)]);
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::Workload(0));
    h.run_steps(2);
    file_menu(&mut h, "Import load test…");
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    h.get_by_label("Goodput").click();
    h.run_steps(3);
    assert!(h.query_by_label("sampled: 5 of 40 requests").is_some());
    // 40 attempts in 3.94 s, offered 5 req/s.
    assert!(h.query_by_label("10.15 (achieved; 5.00 offered)").is_some());
}

#[test]
fn a_trace_mapping_is_edited_against_the_header_and_saved() {
    let trace = support::repo_root().join("tests/fixtures/traces/openai-export.csv");
    let mut h = app(Some(default_workspace()), None, vec![Some(trace)]);
    let before = h.state().session().doc.baselines.len();
    file_menu(&mut h, "Import traces…");
    assert!(h.state().choosing_trace_mapping());
    // The canonical layout does not fit this export: the dialog names what is missing.
    h.get_by_label_contains("has no column for the required field request_id");
    // Let the dialog settle (a grid sizes its columns from the frame before).
    h.run_steps(4);
    for (field, column) in [
        ("request_id *", "id"),
        ("timestamp *", "created_at"),
        ("input_tokens *", "prompt_tokens"),
        ("output_tokens *", "completion_tokens"),
    ] {
        set_field(&mut h, field, column);
    }
    h.get_by_label("Every required field has a column in this file.");
    set_field(&mut h, "Save mapping as", "openai-csv");
    // The export has broken rows: without this choice one of them refuses the whole file.
    h.get_by_label("Skip broken rows (import the others and list the rows left out)")
        .click();
    h.run_steps(1);
    h.get_by_label("Start import").click();
    h.run_steps(1);
    wait_for_import(&mut h);
    // The mapping read every row: the export's unknown model blocks the baseline with its name
    // (never priced at $0), and the mapping stays saved for the next export.
    let error = h.state().error().expect("the unpriced model is refused");
    assert!(error.contains("OpenAI / mystery-model (2 rows"), "{error}");
    let doc = &h.state().session().doc;
    assert_eq!(doc.baselines.len(), before);
    let saved = doc
        .trace_mappings
        .iter()
        .find(|m| m.name == "openai-csv")
        .expect("the mapping is saved in the workspace");
    assert_eq!(
        saved
            .sources(lcpr_core::document::mapping::CanonicalField::RequestId)
            .collect::<Vec<_>>(),
        ["id"]
    );
}

#[test]
fn a_saved_mapping_that_fits_is_offered_first() {
    let dir = scratch("saved-mapping");
    let fixtures = support::repo_root().join("tests/fixtures/traces");
    let mut ws = lcpr_core::document::load(&default_workspace()).unwrap();
    let text = std::fs::read_to_string(fixtures.join("openai-export.mapping.json")).unwrap();
    ws.trace_mappings.push(serde_json::from_str(&text).unwrap());
    let path = dir.join("w.yaml");
    lcpr_core::document::save(&ws, &path).unwrap();
    let mut h = app(
        Some(path),
        None,
        vec![Some(fixtures.join("openai-export.csv"))],
    );
    file_menu(&mut h, "Import traces…");
    h.get_by_label("Every required field has a column in this file.");
    h.run_steps(2);
    h.get_by_label("Skip broken rows (import the others and list the rows left out)")
        .click();
    start_trace_import(&mut h);
    // The saved mapping was chosen: the rows were read and the unknown model is named.
    let error = h.state().error().expect("the unpriced model is refused");
    assert!(error.contains("mystery-model"), "{error}");
}

#[test]
fn an_imported_model_config_is_offered_in_kv_sizing() {
    let config = support::repo_root().join("tests/fixtures/hf_config/llama-3-8b.json");
    let mut h = app(Some(default_workspace()), None, vec![Some(config)]);
    file_menu(&mut h, "Import model config…");
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let model = h
        .state()
        .session()
        .doc
        .migration
        .as_ref()
        .unwrap()
        .model
        .clone()
        .unwrap();
    assert_eq!((model.n_layers, model.n_kv_heads), (32.0, 8.0));
    h.get_by_label("KV sizing").click();
    h.run_steps(2);
    // The view opens on a 70B preset (80 layers); the migration model has the config's 32.
    let layers = |h: &Harness<'_, WorkbenchApp>| {
        h.get_by_role_and_label(Role::TextInput, "Layers")
            .value()
            .unwrap_or_default()
    };
    assert_eq!(layers(&h), "80");
    h.get_by_label("Migration model").click();
    h.run_steps(2);
    assert_eq!(layers(&h), "32");
}

#[test]
fn a_focus_export_asks_which_services_to_reconcile() {
    let case = may_case("focus");
    let focus = support::repo_root().join("tests/fixtures/invoices/focus_2026_04_05.csv");
    let mut h = app(Some(case), None, vec![Some(focus)]);
    let before = may_of(&h);
    file_menu(&mut h, "Import invoice…");
    assert!(h.state().choosing_invoice_setup());
    h.run_steps(2);
    // Nothing is imported until a service is chosen; storage is not part of inference.
    assert_eq!(may_of(&h), before);
    h.get_by_label("LLM API · 4 rows").click();
    h.run_steps(2);
    h.get_by_label("Import these services").click();
    apply_import(&mut h);
    h.run_steps(3);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let r = may_of(&h);
    // May's LLM lines total 15,341; the two billed at the superseded tier are named.
    assert_eq!(r.invoice_amount.to_string(), "15341.00");
    let lines: Vec<&str> = r
        .off_rate_lines
        .iter()
        .map(|o| o.line_id.as_str())
        .collect();
    assert_eq!(lines, ["INV-2026-05:3", "INV-2026-05:5"]);
}

#[test]
fn contract_rates_and_trace_mappings_are_edited_in_the_navigator() {
    // Tall enough that the navigator's last kinds are on screen.
    let options = LaunchOptions {
        file: Some(default_workspace()),
        storage: None,
        dialogs: Box::new(ScriptedDialogs::answering(vec![])),
        started: None,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1500.0, 1800.0))
        .with_step_dt(0.25)
        .build_eframe(move |cc| WorkbenchApp::new(cc, options));
    h.run_steps(3);
    h.get_by_label("+ Add contract rate").click();
    h.run_steps(2);
    let doc = &h.state().session().doc;
    assert_eq!(doc.contract_rates.len(), 1);
    // It starts on the first rate card's model; the rate is edited in place.
    assert_eq!(doc.contract_rates[0].model, doc.rate_cards[0].model);
    set_field(&mut h, "Rate", "2.5");
    assert_eq!(
        h.state().session().doc.contract_rates[0].rate.to_string(),
        "2.5"
    );
    h.get_by_label("+ Add trace mapping").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc.trace_mappings.len(), 1);
    set_field(&mut h, "request_id *", "id");
    let m = &h.state().session().doc.trace_mappings[0];
    assert_eq!(m.name, "mapping");
    assert_eq!(
        m.sources(lcpr_core::document::mapping::CanonicalField::RequestId)
            .collect::<Vec<_>>(),
        ["id"]
    );
    // Emptying a required column breaks the mapping's rule, shown beside it.
    h.get_by_role_and_label(Role::TextInput, "workload *")
        .click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.key_press(Key::Backspace);
    h.run_steps(3);
    assert!(
        h.state().session().doc.trace_mappings[0]
            .sources(lcpr_core::document::mapping::CanonicalField::Workload)
            .next()
            .is_none()
    );
    assert!(
        h.query_by_label_contains("must feed the required field workload")
            .is_some()
    );
}

#[test]
fn a_trace_import_can_set_a_reconciliations_trace_cost() {
    use lcpr_core::document::{EvidenceKind, Period};
    let dir = scratch("trace-side");
    let mut ws = lcpr_core::document::load(&default_workspace()).unwrap();
    let mut nov = ws.reconciliations[0].clone();
    nov.id = "nov".into();
    nov.period = Period {
        start: "2026-11-01".parse().unwrap(),
        end: "2026-11-30".parse().unwrap(),
    };
    nov.attempts = rust_decimal::Decimal::from(100);
    nov.accepted = rust_decimal::Decimal::from(5);
    ws.reconciliations.push(nov);
    let path = dir.join("w.yaml");
    lcpr_core::document::save(&ws, &path).unwrap();
    let trace = support::repo_root().join("tests/fixtures/traces/canonical.csv");
    let mut h = app(Some(path), None, vec![Some(trace)]);
    file_menu(&mut h, "Import traces…");
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Also set the trace cost of")
        .click();
    h.run_steps(2);
    h.get_by_label("nov (2026-11-01 – 2026-11-30)").click();
    h.run_steps(2);
    start_trace_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let r = h
        .state()
        .session()
        .doc
        .reconciliations
        .iter()
        .find(|r| r.id == "nov")
        .cloned()
        .unwrap();
    // The nine November rows of the trace, priced from the rate cards.
    assert_eq!(r.attempts, rust_decimal::Decimal::from(9));
    assert!(r.trace_cost > rust_decimal::Decimal::ZERO);
    assert_eq!(r.sources[0].kind, EvidenceKind::Traces);
    assert!(
        h.state()
            .status()
            .contains("reconciliation nov: trace cost"),
        "{}",
        h.state().status()
    );
}

#[test]
fn provider_bodies_import_with_the_workload_and_date_chosen_in_the_dialog() {
    // Real Anthropic bodies: no workload, no timestamp; the fixture workspace prices Claude.
    let dir = support::repo_root().join("tests/fixtures/traces_real");
    let mut h = app(
        Some(dir.join("workspace.yaml")),
        None,
        vec![Some(dir.join("anthropic-messages.usage.jsonl"))],
    );
    let before = h.state().session().doc.baselines.len();
    file_menu(&mut h, "Import traces…");
    assert!(
        h.state().choosing_trace_mapping(),
        "bodies get the dialog too"
    );
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Workload of every row")
        .click();
    h.run_steps(2);
    h.get_by_label("support-chat (Support answer drafting)")
        .click();
    h.run_steps(2);
    // A date that is not one is named in the dialog, and Start import stays off.
    set_field(&mut h, "Date of records without a timestamp", "30/11/2026");
    h.get_by_label_contains("is not a date: type YYYY-MM-DD");
    set_field(&mut h, "Date of records without a timestamp", "2026-11-30");
    start_trace_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let doc = &h.state().session().doc;
    assert_eq!(doc.baselines.len(), before + 1);
    let b = doc.baselines.last().unwrap();
    assert_eq!(
        (b.workload.as_str(), b.captured_on.to_string()),
        ("support-chat", "2026-11-30".to_owned())
    );
    assert!(
        b.metrics.gate_pass_rate.is_none(),
        "quality is not measured"
    );
    assert!(
        h.state()
            .status()
            .contains("claude-3-5-sonnet-20240620 → claude-3.5-sonnet"),
        "{}",
        h.state().status()
    );
}

#[test]
fn an_import_shows_its_report_before_it_changes_the_document() {
    let dir = support::repo_root().join("tests/fixtures/traces_real");
    let spans = dir.join("traces.json");
    let mut h = app(
        Some(dir.join("workspace.yaml")),
        None,
        vec![Some(spans.clone()), Some(spans)],
    );
    let before = h.state().session().doc.clone();
    let read = |h: &mut Harness<'_, WorkbenchApp>| {
        file_menu(h, "Import traces…");
        h.run_steps(2);
        h.get_by_role_and_label(Role::ComboBox, "Workload of every row")
            .click();
        h.run_steps(2);
        h.get_by_label("support-chat (Support answer drafting)")
            .click();
        h.run_steps(2);
        h.get_by_label("Start import").click();
        h.run_steps(1);
        wait_for_import(h);
        assert!(h.state().previewing_import(), "{:?}", h.state().error());
        h.run_steps(2);
    };
    read(&mut h);
    // The report is the CLI's: spans of calls traced twice, each model's card and how it matched.
    h.get_by_label_contains("2 span(s) traced a call another span already traced");
    h.get_by_label_contains("priced openai / gpt-4o-mini-2024-07-18 by rate card gpt-4o-mini");
    h.get_by_label_contains("TTFT p50/p95/p99 not measured");
    assert_eq!(
        h.state().session().doc,
        before,
        "nothing changes before Apply"
    );
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert_eq!(h.state().session().doc, before);
    assert!(
        h.state().status().contains("cancelled"),
        "{}",
        h.state().status()
    );
    read(&mut h);
    apply_import(&mut h);
    assert_eq!(
        h.state().session().doc.baselines.len(),
        before.baselines.len() + 1
    );
    // One undo step takes the whole import back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().session().doc, before);
}

#[test]
fn the_invoice_dialog_reads_the_model_from_the_column_chosen_and_saves_the_mapping() {
    // The FOCUS 1.2 lines with a model no contract names in SkuId; ChargeDescription's first
    // word names the contracted one.
    let dir = scratch("invoice-mapping");
    let text = std::fs::read_to_string(
        support::repo_root().join("tests/fixtures/invoices/focus_1.2_llm_tokens_built.csv"),
    )
    .unwrap();
    let sku = text.replace("gpt-5.4-2026-04-01,", "sku-0042,");
    assert_ne!(sku, text, "the fixture's SkuId column holds the dated id");
    let invoice = dir.join("focus.csv");
    std::fs::write(&invoice, sku).unwrap();
    let mut h = app(Some(default_workspace()), None, vec![Some(invoice)]);
    let before = h.state().session().doc.clone();
    file_menu(&mut h, "Import invoice…");
    assert!(h.state().choosing_invoice_setup());
    h.run_steps(2);
    set_field(&mut h, "Model column", "ChargeDesc");
    h.get_by_label_contains("the file has no column \"ChargeDesc\"");
    set_field(&mut h, "Model column", "ChargeDescription");
    set_field(&mut h, "Model pattern", r"^(\S+)");
    h.get_by_label("Import invoice").click();
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let doc = &h.state().session().doc;
    assert_ne!(doc, &before);
    assert_eq!(doc.invoice_mappings.len(), 1);
    assert_eq!(doc.invoice_mappings[0].model_column, "ChargeDescription");
    let r = doc
        .reconciliations
        .iter()
        .find(|r| r.invoice_amount == "3019.50".parse().unwrap())
        .expect("the invoice reached the October reconciliation");
    assert!(r.unrated_lines.is_empty(), "every line was checked");
}

#[test]
fn a_rate_cards_aliases_are_typed_as_a_list_and_price_trace_ids() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::RateCard(0));
    h.run_steps(2);
    // Typed key by key: the comma being typed is not lost on the way.
    set_field(&mut h, "Aliases", "openai/gpt-5.4, gpt-5.4-chat-*");
    let card = &h.state().session().doc.rate_cards[0];
    assert_eq!(card.aliases, ["openai/gpt-5.4", "gpt-5.4-chat-*"]);
    assert_eq!(
        lcpr_core::evidence::traces::pricing::card_matches(card, "gpt-5.4-chat-latest"),
        Some(lcpr_core::evidence::traces::pricing::MatchKind::Snapshot)
    );
}

#[test]
fn the_decision_view_states_the_memos_decision() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.get_by_label("Decision").click();
    h.run_steps(3);
    assert_eq!(h.state().active_view(), "Decision");
    let doc = h.state().session().doc.clone();
    let d = lcpr_core::decide::decision::decide(&doc, &lcpr_core::case::evaluation::evaluate(&doc))
        .unwrap();
    use lcpr_core::report::memo::statement;
    // The heading and the Recommendation row.
    assert_eq!(
        h.query_all_by_label("Stay on Support on GPT-5.4 (today)")
            .count(),
        2
    );
    h.get_by_label(&statement::paragraph(&d));
    h.get_by_label_contains("To unblock: KV memory for 29 live sequences");
    // Candidate and current as the memo and lcpr decide name them.
    h.get_by_label("Current and candidate from the migration case.");
}

#[test]
fn file_import_price_book_shows_the_report_and_applies_drift_as_one_undo_step() {
    use lcpr_core::document::RatePricing;
    let output = |h: &Harness<'_, WorkbenchApp>| {
        h.state()
            .session()
            .doc
            .rate_card("anthropic-claude-3-5-sonnet")
            .map(|c| match &c.pricing {
                RatePricing::Tokens { output_per_m, .. } => output_per_m.normalize().to_string(),
                RatePricing::Gpu { .. } => "gpu".to_owned(),
            })
    };
    let dir = scratch("price-book");
    let book =
        support::repo_root().join("tests/fixtures/prices/genai-prices_anthropic.yml.excerpt");
    let newer = dir.join("anthropic.yml");
    let text = std::fs::read_to_string(&book).unwrap();
    std::fs::write(&newer, text.replace("output_mtok: 15", "output_mtok: 18")).unwrap();
    let broken = dir.join("model_prices_and_context_window.json");
    std::fs::write(
        &broken,
        r#"{"gpt-x": {"litellm_provider": "openai", "input_cost_per_token": "n/a", "output_cost_per_token": 1e-06}}"#,
    )
    .unwrap();
    let mut h = app(
        Some(default_workspace()),
        None,
        vec![
            Some(book.clone()),
            Some(newer.clone()),
            Some(newer),
            Some(broken),
        ],
    );
    let cards = h.state().session().doc.rate_cards.len();
    file_menu(&mut h, "Import price book…");
    assert!(
        h.query_by_label_contains("1 new rate card: anthropic-claude-3-5-sonnet")
            .is_some()
    );
    apply_import(&mut h);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    assert_eq!(h.state().session().doc.rate_cards.len(), cards + 1);
    assert_eq!(output(&h).as_deref(), Some("15"));
    let card = h
        .state()
        .session()
        .doc
        .rate_card("anthropic-claude-3-5-sonnet")
        .unwrap();
    assert_eq!(card.aliases, ["claude-3-5-sonnet*", "claude-3.5-sonnet*"]);
    assert_eq!(
        card.provenance.as_ref().map(|p| p.key.as_str()),
        Some("anthropic/claude-3-5-sonnet")
    );
    // The new card is selected, and its editor says where its prices come from.
    h.run_steps(3);
    assert!(
        h.query_by_label_contains(
            "Imported from the genai-prices book genai-prices_anthropic.yml.excerpt"
        )
        .is_some()
    );

    // A newer book: its drift is shown; Cancel changes nothing.
    file_menu(&mut h, "Import price book…");
    assert!(h.state().previewing_import());
    assert!(
        h.query_by_label_contains("output_per_m: $15 → $18 (+20.00%)")
            .is_some()
    );
    let before = h.state().session().doc.clone();
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert_eq!(h.state().session().doc, before);

    // Apply takes the drift; one undo takes it back.
    file_menu(&mut h, "Import price book…");
    apply_import(&mut h);
    assert_eq!(output(&h).as_deref(), Some("18"));
    h.run_steps(4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(output(&h).as_deref(), Some("15"));

    // A broken book says where and changes nothing.
    let before = h.state().session().doc.clone();
    file_menu(&mut h, "Import price book…");
    let e = h.state().error().unwrap_or_default().to_owned();
    assert!(
        e.contains("gpt-x")
            && e.contains("input_cost_per_token")
            && e.contains("Nothing was changed"),
        "{e}"
    );
    assert_eq!(h.state().session().doc, before);
}

#[test]
fn compare_names_the_current_routes_modelled_measured_and_reconciled_lcpr() {
    let h = app(Some(default_workspace()), None, vec![]);
    let doc = h.state().session().doc.clone();
    let eval = lcpr_core::case::evaluation::evaluate(&doc);
    let routes = lcpr_core::case::current_route::current_routes(&doc, &eval);
    assert_eq!(routes.len(), 1);
    // The same labelled figures lcpr compute, lcpr decide and the memo print.
    for (k, v) in lcpr_core::report::memo::statement::current_route_figures(&routes[0]) {
        h.get_by_label(&format!("{k}:"));
        // The modelled figure is also in the table's LCPR column.
        assert!(h.query_all_by_label(&v).count() >= 1, "{k}: {v}");
    }
    h.get_by_label_contains("$0.0005 lower than modelled; the invoice was 2.0% above the traces");
}

#[test]
fn an_input_shows_its_source_beside_it_and_switching_it_is_one_undo_step() {
    use lcpr_core::case::sources::{InputSource, source_of};
    use lcpr_core::document::{Binding, BindingTarget};
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::Workload(0));
    h.run_steps(3);
    let pass = Binding {
        target: BindingTarget::Workload,
        id: "support-chat".into(),
        field: "quality_gate_pass_rate".into(),
    };
    // The pass rate comes from the October baseline: the source names it with its date, and
    // the typed field under it cannot be edited.
    h.get_by_role_and_label(
        Role::ComboBox,
        "from baseline support-gpt-2026-10, 2026-10-31 (Measured in logs)",
    )
    .click();
    h.run_steps(2);
    h.get_by_label("typed here").click();
    h.run_steps(3);
    let doc = &h.state().session().doc;
    assert_eq!(source_of(doc, &pass), InputSource::Typed);
    assert_eq!(doc.workloads[0].quality_gate_pass_rate, 0.86);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert!(matches!(
        source_of(&h.state().session().doc, &pass),
        InputSource::Evidence(_, s) if s.id == "support-gpt-2026-10"
    ));
}

#[test]
fn a_load_tested_capacity_shows_its_load_test_on_the_rate_card() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    let before = lcpr_of(&h, "support-h100-dedicated");
    let sweep = support::repo_root().join("tests/fixtures/loadtests/generic_sweep.csv");
    lcpr_workbench::cli::import::add_load_tests_with(
        &mut h.state_mut().session_mut().doc,
        &sweep,
        "support-chat",
        &lcpr_workbench::cli::import::LoadTestOptions {
            id: Some("h100-sweep".into()),
            scenario: Some("support-h100-dedicated".into()),
            gpus: Some(4.0),
            ..Default::default()
        },
    )
    .unwrap();
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::RateCard(2));
    h.run_steps(4);
    // The throughput's source names the load test and what it measured.
    h.get_by_value("load test h100-sweep-1: 118.125");
    assert_eq!(
        h.query_all_by_label_contains("from load_test h100-sweep-1, ")
            .count(),
        2,
        "the chooser and the line beside it"
    );
    assert!(lcpr_of(&h, "support-h100-dedicated") > before);
}

#[test]
fn a_routes_rate_card_chooser_lists_only_cards_of_its_kind_and_a_new_kind_asks_for_one() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.state_mut()
        .select(lcpr_workbench::gui::navigator::Selection::Route(0));
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Kind").click();
    h.run_steps(2);
    // The option in the open list (the Compare table names kinds too).
    h.get_all_by_label("dedicated endpoint")
        .next()
        .unwrap()
        .click();
    h.run_steps(3);
    assert_eq!(
        h.state().session().doc.routes[0].kind,
        lcpr_core::document::RouteKind::DedicatedEndpoint
    );
    h.get_by_label_contains("rate card \"gpt-5.4\" is not. Pick the card to use");
    h.get_by_role_and_label(Role::ComboBox, "Rate card").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("(gpt-5.4)").is_none(),
        "a token card is offered"
    );
    h.get_by_label("H100 80GB dedicated (DeepSeek V4 Pro) (h100-together)")
        .click();
    h.run_steps(3);
    assert_eq!(h.state().session().doc.routes[0].rate_card, "h100-together");
    assert!(h.query_by_label_contains("Pick the card to use").is_none());
}

#[test]
fn a_file_opens_on_its_first_view_with_data_and_a_reconciliation_shows_its_view() {
    let dir = scratch("first-view");
    // Nothing to compare (no routes or scenarios): the file opens on a view that has data.
    let mut ws = lcpr_core::document::load(&default_workspace()).unwrap();
    ws.scenarios.clear();
    ws.baselines.clear();
    ws.routes.clear();
    ws.rate_cards.clear();
    ws.contract_rates.clear();
    ws.register.clear();
    ws.migration = None;
    ws.forecast = None;
    ws.attribution = None;
    ws.reconciliations.clear();
    ws.incidents.clear();
    ws.monthly_review = None;
    lcpr_workbench::cli::import::add_load_tests(
        &mut ws,
        &support::repo_root().join("tests/fixtures/loadtests/generic_sweep.csv"),
        "support-chat",
    )
    .unwrap();
    let file = dir.join("tests-only.yaml");
    lcpr_core::document::save(&ws, &file).unwrap();
    let h = app(Some(file), None, vec![]);
    assert!(h.state().session().doc.scenarios.is_empty());
    assert_ne!(h.state().active_view(), "Compare");
    // Picking a reconciliation in the navigator shows its waterfall (a tall window, so the
    // navigator's long list shows it).
    let mut h = app_sized(
        Some(default_workspace()),
        None,
        vec![],
        egui::vec2(1500.0, 1400.0),
    );
    assert_eq!(h.state().active_view(), "Compare");
    h.get_by_label("support-chat 2026-09-01").click();
    h.run_steps(3);
    assert_eq!(h.state().active_view(), "Reconciliation");
    h.get_by_label_contains("2026-09-01 – 2026-09-30");
}

#[test]
fn uncertainty_charts_each_scenarios_range_and_a_matrix_of_pairs_by_name() {
    // Tall enough that the chart and the matrix are both on screen (the accessibility tree
    // holds what is visible).
    let mut h = app_sized(
        Some(default_workspace()),
        None,
        vec![],
        egui::vec2(1500.0, 1600.0),
    );
    h.get_by_label("Uncertainty").click();
    h.run_steps(3);
    // The P10–P90 chart, by scenario name in the palette's colours (its data is what the
    // memo and an export draw).
    h.get_by_label("LCPR over the register's ranges, by scenario (P10–P90, median marked)");
    let names: Vec<String> = h
        .state()
        .session()
        .doc
        .scenarios
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names.len(), 6);
    // The matrix: rows A, columns B, named; six scenarios of one workload give fifteen
    // pairs, each once.
    h.get_by_label("Row beats column");
    for (name, key) in names.iter().zip(["A", "B", "C", "D", "E"]) {
        h.get_by_label(&format!("{key} {name}"));
    }
    // The last scenario has no row (its pairs sit in the rows above): its letter is named.
    h.get_by_label(&format!("F: {}", names[5]));
    let cells = h
        .query_all_by(|n| {
            n.role() == Role::Label
                && n.label().or_else(|| n.value()).is_some_and(|l| {
                    l.strip_suffix('%')
                        .is_some_and(|p| p.parse::<u32>().is_ok_and(|v| v <= 100))
                })
        })
        .count();
    assert_eq!(cells, 15);
    // No sentence per pair, twice over, by id.
    assert!(
        h.query_by_label_contains("is cheaper per accepted output than")
            .is_none()
    );
    h.state_mut().session_mut().doc.register.clear();
    h.run_steps(3);
    h.get_by_label("No ranges to show");
    assert!(h.query_by_label("LCPR P10").is_none(), "no made-up ranges");
    assert!(h.query_by_label("Row beats column").is_none());
}

#[test]
fn every_views_chart_keeps_each_series_in_its_own_colour_and_each_component_in_one() {
    use lcpr_core::report::chart::{ChartData, Rgb, component_color};
    let doc = lcpr_core::document::parse(
        &std::fs::read_to_string(default_workspace()).unwrap(),
        "support-migration.yaml",
    )
    .unwrap();
    let eval = lcpr_core::case::evaluation::evaluate(&doc);
    let mut views = lcpr_workbench::gui::views::all();
    let mut kinds = std::collections::BTreeSet::new();
    let mut component_colours: Vec<(String, Rgb)> = Vec::new();
    for v in &mut views {
        let Some(chart) = v.chart(&doc, &eval) else {
            continue;
        };
        kinds.insert(match &chart.data {
            ChartData::StackedBar(_) => "stacked",
            ChartData::Tornado(_) => "tornado",
            ChartData::Range(_) => "range",
            ChartData::Line(_) => "line",
            ChartData::Waterfall(_) => "waterfall",
            ChartData::Fan(_) => "fan",
        });
        // The GUI plots draw the chart model's colours (plot.rs takes every fill and line
        // from it), so no two series of one chart may share one.
        let series = chart.series_colors();
        for (i, (name, color)) in series.iter().enumerate() {
            if let Some((other, _)) = series[i + 1..].iter().find(|(_, c)| c == color) {
                panic!("{}: {name} and {other} share a colour", v.title());
            }
        }
        if let ChartData::StackedBar(c) = &chart.data {
            for k in &c.components {
                if let Some((_, seen)) = component_colours.iter().find(|(n, _)| *n == k.name) {
                    assert_eq!(*seen, k.color, "{} changes colour in {}", k.name, v.title());
                }
                component_colours.push((k.name.clone(), k.color));
            }
        }
    }
    for want in ["stacked", "tornado", "range", "line", "waterfall", "fan"] {
        assert!(
            kinds.contains(want),
            "no view draws a {want} chart: {kinds:?}"
        );
    }
    // Components are keyed by what they are: Human escalation is its palette colour.
    let human = component_colours
        .iter()
        .find(|(n, _)| n == "Human escalation")
        .expect("the compare chart has human escalation");
    assert_eq!(
        human.1,
        component_color(lcpr_core::case::cost::exact::Component::Human)
    );
}

#[test]
fn a_chart_saves_as_svg_and_png_from_its_export_menu() {
    let dir = scratch("chart-export");
    let svg = dir.join("compare.svg");
    let png = dir.join("compare.png");
    let mut h = app(
        Some(default_workspace()),
        None,
        vec![Some(svg.clone()), Some(png.clone())],
    );
    h.run_steps(2);
    for (item, out) in [("Save as SVG…", &svg), ("Save as PNG…", &png)] {
        h.get_all_by_label("Export chart…").next().unwrap().click();
        h.run_steps(2);
        h.get_by_label(item).click();
        h.run_steps(6);
        assert!(out.exists(), "{item} wrote nothing");
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("LCPR by route, split into its components"));
    assert!(text.contains("Human escalation"));
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");
}

#[test]
fn the_compare_table_shows_lcpr_and_monthly_cost_at_1280_by_800() {
    let mut h = app_sized(
        Some(default_workspace()),
        None,
        vec![],
        egui::vec2(1280.0, 800.0),
    );
    h.run_steps(1);
    assert_eq!(h.state().active_view(), "Compare");
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    for header in ["Scenario", "LCPR", "Monthly cost"] {
        let r = h.get_by_role_and_label(Role::Button, header).rect();

        assert!(screen.contains_rect(r), "{header} is cut off at {r:?}");
    }
    // The dedicated route's LCPR and monthly cost, in full.
    for cell in ["$0.1156", "$36,764.96"] {
        let r = h
            .query_all_by_label(cell)
            .map(|n| n.rect())
            .find(|r| screen.contains_rect(*r));
        assert!(
            r.is_some(),
            "{cell} is not in view: {:?}",
            h.query_all_by_label(cell)
                .map(|n| n.rect())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn export_slides_writes_the_presenters_pages_as_a_deck() {
    let dir = scratch("slides");
    let out = dir.join("deck.pdf");
    let mut h = app(Some(default_workspace()), None, vec![Some(out.clone())]);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export slides…").click();
    h.run_steps(4);
    assert!(h.state().error().is_none(), "{:?}", h.state().error());
    let text = std::process::Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .expect("pdftotext");
    // pdftotext closes up the spaces of a lone bold counter ("3/10"): compare without them.
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for want in [
        "1/10",
        "10/10",
        "LCPRbyroute,splitintoitscomponents",
        "LCPRovertheregister'sranges",
        "page11of11",
    ] {
        assert!(text.contains(want), "the deck lacks {want:?}");
    }
}

#[test]
fn the_plan_view_states_the_optimum_of_the_chosen_mix_scenario() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.get_by_label("Plan").click();
    h.run_steps(3);
    assert_eq!(h.state().active_view(), "Plan");
    let doc = h.state().session().doc.clone();
    let sentence = |id: &str| {
        let p = lcpr_core::decide::plan::plan(&doc, id).unwrap();
        lcpr_core::report::plan_chart::optimum_sentence(&p)
    };
    // The first scenario with a mix, the cascade, with its break-even.
    h.get_by_label(&sentence("support-cascade"));
    h.get_by_label_contains("Break-even escalation rate: ");
    // Choose the reserved pool: its optimum, and the demand it is sized against.
    h.get_by_role_and_label(Role::ComboBox, "Scenario").click();
    h.run_steps(2);
    h.query_all_by_label("Support on reserved H100s, peaks on DeepSeek serverless")
        .last()
        .expect("the option")
        .click();
    h.run_steps(3);
    let optimum = sentence("support-h100-reserved");
    assert!(
        optimum.starts_with("Optimum: GPUs reserved on h100-dedicated = "),
        "{optimum}"
    );
    h.get_by_label(&optimum);
    h.get_by_label("Hourly demand and the reserved pool");
}

/// The default workspace with none of its analysis sections, saved to a scratch file: a case
/// as it stands before anyone has written a migration case, forecast or attribution.
fn without_sections(name: &str) -> PathBuf {
    let mut ws = lcpr_core::document::load(&default_workspace()).unwrap();
    ws.migration = None;
    ws.forecast = None;
    ws.attribution = None;
    ws.incidents.clear();
    ws.monthly_review = None;
    let path = scratch(name).join("bare.yaml");
    lcpr_core::document::save(&ws, &path).unwrap();
    path
}

/// Clicks `label` in the navigator.
fn click_in_navigator(h: &mut Harness<'_, WorkbenchApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(3);
}

/// Types `text` into the first field labelled `label` (the editor can show a label twice, as
/// last month's and this month's figures).
fn set_first_field(h: &mut Harness<'_, WorkbenchApp>, label: &str, text: &str) {
    h.query_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap_or_else(|| panic!("no field {label}"))
        .click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.query_all_by_role_and_label(Role::TextInput, label)
        .next()
        .unwrap()
        .type_text(text);
    h.run_steps(3);
}

/// Sets `label` to `bad` (the rule must show and nothing change), then to `good` (the
/// document must change as `check` says), then undoes that in one step.
fn edit_refuse_and_undo(
    h: &mut Harness<'_, WorkbenchApp>,
    label: &str,
    (bad, rule): (&str, &str),
    good: &str,
    check: impl Fn(&lcpr_core::document::Workspace) -> bool,
) {
    h.run_steps(4);
    let before = h.state().session().doc.clone();
    set_first_field(h, label, bad);
    assert!(
        h.query_by_label_contains(rule).is_some(),
        "{label} = {bad:?} does not show {rule:?}"
    );
    assert_eq!(
        h.state().session().doc,
        before,
        "{label} = {bad:?} was written"
    );
    set_first_field(h, label, good);
    assert!(
        check(&h.state().session().doc),
        "{label} = {good:?} was not written"
    );
    h.run_steps(4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(
        h.state().session().doc,
        before,
        "undo did not restore {label}"
    );
}

#[test]
fn every_analysis_section_is_added_from_its_view_or_the_navigator_edited_and_undone() {
    // Tall enough that the whole navigator is on screen.
    let mut h = app_sized(
        Some(without_sections("sections")),
        None,
        vec![],
        egui::vec2(1500.0, 2200.0),
    );
    // Gates: the empty state adds a migration case drafted from the case and opens its editor.
    h.get_by_label("Gates").click();
    h.run_steps(2);
    h.get_by_label("Add a migration case").click();
    h.run_steps(3);
    let m = h.state().session().doc.migration.clone().expect("added");
    assert_eq!(m.current, "support-gpt");
    assert!(
        h.query_all_by_label_contains("PASS").next().is_some()
            || h.query_all_by_label_contains("FAIL").next().is_some(),
        "the gates are not shown"
    );
    edit_refuse_and_undo(
        &mut h,
        "Traffic on the fallback",
        ("150%", "must lie in [0%, 100%], got 150%"),
        "10%",
        |ws| {
            ws.migration
                .as_ref()
                .is_some_and(|m| m.fallback_share == 0.1)
        },
    );
    // Forecast: its drivers start from the case; the view draws the quarter.
    h.get_by_label("Forecast").click();
    h.run_steps(2);
    h.get_by_label("Add a forecast").click();
    h.run_steps(3);
    let f = h.state().session().doc.forecast.clone().expect("added");
    assert_eq!(f.scenarios.len(), 2, "base and the move to the candidate");
    assert!(h.query_by_label_contains("No forecast yet").is_none());
    let workload = f.workloads[0].name.clone();
    if f.workloads.len() > 1 {
        h.get_by_label(&workload).click();
        h.run_steps(2);
    }
    edit_refuse_and_undo(
        &mut h,
        "Acceptance rate",
        ("0%", "must lie in (0%, 100%]"),
        "80%",
        |ws| {
            ws.forecast
                .as_ref()
                .is_some_and(|f| f.workloads[0].acceptance_rate.base == 0.8)
        },
    );
    // Attribution.
    h.get_by_label("Attribution").click();
    h.run_steps(2);
    h.get_by_label("Add an attribution").click();
    h.run_steps(3);
    assert!(h.state().session().doc.attribution.is_some());
    edit_refuse_and_undo(
        &mut h,
        "Shared bill",
        ("-5", "must be ≥ 0"),
        "1000",
        |ws| {
            ws.attribution
                .as_ref()
                .is_some_and(|a| a.bill_total == rust_decimal::Decimal::from(1000))
        },
    );
    // Incidents, monthly review inputs and simulation settings from the navigator.
    click_in_navigator(&mut h, "+ Add an incident");
    assert_eq!(h.state().session().doc.incidents.len(), 1);
    edit_refuse_and_undo(
        &mut h,
        "Hours to detect",
        ("-1", "must be ≥ 0"),
        "2",
        |ws| ws.incidents[0].detection_hours == Some(2.0),
    );
    click_in_navigator(&mut h, "+ Add monthly review inputs");
    assert!(h.state().session().doc.monthly_review.is_some());
    edit_refuse_and_undo(
        &mut h,
        "Cache hit rate",
        ("120%", "must lie in [0%, 100%], got 120%"),
        "40%",
        |ws| {
            ws.monthly_review
                .as_ref()
                .is_some_and(|r| r.workloads[0].last_month.cache_hit_rate == 0.4)
        },
    );
    click_in_navigator(&mut h, "Simulation settings");
    edit_refuse_and_undo(
        &mut h,
        "Draws per run",
        ("0", "must lie in [1, 1,000,000], got 0"),
        "5,000",
        |ws| ws.simulation.draws == 5000,
    );
    // Everything added is valid and saved as written.
    assert_eq!(h.state().session().violations(), &[]);
}

#[test]
fn no_view_of_an_empty_workspace_sends_the_user_to_the_yaml() {
    let mut h = app(None, None, vec![]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(3);
    assert!(
        h.state().session().doc.scenarios.is_empty(),
        "not an empty workspace"
    );
    let titles: Vec<&str> = lcpr_workbench::gui::views::all()
        .iter()
        .map(|v| v.title())
        .collect();
    for title in titles {
        h.get_by_label(title).click();
        h.run_steps(2);
        for word in ["YAML", "yaml", "section to the workspace"] {
            assert!(
                h.query_by_label_contains(word).is_none(),
                "{title} tells the user to edit the file ({word})"
            );
        }
    }
}

#[test]
fn an_empty_workspace_gets_started_and_help_explains_the_terms() {
    let mut h = app(None, None, vec![]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(3);
    assert!(h.query_by_label("Getting started").is_some());
    assert!(h.query_by_label("Import traces…").is_some());
    assert!(h.query_by_label("Start from a template…").is_some());
    assert!(h.query_by_label("Browse the catalog…").is_some());
    // The glossary from the panel's link, searchable.
    h.get_by_label("What do LCPR, stable prefix, TPOT and goodput mean?")
        .click();
    h.run_steps(3);
    assert!(h.query_by_label("Glossary").is_some(), "no glossary window");
    let tpot = lcpr_core::report::glossary::lookup("TPOT").unwrap();
    assert!(h.query_by_label(tpot.meaning).is_some());
    h.get_by_role_and_label(Role::TextInput, "Search").click();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text("streamed");
    h.run_steps(3);
    assert!(h.query_by_label(tpot.meaning).is_some());
    let lcpr = lcpr_core::report::glossary::lookup("LCPR").unwrap();
    assert!(
        h.query_by_label(lcpr.meaning).is_none(),
        "search does not filter"
    );
    // An example opens as a new, unsaved copy with its numbers.
    h.get_by_label("Open example: Support answers: which route after GPT-5.4?")
        .click();
    h.run_steps(4);
    assert!(
        h.state().session().path().is_none(),
        "the example is a copy"
    );
    assert!(!h.state().session().doc.scenarios.is_empty());
    assert!(h.query_by_label("Getting started").is_none());
}

#[test]
fn an_editor_label_explains_its_term_on_hover_and_help_lists_the_shortcuts() {
    let mut h = app(Some(default_workspace()), None, vec![]);
    h.get_by_label("Support answer drafting").click();
    h.run_steps(2);
    // The label sits left of its field.
    let field = h
        .get_by_role_and_label(Role::TextInput, "Retry rate")
        .rect();
    h.hover_at(field.left_center() - egui::vec2(40.0, 0.0));
    // Tooltips wait for the pointer to rest.
    h.run_steps(8);
    let retry = lcpr_core::report::glossary::lookup("Retry rate").unwrap();
    assert!(
        h.query_by_label_contains(retry.meaning).is_some(),
        "no glossary hover on the retry rate's label"
    );
    // A chart's title explains the terms of its title, axes and legend.
    h.get_by_label("Compare").click();
    h.run_steps(2);
    let title = h
        .get_by_label("LCPR by route, split into its components")
        .rect();
    h.hover_at(title.center());
    h.run_steps(8);
    let lcpr = lcpr_core::report::glossary::lookup("LCPR").unwrap();
    assert!(
        h.query_by_label_contains(lcpr.meaning).is_some(),
        "no glossary hover on the chart title"
    );
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("Keyboard shortcuts").click();
    h.run_steps(3);
    for what in [
        "Undo",
        "Next view",
        "Presenter mode on or off",
        "Leave presenter mode",
    ] {
        assert!(h.query_by_label(what).is_some(), "{what} is not listed");
    }
}
