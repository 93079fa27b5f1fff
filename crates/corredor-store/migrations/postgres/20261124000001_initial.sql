-- corredor's schema on PostgreSQL. Same tables, columns and indexes as ../sqlite; see the
-- comments there. Codes and keys use the "C" collation: they are ASCII and compared byte-wise.

CREATE TABLE country (
    code TEXT COLLATE "C" PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL,
    rcm_status TEXT CHECK (rcm_status IN ('member', 'observer'))
);

CREATE TABLE place (
    code TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    kind TEXT NOT NULL,
    counterpart TEXT,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    CONSTRAINT place_country_code_key UNIQUE (country, code)
);

CREATE TABLE corridor (
    code TEXT COLLATE "C" PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_es TEXT NOT NULL,
    nodes TEXT NOT NULL,
    legs TEXT NOT NULL
);

CREATE TABLE submission (
    id BIGSERIAL PRIMARY KEY,
    submitted_by TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    note TEXT
);

CREATE TABLE observation (
    id BIGSERIAL PRIMARY KEY,
    key TEXT COLLATE "C" NOT NULL,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    place TEXT COLLATE "C",
    granularity TEXT COLLATE "C" NOT NULL,
    period TEXT COLLATE "C" NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    measure TEXT COLLATE "C" NOT NULL,
    nationality TEXT COLLATE "C",
    sex TEXT COLLATE "C",
    age_group TEXT COLLATE "C",
    vulnerability TEXT COLLATE "C",
    value BIGINT NOT NULL CHECK (value >= 0),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    source TEXT,
    submission_id BIGINT NOT NULL REFERENCES submission (id),
    CONSTRAINT observation_place_fkey FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE UNIQUE INDEX observation_key ON observation (key);

CREATE INDEX observation_series ON observation (
    measure, granularity, country, place, sex, age_group, vulnerability, nationality, period_start
) INCLUDE (value);

CREATE TABLE observation_revision (
    observation_id BIGINT NOT NULL REFERENCES observation (id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    value BIGINT NOT NULL CHECK (value >= 0),
    source TEXT,
    submission_id BIGINT NOT NULL REFERENCES submission (id),
    PRIMARY KEY (observation_id, revision)
);
