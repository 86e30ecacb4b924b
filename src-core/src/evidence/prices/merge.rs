//! A price book put into a workspace: new rate cards added, cards already there compared.
//!
//! An entry finds its card by id, else by provider and model among cards an earlier book
//! imported. A card whose prices or start date differ drifts: the report gives old → new per
//! meter with the % change and both effective dates, and nothing is written until the drift is
//! accepted — then all of it at once, each drifting card keeping its earlier prices as a dated
//! copy (`ID-from-DATE`) so traces before the new prices still price at the old. A card's
//! contract overlay is never touched by a list price, and a card that prices GPU-hours is never
//! replaced by token prices.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Book, BookEntry, BookKind, PriceBookError, SkippedEntry, pattern_matches};
use crate::document::{CardProvenance, Date, RateCard, RatePricing, Workspace};

/// What to take from the book.
#[derive(Debug, Clone, Default)]
pub struct PriceImportOptions {
    /// Keep only entries whose key or model matches one of these (`claude-*`); all when empty.
    pub only: Vec<String>,
    /// Write drifting cards too (else a book with drift changes nothing).
    pub accept: bool,
}

/// One meter's old and new price, dollars per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeterChange {
    /// The rate card field (`input_per_m`, …).
    pub meter: &'static str,
    /// The card's price.
    #[serde(with = "crate::money::exact_option")]
    pub old: Option<Decimal>,
    /// The book's price.
    #[serde(with = "crate::money::exact_option")]
    pub new: Option<Decimal>,
    /// (new − old) ÷ old × 100; `None` when a side is missing or old is 0.
    pub change_pct: Option<f64>,
}

/// A card whose book prices differ from the workspace's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardDrift {
    /// The rate card.
    pub card: String,
    /// The book's key.
    pub key: String,
    /// The card's `effective_from`.
    pub old_effective_from: Date,
    /// The book's.
    pub new_effective_from: Date,
    /// The meters whose price changed.
    pub meters: Vec<MeterChange>,
    /// True when the card has a contract overlay (kept as it is).
    pub contract_kept: bool,
}

/// What a price-book import did, or would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceImportReport {
    /// The book's file name.
    pub book: String,
    /// Which book.
    pub kind: BookKind,
    /// The book's date.
    pub book_date: Date,
    /// Priced entries in the book.
    pub entries: usize,
    /// Entries left out by `--only`.
    pub filtered_out: usize,
    /// Cards added.
    pub added: Vec<String>,
    /// Cards whose prices the book confirms.
    pub unchanged: Vec<String>,
    /// Cards whose prices differ.
    pub drift: Vec<CardDrift>,
    /// Entries left out, each with why (no input or output price, a GPU-hour card, …).
    pub skipped: Vec<SkippedEntry>,
    /// Keys naming a model another key of the book already added (`openai/gpt-4o` beside
    /// `gpt-4o`): kept as that card's aliases.
    pub same_model: Vec<SkippedEntry>,
    /// Entries of other kinds left out, counted by kind.
    pub other_modes: BTreeMap<String, usize>,
    /// Copies of drifting cards keeping their earlier prices, so traces dated before the new
    /// prices still price at the old ones (made once the drift is accepted).
    pub kept_history: Vec<String>,
    /// Price fields the book has that a rate card cannot hold, with how many entries have them.
    pub not_read: BTreeMap<String, usize>,
    /// True when the workspace was changed.
    pub applied: bool,
    /// True when drift waits for `--accept` (nothing was changed).
    pub needs_accept: bool,
}

