-- Signals on PostgreSQL: same tables, columns and indexes as ../sqlite/0002_signals.sql; see
-- the comments there.

CREATE TABLE signal (
    id BIGSERIAL PRIMARY KEY,
    key TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('surge', 'capacity')),
    country TEXT COLLATE "C" REFERENCES country (code),
    corridor TEXT COLLATE "C",
    place TEXT COLLATE "C",
    measure TEXT NOT NULL,
    nationality TEXT COLLATE "C",
    granularity TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start DATE NOT NULL,
    observed DOUBLE PRECISION,
    expected DOUBLE PRECISION NOT NULL,
    upper_bound DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    algorithm TEXT NOT NULL,
    parameters TEXT NOT NULL,
    detected_at TIMESTAMPTZ NOT NULL,
    outcome TEXT CHECK (outcome IN ('discarded', 'monitoring', 'escalated')),
    decided_by TEXT,
    decided_at TIMESTAMPTZ,
    reason TEXT,
    CONSTRAINT signal_scope CHECK (country IS NOT NULL OR corridor IS NOT NULL)
);

CREATE UNIQUE INDEX signal_key ON signal (key);
CREATE INDEX signal_period ON signal (period_start, country);

CREATE TABLE signal_decision (
    signal_id BIGINT NOT NULL REFERENCES signal (id),
    sequence INTEGER NOT NULL CHECK (sequence >= 1),
    outcome TEXT NOT NULL CHECK (outcome IN ('discarded', 'monitoring', 'escalated')),
    decided_by TEXT NOT NULL CHECK (decided_by <> ''),
    decided_at TIMESTAMPTZ NOT NULL,
    reason TEXT NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (signal_id, sequence)
);
