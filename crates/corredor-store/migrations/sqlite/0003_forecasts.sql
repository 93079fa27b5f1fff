-- Forecasts kept for accountability: every published forecast run, append-only, with its
-- rows (one per node, measure, nationality and target period) and the fitted legs. Nothing
-- here is ever updated or deleted: a later run adds rows, and scores are computed from the
-- kept rows and the counts that arrive afterwards.

CREATE TABLE forecast_run (
    id INTEGER PRIMARY KEY,
    corridor TEXT NOT NULL,
    -- `propagation`, `ets` or `snaive`.
    model TEXT NOT NULL,
    -- UTC, written as `YYYY-MM-DDTHH:MM:SS.ffffffZ` so that text order is time order.
    created_at TEXT NOT NULL,
    granularity TEXT NOT NULL,
    -- The last observed period the forecast starts from (`2025-04`, `2025-W17`).
    origin_period TEXT NOT NULL,
    -- The settings, chains and notes of the run, as JSON.
    parameters TEXT NOT NULL
);

CREATE INDEX forecast_run_corridor ON forecast_run (corridor, model, id);

CREATE TABLE forecast_row (
    run_id INTEGER NOT NULL REFERENCES forecast_run (id),
    country TEXT NOT NULL,
    measure TEXT NOT NULL,
    -- NULL: the total over nationalities.
    nationality TEXT,
    target_period TEXT NOT NULL,
    target_start TEXT NOT NULL,
    horizon INTEGER NOT NULL CHECK (horizon >= 1),
    forecast REAL NOT NULL CHECK (forecast >= 0),
    lower80 REAL NOT NULL,
    upper80 REAL NOT NULL,
    lower95 REAL NOT NULL,
    upper95 REAL NOT NULL,
    -- The mean absolute error of seasonal naive in the fitting history (MASE's scale);
    -- NULL when undefined (history of one season or less, or no change at all).
    scale REAL,
    CHECK (lower95 <= upper95)
);

CREATE INDEX forecast_row_run ON forecast_row (run_id);
CREATE INDEX forecast_row_target ON forecast_row (target_start, country);

CREATE TABLE forecast_leg (
    run_id INTEGER NOT NULL REFERENCES forecast_run (id),
    nationality TEXT,
    from_country TEXT NOT NULL,
    to_country TEXT NOT NULL,
    continuation REAL NOT NULL CHECK (continuation >= 0),
    -- The mean transit time in periods; NULL when nobody continues.
    mean_transit REAL,
    -- The lag weights from lag 0, as a JSON array of numbers.
    weights TEXT NOT NULL
);

CREATE INDEX forecast_leg_run ON forecast_leg (run_id);
