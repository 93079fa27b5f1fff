use std::io::Write;

use corredor_core::{Caller, Observation};
use corredor_exchange::observations::{write_csv, write_hxl, write_json, ExportRow};
use corredor_store::ObservationFilter;

use crate::{App, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Hxl,
    Json,
}

impl ExportFormat {
    pub fn parse(raw: &str) -> Option<ExportFormat> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "hxl" => Some(ExportFormat::Hxl),
            "json" => Some(ExportFormat::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv | ExportFormat::Hxl => "text/csv; charset=utf-8",
            ExportFormat::Json => "application/json",
        }
    }
}

/// What to export: the current revision of each value matching the filter, or with
/// `revisions` every revision with who submitted it and when.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub filter: ObservationFilter,
    pub format: ExportFormat,
    pub revisions: bool,
}

impl App {
    /// Writes the observations in the chosen format; the output reads back with `import`.
    /// Only what `caller` may read is written. Reported values one by one are for the
    /// members: observers and readers who are not signed in read series instead.
    pub async fn export(
        &self,
        caller: &Caller,
        request: &ExportRequest,
        out: impl Write,
    ) -> Result<u64, AppError> {
        crate::access::refuse_reported_values(caller)?;
        let request = &ExportRequest {
            filter: ObservationFilter {
                readable: self.readable(caller).await?.pair_filter(),
                ..request.filter.clone()
            },
            ..request.clone()
        };
        let rows: Vec<ExportRow> = if request.revisions {
            self.store
                .observation_history(&request.filter)
                .await?
                .into_iter()
                .map(|(key, revision)| ExportRow {
                    observation: Observation {
                        key,
                        value: revision.value,
                        source: revision.provenance.source.clone(),
                    },
                    revision: Some((revision.revision, revision.provenance)),
                })
                .collect()
        } else {
            self.store
                .observations(&request.filter)
                .await?
                .into_iter()
                .map(|stored| ExportRow {
                    observation: stored.observation,
                    revision: None,
                })
                .collect()
        };
        let count = rows.len() as u64;
        let result = match request.format {
            ExportFormat::Csv => write_csv(out, rows),
            ExportFormat::Hxl => write_hxl(out, rows),
            ExportFormat::Json => write_json(out, rows),
        };
        result.map_err(|error| {
            AppError::Internal(anyhow::Error::new(error).context("writing the export"))
        })?;
        Ok(count)
    }
}
