//! How well a number is known: the status every assumption-register entry carries.

use serde::{Deserialize, Serialize};

/// Where a number comes from, best evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// Read from production logs or traces.
    MeasuredInLogs,
    /// Measured in a load test with the workload's traffic shape.
    LoadTested,
    /// Agrees with a reconciled invoice.
    InvoiceReconciled,
    /// Stated in a signed contract.
    ContractConfirmed,
    /// Estimated from related measurements.
    Estimated,
    /// Assumed, with no measurement behind it.
    Assumed,
    /// Once measured, now out of date.
    Stale,
}

impl EvidenceStatus {
    /// Every status, best evidence first.
    pub const ALL: [Self; 7] = [
        Self::MeasuredInLogs,
        Self::LoadTested,
        Self::InvoiceReconciled,
        Self::ContractConfirmed,
        Self::Estimated,
        Self::Assumed,
        Self::Stale,
    ];

    /// A short label for tables and memos.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::MeasuredInLogs => "measured in logs",
            Self::LoadTested => "load-tested",
            Self::InvoiceReconciled => "invoice-reconciled",
            Self::ContractConfirmed => "contract-confirmed",
            Self::Estimated => "estimated",
            Self::Assumed => "assumed",
            Self::Stale => "stale",
        }
    }

    /// True when the number rests on a measurement, a reconciliation or a contract.
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
    fn measured_statuses() {
        let measured: Vec<_> = EvidenceStatus::ALL
            .iter()
            .filter(|s| s.is_measured())
            .collect();
        assert_eq!(measured.len(), 4);
        assert!(!EvidenceStatus::Stale.is_measured());
        assert_eq!(EvidenceStatus::LoadTested.label(), "load-tested");
    }
}
