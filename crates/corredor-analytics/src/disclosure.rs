//! Statistical disclosure control: small counts suppressed, and never recoverable.
