//! The four-source reconciliation: importers for invoices, contracted rates and eval and
//! human-review results, and the join that reconciles them with the trace-derived cost.
//!
//! A period's loaded cost is only trustworthy when four independent records agree: the traces
//! (what the requests should have cost), the invoice (what the provider charged), the contract
//! (what the provider agreed to charge) and the eval and review systems (which outputs were
//! accepted). Each importer here reads one of them, record by record, into typed values; a bad
//! value stops the import with an [`csv::ImportError`] naming the file, row and column, so no
//! partial import ever reaches a reconciliation. [`reconcile::reconcile`] then joins them.
//!
//! The trace side (per-request rows and their pricing) is imported elsewhere; here it arrives
//! as one summed cost and an attempt count.

pub mod contract;
pub mod csv;
pub mod evals;
pub mod evidence;
pub mod invoice;
pub mod reconcile;
pub mod workspace_import;
