//! Signals: a series above what its own history makes plausible, found by a detector, and
//! the outcome an analyst of the owning country records after verifying it.
//!
//! A signal is not yet an alert. It is evidence that a person checks (a reporting backlog, a
//! change of definition and a real surge all look alike to a detector) before deciding.

use crate::error::CoreError;
use crate::measure::vocabulary;

vocabulary! {
    /// What a signal says about its series.
    pub enum SignalKind (UnknownSignalKind) {
        /// A flow above the upper bound its history makes plausible (surge detection).
        Surge = "surge",
        /// Forecast arrivals above the capacity of a place (shelters, reception stations).
        Capacity = "capacity",
    }
}

vocabulary! {
    /// What the analyst of the owning country decided after verifying a signal.
    pub enum SignalOutcome (UnknownSignalOutcome) {
        /// An artefact (a reporting backlog, a change of definition, a data error).
        Discarded = "discarded",
        /// Plausible but not yet alarming: watched over the next periods.
        Monitoring = "monitoring",
        /// A real surge, escalated to a migratory alert.
        Escalated = "escalated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_kinds_and_outcomes_parse_from_their_codes_and_write_them_back() {
        for kind in SignalKind::ALL {
            assert_eq!(SignalKind::parse(kind.code()), Ok(*kind));
        }
        for outcome in SignalOutcome::ALL {
            assert_eq!(SignalOutcome::parse(outcome.code()), Ok(*outcome));
        }
        assert_eq!(
            SignalOutcome::parse(" Escalated "),
            Ok(SignalOutcome::Escalated)
        );
        assert_eq!(SignalKind::Capacity.to_string(), "capacity");
    }

    #[test]
    fn an_unknown_outcome_is_refused_with_the_text_given() {
        assert_eq!(
            SignalOutcome::parse("ignored"),
            Err(CoreError::UnknownSignalOutcome {
                code: "ignored".to_owned()
            })
        );
        assert!(SignalKind::parse("").is_err());
    }
}
