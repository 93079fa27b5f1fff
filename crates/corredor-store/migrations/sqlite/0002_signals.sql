-- Signals: periods of a series above what its history makes plausible (surges, found by the
-- scan) or forecasts above a capacity, with their evidence, and the outcome an analyst of
-- the owning country records after verifying them.

CREATE TABLE signal (
    id INTEGER PRIMARY KEY,
    -- `kind|country|corridor|place|measure|nationality|period|algorithm`, an empty field for
    -- NULL: one signal per series, period and algorithm, whatever NULL means to UNIQUE.
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('surge', 'capacity')),
    -- A country's series, or (country NULL) the sum over a corridor's countries.
    country TEXT REFERENCES country (code),
    corridor TEXT,
    place TEXT,
    measure TEXT NOT NULL,
    nationality TEXT,
    granularity TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    observed REAL,
    expected REAL NOT NULL,
    upper_bound REAL NOT NULL,
    score REAL NOT NULL,
    algorithm TEXT NOT NULL,
    -- The detector's settings as JSON, so that the evidence can be reproduced.
    parameters TEXT NOT NULL,
    -- UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ` as everywhere in this schema.
    detected_at TEXT NOT NULL,
    -- The latest decision (also kept, with every earlier one, in signal_decision).
    outcome TEXT CHECK (outcome IN ('discarded', 'monitoring', 'escalated')),
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    CONSTRAINT signal_scope CHECK (country IS NOT NULL OR corridor IS NOT NULL)
);

CREATE UNIQUE INDEX signal_key ON signal (key);
CREATE INDEX signal_period ON signal (period_start, country);

-- Append-only: every decision ever taken on a signal, oldest first.
CREATE TABLE signal_decision (
    signal_id INTEGER NOT NULL REFERENCES signal (id),
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    outcome TEXT NOT NULL CHECK (outcome IN ('discarded', 'monitoring', 'escalated')),
    decided_by TEXT NOT NULL CHECK (decided_by <> ''),
    decided_at TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (signal_id, sequence)
) WITHOUT ROWID;