/// The card id an entry gets: its key with every character an id does not need made `-`.
fn card_id(book: BookKind, key: &str) -> String {
    let slug: String = key
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    match book {
        BookKind::Openrouter => format!("openrouter-{slug}"),
        BookKind::Litellm | BookKind::GenaiPrices => slug,
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn pricing_of(entry: &BookEntry) -> RatePricing {
    let p = &entry.prices;
    RatePricing::Tokens {
        input_per_m: p.input_per_m.unwrap_or_default(),
        cached_input_per_m: p.cached_input_per_m,
        cache_write_5m_per_m: p.cache_write_5m_per_m,
        cache_write_1h_per_m: p.cache_write_1h_per_m,
        output_per_m: p.output_per_m.unwrap_or_default(),
        batch_input_per_m: p.batch_input_per_m,
        batch_output_per_m: p.batch_output_per_m,
    }
}

/// The token meters of a pricing, by rate-card field name.
fn meters(pricing: &RatePricing) -> Option<[(&'static str, Option<Decimal>); 7]> {
    let RatePricing::Tokens {
        input_per_m,
        cached_input_per_m,
        cache_write_5m_per_m,
        cache_write_1h_per_m,
        output_per_m,
        batch_input_per_m,
        batch_output_per_m,
    } = pricing
    else {
        return None;
    };
    Some([
        ("input_per_m", Some(*input_per_m)),
        ("cached_input_per_m", *cached_input_per_m),
        ("cache_write_5m_per_m", *cache_write_5m_per_m),
        ("cache_write_1h_per_m", *cache_write_1h_per_m),
        ("output_per_m", Some(*output_per_m)),
        ("batch_input_per_m", *batch_input_per_m),
        ("batch_output_per_m", *batch_output_per_m),
    ])
}

fn change_pct(old: Option<Decimal>, new: Option<Decimal>) -> Option<f64> {
    let (old, new) = (old?, new?);
    if old.is_zero() {
        return None;
    }
    let pct = (new - old)
        .checked_div(old)?
        .checked_mul(Decimal::ONE_HUNDRED)?;
    Some(crate::money::to_f64(pct.round_dp(2)))
}

fn source(book: &Book, entry: &BookEntry) -> String {
    format!(
        "{} {} of {}, key {}",
        book.kind.title(),
        book.file,
        book.date,
        entry.key
    )
}

fn provenance(book: &Book, entry: &BookEntry) -> CardProvenance {
    CardProvenance {
        book: book.file.clone(),
        kind: book.kind.name().to_owned(),
        book_date: book.date,
        key: entry.key.clone(),
    }
}

/// The card `entry` finds: the same id, else the same provider and model from an earlier book.
fn existing(cards: &[RateCard], id: &str, entry: &BookEntry) -> Option<usize> {
    cards.iter().position(|c| c.id == id).or_else(|| {
        cards.iter().position(|c| {
            c.provenance.is_some()
                && same(&c.provider, &entry.provider)
                && same(&c.model, &entry.model)
        })
    })
}

/// Puts `book` into `ws`: the workspace as it would be and the report. The workspace is
/// unchanged when the book drifts from it and `options.accept` is false.
pub fn import_book(
    ws: &Workspace,
    book: &Book,
    options: &PriceImportOptions,
) -> Result<(Workspace, PriceImportReport), PriceBookError> {
    let kept: Vec<&BookEntry> = book
        .entries
        .iter()
        .filter(|e| {
            options.only.is_empty()
                || options
                    .only
                    .iter()
                    .any(|p| pattern_matches(p, &e.key) || pattern_matches(p, &e.model))
        })
        .collect();
    if kept.is_empty() {
        let message = if book.entries.is_empty() {
            format!(
                "lists no model with both an input and an output price ({} entries left out{})",
                book.skipped.len(),
                book.skipped
                    .first()
                    .map(|s| format!(", e.g. {:?}: {}", s.key, s.reason))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "--only {} matches none of the book's {} priced entries (e.g. {:?}); a pattern matches a key or a model, with * for any run of characters",
                options.only.join(" "),
                book.entries.len(),
                book.entries
                    .first()
                    .map(|e| e.key.as_str())
                    .unwrap_or_default()
            )
        };
        return Err(PriceBookError::Nothing {
            file: book.file.clone(),
            message,
        });
    }
    let mut updated = ws.clone();
    let mut report = PriceImportReport {
        book: book.file.clone(),
        kind: book.kind,
        book_date: book.date,
        entries: book.entries.len(),
        filtered_out: book.entries.len() - kept.len(),
        added: Vec::new(),
        unchanged: Vec::new(),
        drift: Vec::new(),
        skipped: book.skipped.clone(),
        same_model: Vec::new(),
        kept_history: Vec::new(),
        other_modes: book.other_modes.clone(),
        not_read: BTreeMap::new(),
        applied: false,
        needs_accept: false,
    };
    let mut touched: BTreeSet<usize> = BTreeSet::new();
    let mut added_at: BTreeSet<usize> = BTreeSet::new();
    for entry in kept {
        for field in &entry.not_read {
            *report.not_read.entry(field.clone()).or_default() += 1;
        }
        let id = card_id(book.kind, &entry.key);
        let effective_from = entry.effective_from.unwrap_or(book.date);
        let pricing = pricing_of(entry);
        let Some(i) = existing(&updated.rate_cards, &id, entry) else {
            let mut unique = id.clone();
            let mut n = 2;
            while updated.rate_cards.iter().any(|c| c.id == unique) {
                unique = format!("{id}-{n}");
                n += 1;
            }
            let notes = if entry.not_read.is_empty() {
                String::new()
            } else {
                format!("Not read from the book: {}.", entry.not_read.join(", "))
            };
            report.added.push(unique.clone());
            added_at.insert(updated.rate_cards.len());
            updated.rate_cards.push(RateCard {
                id: unique,
                provider: entry.provider.clone(),
                model: entry.model.clone(),
                aliases: entry.aliases.clone(),
                effective_from,
                source: source(book, entry),
                pricing,
                contract: None,
                provenance: Some(provenance(book, entry)),
                notes,
            });
            continue;
        };
        if added_at.contains(&i) {
            let Some(card) = updated.rate_cards.get_mut(i) else {
                continue;
            };
            for a in entry.aliases.iter().chain(std::iter::once(&entry.key)) {
                if !card.aliases.iter().any(|x| same(x, a)) && !same(&card.model, a) {
                    card.aliases.push(a.clone());
                }
            }
            let differs = pricing != card.pricing;
            report.same_model.push(SkippedEntry {
                key: entry.key.clone(),
                reason: format!(
                    "names the model of card {:?}: kept as its alias{}",
                    card.id,
                    if differs {
                        "; its prices differ from the card's, which keeps the first key's"
                    } else {
                        ""
                    }
                ),
            });
            continue;
        }
        if !touched.insert(i) {
            report.skipped.push(SkippedEntry {
                key: entry.key.clone(),
                reason: format!(
                    "finds card {:?}, which another entry of the book already priced",
                    updated.rate_cards[i].id
                ),
            });
            continue;
        }
        let Some(card) = updated.rate_cards.get_mut(i) else {
            continue;
        };
        let (Some(old), Some(new)) = (meters(&card.pricing), meters(&pricing)) else {
            report.skipped.push(SkippedEntry {
                key: entry.key.clone(),
                reason: format!(
                    "finds card {:?}, which prices GPU-hours; its token prices are not replaced",
                    card.id
                ),
            });
            continue;
        };
        let changed: Vec<MeterChange> = old
            .iter()
            .zip(new.iter())
            .filter(|((_, o), (_, n))| o != n)
            .map(|((meter, o), (_, n))| MeterChange {
                meter,
                old: *o,
                new: *n,
                change_pct: change_pct(*o, *n),
            })
            .collect();
        if changed.is_empty() {
            // The same prices, from this or another date: the card keeps its own start date.
            report.unchanged.push(card.id.clone());
            continue;
        }
        // The earlier prices stay in force before the new ones: a dated copy of the card.
        let history = (card.effective_from < effective_from).then(|| {
            let mut old = card.clone();
            old.id = format!("{}-from-{}", card.id, card.effective_from);
            old.notes = format!(
                "The prices of {} before {effective_from}, kept when {} of {} was accepted.",
                card.id, book.file, book.date
            );
            old
        });
        report.drift.push(CardDrift {
            card: card.id.clone(),
            key: entry.key.clone(),
            old_effective_from: card.effective_from,
            new_effective_from: effective_from,
            meters: changed,
            contract_kept: card.contract.is_some(),
        });
        // List prices only: the contract overlay, id, provider, model and notes stay.
        card.pricing = pricing;
        card.effective_from = effective_from;
        card.source = source(book, entry);
        card.provenance = Some(provenance(book, entry));
        for a in &entry.aliases {
            if !card.aliases.iter().any(|x| same(x, a)) && !same(&card.model, a) {
                card.aliases.push(a.clone());
            }
        }
        if let Some(old) = history
            && !updated.rate_cards.iter().any(|c| c.id == old.id)
        {
            report.kept_history.push(old.id.clone());
            updated.rate_cards.push(old);
        }
    }
    report.needs_accept = !report.drift.is_empty() && !options.accept;
    if report.needs_accept {
        return Ok((ws.clone(), report));
    }
    if let Some(v) = crate::document::validate(&updated).into_iter().next() {
        return Err(PriceBookError::Workspace {
            file: book.file.clone(),
            message: format!("{}: {}", v.path, v.rule),
        });
    }
    report.applied = !report.added.is_empty() || !report.drift.is_empty();
    let result = if report.applied { updated } else { ws.clone() };
    Ok((result, report))
}

/// Up to 20 card ids, then how many more (a whole book adds thousands; `--json` lists all).
fn names(ids: &[String]) -> String {
    const SHOWN: usize = 20;
    match ids.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{}, … and {more} more", ids[..SHOWN].join(", ")),
        _ => ids.join(", "),
    }
}

/// The report as the lines `lcpr import prices` prints.
#[must_use]
pub fn report_lines(report: &PriceImportReport) -> Vec<String> {
    let money =
        |d: Option<Decimal>| d.map_or_else(|| "none".to_owned(), |d| format!("${}", d.normalize()));
    let mut lines = vec![format!(
        "{} {} of {}: {} priced entries{}",
        report.kind.title(),
        report.book,
        report.book_date,
        report.entries,
        if report.filtered_out > 0 {
            format!(", {} left out by --only", report.filtered_out)
        } else {
            String::new()
        }
    )];
    if !report.added.is_empty() {
        lines.push(format!(
            "{} new rate card{}: {}",
            report.added.len(),
            if report.added.len() == 1 { "" } else { "s" },
            names(&report.added)
        ));
    }
    if !report.unchanged.is_empty() {
        lines.push(format!(
            "{} card{} unchanged: {}",
            report.unchanged.len(),
            if report.unchanged.len() == 1 { "" } else { "s" },
            names(&report.unchanged)
        ));
    }
    for d in &report.drift {
        lines.push(format!(
            "drift {} (key {}): effective {} → {}{}",
            d.card,
            d.key,
            d.old_effective_from,
            d.new_effective_from,
            if d.contract_kept {
                "; its contract overlay is kept"
            } else {
                ""
            }
        ));
        for m in &d.meters {
            lines.push(format!(
                "  {}: {} → {}{}",
                m.meter,
                money(m.old),
                money(m.new),
                m.change_pct
                    .map(|p| format!(" ({p:+.2}%)"))
                    .unwrap_or_default()
            ));
        }
    }
    if !report.skipped.is_empty() {
        lines.push(format!(
            "{} entr{} skipped, never priced at $0:",
            report.skipped.len(),
            if report.skipped.len() == 1 {
                "y"
            } else {
                "ies"
            }
        ));
        for s in &report.skipped {
            lines.push(format!("  {}: {}", s.key, s.reason));
        }
    }
    for id in &report.kept_history {
        lines.push(if report.needs_accept {
            format!("once accepted, the earlier prices stay as {id}, for traces dated before the new ones")
        } else {
            format!("kept the earlier prices as {id}, for traces dated before the new ones")
        });
    }
    for s in &report.same_model {
        lines.push(format!("{}: {}", s.key, s.reason));
    }
    if !report.other_modes.is_empty() {
        let modes: Vec<String> = report
            .other_modes
            .iter()
            .map(|(m, n)| format!("{m} {n}"))
            .collect();
        lines.push(format!("Not token-priced, left out: {}", modes.join(", ")));
    }
    if !report.not_read.is_empty() {
        let fields: Vec<String> = report
            .not_read
            .iter()
            .map(|(f, n)| format!("{f} ({n})"))
            .collect();
        lines.push(format!(
            "A rate card cannot hold, not read: {}",
            fields.join(", ")
        ));
    }
    if report.needs_accept {
        lines.push(format!(
            "{} card{} drift: nothing was changed; accept the new prices with --accept",
            report.drift.len(),
            if report.drift.len() == 1 { "" } else { "s" }
        ));
    } else if !report.applied {
        lines.push("Nothing new: the workspace already has these prices.".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::ContractOverlay;
    use crate::evidence::prices::read;

    const BOOK: &str = r#"{
        "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06},
        "openai/gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06},
        "claude-y": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05}
    }"#;

    fn empty() -> Workspace {
        crate::document::parse(
            "format_version: 1\nmeta:\n  title: t\n  created: \"2026-01-01\"\n  updated: \"2026-01-01\"\n",
            "t.yaml",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap_or(Date::EPOCH)
    }

    fn book(text: &str, day: &str) -> Book {
        read("prices.json", text, date(day)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_second_book_reports_drift_and_changes_nothing_until_accepted() {
        let first = book(BOOK, "2026-10-01");
        let (ws, r) = import_book(&empty(), &first, &PriceImportOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.added, ["claude-y", "gpt-x"]);
        assert!(r.applied);
        let card = ws.rate_card("gpt-x").unwrap_or_else(|| panic!("card"));
        // `openai/gpt-x` is the same model: it comes along as an alias.
        assert_eq!(card.aliases, ["openai/gpt-x"]);
        assert_eq!(r.same_model[0].key, "openai/gpt-x");
        assert_eq!(card.effective_from, date("2026-10-01"));
        assert_eq!(
            card.provenance
                .as_ref()
                .map(|p| (p.key.as_str(), p.kind.as_str())),
            Some(("gpt-x", "litellm"))
        );

        let newer = book(&BOOK.replacen("2e-06", "2.5e-06", 1), "2026-11-15");
        let (same_ws, r) = import_book(&ws, &newer, &PriceImportOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same_ws, ws);
        assert!(r.needs_accept && !r.applied);
        let [d] = r.drift.as_slice() else {
            panic!("{:?}", r.drift)
        };
        assert_eq!(d.card, "gpt-x");
        assert_eq!(
            (d.old_effective_from, d.new_effective_from),
            (date("2026-10-01"), date("2026-11-15"))
        );
        assert_eq!(d.meters.len(), 1);
        assert_eq!(d.meters[0].meter, "input_per_m");
        assert_eq!(d.meters[0].change_pct, Some(25.0));
        let accepted = PriceImportOptions {
            accept: true,
            ..PriceImportOptions::default()
        };
        let (after, r) = import_book(&ws, &newer, &accepted).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.applied);
        let card = after.rate_card("gpt-x").unwrap_or_else(|| panic!("card"));
        assert_eq!(card.effective_from, date("2026-11-15"));
        // The earlier price stays in force before the new one.
        assert_eq!(r.kept_history, ["gpt-x-from-2026-10-01"]);
        let old = after
            .rate_card("gpt-x-from-2026-10-01")
            .unwrap_or_else(|| panic!("history"));
        assert_eq!(old.effective_from, date("2026-10-01"));
        assert!(
            matches!(old.pricing, RatePricing::Tokens { input_per_m, .. } if input_per_m == Decimal::new(2, 0))
        );
        assert!(
            matches!(card.pricing, RatePricing::Tokens { input_per_m, .. } if input_per_m == Decimal::new(25, 1))
        );
    }

    #[test]
    fn a_contract_overlay_survives_an_accepted_list_price() {
        let first = book(BOOK, "2026-10-01");
        let (mut ws, _) = import_book(&empty(), &first, &PriceImportOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let overlay = ContractOverlay {
            reference: "MSA-1".into(),
            discount: 0.1,
            ..ContractOverlay::default()
        };
        if let Some(c) = ws.rate_cards.iter_mut().find(|c| c.id == "claude-y") {
            c.contract = Some(overlay.clone());
        }
        let newer = book(&BOOK.replace("1.5e-05", "1.2e-05"), "2026-11-15");
        let options = PriceImportOptions {
            accept: true,
            only: vec!["claude-*".into()],
        };
        let (after, r) = import_book(&ws, &newer, &options).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.filtered_out, 2);
        assert_eq!(r.drift.len(), 1);
        assert!(r.drift[0].contract_kept);
        let card = after
            .rate_card("claude-y")
            .unwrap_or_else(|| panic!("card"));
        assert_eq!(card.contract.as_ref(), Some(&overlay));
    }

    #[test]
    fn only_that_matches_nothing_is_refused_with_the_rule() {
        let b = book(BOOK, "2026-10-01");
        let options = PriceImportOptions {
            only: vec!["mistral-*".into()],
            accept: false,
        };
        let e = import_book(&empty(), &b, &options)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("--only mistral-*") && e.contains("matches none"),
            "{e}"
        );
    }
}
