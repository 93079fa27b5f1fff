//! `corredor return case-ref`: the host country derives the pseudonymous references of its
//! cases on its own side, with its own key, before anything is sent to corredor. corredor never
//! holds a country's key: whoever holds it could confirm a guessed case number.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use corredor_core::returns::{CaseReference, CaseReferenceKey};
use corredor_core::CountryCode;

use super::EXIT_INVALID_INPUT;

#[derive(Debug, clap::Subcommand)]
pub enum ReturnCommand {
    /// Print the case reference (`MEX-` and 20 hexadecimal digits) of each internal case
    /// number, one per line in the order given, for the safeguards of a return operation.
    CaseRef(CaseRefArgs),
}

#[derive(Debug, clap::Args)]
pub struct CaseRefArgs {
    /// The host country whose key and case numbers these are.
    #[arg(long, value_parser = CountryCode::parse)]
    pub country: CountryCode,
    /// A file holding the country's secret key as hexadecimal (at least 64 digits, 256 bits;
    /// e.g. made by `openssl rand -hex 32`); whitespace is ignored.
    #[arg(long)]
    pub key_file: PathBuf,
    /// The internal case numbers.
    #[arg(required = true)]
    pub numbers: Vec<String>,
}

pub fn run(command: ReturnCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReturnCommand::CaseRef(args) => case_ref(args),
    }
}

fn case_ref(args: CaseRefArgs) -> anyhow::Result<ExitCode> {
    let key = match read_key(&args.key_file) {
        Ok(key) => key,
        Err(reason) => {
            eprintln!("error: {}: {reason}", args.key_file.display());
            return Ok(ExitCode::from(EXIT_INVALID_INPUT));
        }
    };
    // Every number is derived before any is printed, so a bad one prints nothing.
    let mut references = Vec::with_capacity(args.numbers.len());
    for (position, number) in args.numbers.iter().enumerate() {
        match CaseReference::derive(args.country, &key, number) {
            Ok(reference) => references.push(reference),
            Err(error) => {
                eprintln!("error: case number {} (`{number}`): {error}", position + 1);
                return Ok(ExitCode::from(EXIT_INVALID_INPUT));
            }
        }
    }
    for reference in references {
        println!("{reference}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a hexadecimal key file; the reason in words when it is not one.
fn read_key(path: &Path) -> Result<CaseReferenceKey, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read: {error}"))?;
    let digits: Vec<u8> = text
        .bytes()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    if let Some(bad) = digits.iter().position(|byte| !byte.is_ascii_hexdigit()) {
        return Err(format!(
            "character {} is not a hexadecimal digit: the key file holds the key as hexadecimal",
            bad + 1
        ));
    }
    let pairs = digits.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err(format!(
            "{} hexadecimal digits is an odd number: two digits make a byte",
            digits.len()
        ));
    }
    let bytes: Vec<u8> = pairs
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16).unwrap_or(0);
            let low = (pair[1] as char).to_digit(16).unwrap_or(0);
            (high * 16 + low) as u8
        })
        .collect();
    CaseReferenceKey::new(&bytes).map_err(|error| error.to_string())
}
