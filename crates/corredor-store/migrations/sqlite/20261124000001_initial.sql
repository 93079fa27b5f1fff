-- corredor's schema on SQLite. The PostgreSQL schema in ../postgres has the same tables,
-- columns and indexes; only the column types differ.

CREATE TABLE country (
    code TEXT PRIMARY KEY NOT NULL,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL,
    rcm_status TEXT CHECK (rcm_status IN ('member', 'observer'))
);

CREATE TABLE place (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    country TEXT NOT NULL REFERENCES country (code),
    kind TEXT NOT NULL,
    counterpart TEXT,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    -- The target of observation's (country, place) foreign key: a place is only ever
    -- reported by the country it lies in.
    CONSTRAINT place_country_code_key UNIQUE (country, code)
);

-- Nodes and legs are small, always read whole, and validated by corredor-core's
-- `Corridor::new` when read back, so they are kept as JSON.
CREATE TABLE corridor (
    code TEXT PRIMARY KEY NOT NULL,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL,
    nodes TEXT NOT NULL,
    legs TEXT NOT NULL
);

-- One row per call of `record_observations`: the import trace (who, when, which file).
CREATE TABLE submission (
    id INTEGER PRIMARY KEY,
    submitted_by TEXT NOT NULL,
    -- UTC, written as `YYYY-MM-DDTHH:MM:SS.ffffffZ` so that text order is time order.
    submitted_at TEXT NOT NULL,
    note TEXT
);

-- Each observation key once, with its current revision and the submission that brought it.
CREATE TABLE observation (
    id INTEGER PRIMARY KEY,
    -- The canonical text of the key, `country|place|period|measure|nationality|sex|age_group|vulnerability`
    -- with an empty field for a total (NULL). Its unique index is what makes the key unique
    -- although NULL is not equal to NULL, and lets a whole batch be resolved with one
    -- `key IN (...)` lookup per chunk.
    key TEXT NOT NULL,
    country TEXT NOT NULL REFERENCES country (code),
    place TEXT,
    granularity TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    measure TEXT NOT NULL,
    nationality TEXT,
    sex TEXT,
    age_group TEXT,
    vulnerability TEXT,
    value INTEGER NOT NULL CHECK (value >= 0),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    source TEXT,
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    -- A NULL place (a country-level value) is not checked, as in PostgreSQL's MATCH SIMPLE.
    CONSTRAINT observation_place_fkey FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE UNIQUE INDEX observation_key ON observation (key);

-- Serves series and filters: equality on measure, granularity, country, place and the
-- breakdowns that are totals (IS NULL), then a range on the period; covering, so a series
-- never reads the table.
CREATE INDEX observation_series ON observation (
    measure, granularity, country, place, sex, age_group, vulnerability, nationality, period_start, value
);

-- Append-only: every revision that a later one superseded, with the submission that brought
-- it. The current revision is the one in `observation` (and was moved here when it was
-- corrected), so each revision is stored exactly once and a new key writes a single row.
CREATE TABLE observation_revision (
    observation_id INTEGER NOT NULL REFERENCES observation (id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    value INTEGER NOT NULL CHECK (value >= 0),
    source TEXT,
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    PRIMARY KEY (observation_id, revision)
) WITHOUT ROWID;
