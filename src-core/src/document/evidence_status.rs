//! How well an input is known: the evidence status every forecast driver and gate figure carries.
//!
//! A forecast or a go/no-go call is only as good as its weakest input, so each input says where
//! its number came from. Four statuses rest on evidence (logs, a load test, a reconciled invoice,
//! a signed contract); the rest are judgement or out of date, and reports list them so the
//! reader knows which numbers to check first.

use serde::{Deserialize, Serialize};

/// Where an input's value came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// Read from production traces or logs.
    MeasuredInLogs,
    /// Measured in a load test with representative traffic.
    LoadTested,
    /// Matched against a provider invoice.
    InvoiceReconciled,
    /// Fixed by a signed contract or published price sheet the buyer is billed on.
    ContractConfirmed,
    /// Derived from related measurements or a model, not measured directly.
    Estimated,
    /// A judgement with no measurement behind it; the status of an input nobody qualified.
    #[default]
    Assumed,
    /// Once measured, but the measurement no longer describes the system.
    Stale,
}

impl EvidenceStatus {
    /// Every status, strongest evidence first.
    pub const ALL: [Self; 7] = [
        Self::MeasuredInLogs,
        Self::LoadTested,
        Self::InvoiceReconciled,
        Self::ContractConfirmed,
        Self::Estimated,
        Self::Assumed,
        Self::Stale,
    ];

    /// The status as written in files and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::MeasuredInLogs => "measured_in_logs",
            Self::LoadTested => "load_tested",
            Self::InvoiceReconciled => "invoice_reconciled",
            Self::ContractConfirmed => "contract_confirmed",
            Self::Estimated => "estimated",
            Self::Assumed => "assumed",
            Self::Stale => "stale",
        }
    }

    /// The status in plain words, for tables and reports.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::MeasuredInLogs => "Measured in logs",
            Self::LoadTested => "Load tested",
            Self::InvoiceReconciled => "Invoice reconciled",
            Self::ContractConfirmed => "Contract confirmed",
            Self::Estimated => "Estimated",
            Self::Assumed => "Assumed",
            Self::Stale => "Stale",
        }
    }

    /// True when the value rests on current evidence: logs, a load test, a reconciled invoice or
    /// a contract. Estimates, assumptions and stale measurements are not.
    #[must_use]
    pub fn is_measured(self) -> bool {
        matches!(
            self,
            Self::MeasuredInLogs
                | Self::LoadTested
                | Self::InvoiceReconciled
                | Self::ContractConfirmed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_serde_form() {
        for s in EvidenceStatus::ALL {
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.name()));
            let back: EvidenceStatus = serde_json::from_str(&json).unwrap_or(EvidenceStatus::Stale);
            assert_eq!(back, s);
        }
    }

    #[test]
    fn four_statuses_are_measured() {
        let measured: Vec<&str> = EvidenceStatus::ALL
            .iter()
            .filter(|s| s.is_measured())
            .map(|s| s.name())
            .collect();
        assert_eq!(
            measured,
            [
                "measured_in_logs",
                "load_tested",
                "invoice_reconciled",
                "contract_confirmed"
            ]
        );
        assert!(!EvidenceStatus::Stale.is_measured());
        assert!(!EvidenceStatus::default().is_measured());
    }

    #[test]
    fn unknown_status_is_refused() {
        assert!(serde_json::from_str::<EvidenceStatus>("\"guessed\"").is_err());
        assert_eq!(
            EvidenceStatus::InvoiceReconciled.label(),
            "Invoice reconciled"
        );
    }
}
