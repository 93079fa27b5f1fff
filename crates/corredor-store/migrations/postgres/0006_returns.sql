-- Returns, reintegration and prevention programmes on PostgreSQL: same tables, columns and
-- indexes as ../sqlite/0006_returns.sql; see the comments there (the personal part lives only
-- in `return_case`).

CREATE TABLE return_operation (
    id BIGSERIAL PRIMARY KEY,
    host TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    origin TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'proposed', 'accepted', 'rescheduled',
        'declined', 'departed', 'received', 'closed', 'cancelled')),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    purge_after TEXT COLLATE "C",
    anonymised BIGINT NOT NULL CHECK (anonymised IN (0, 1)),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CHECK (host <> origin)
);

CREATE INDEX return_operation_host ON return_operation (host, updated_at);
CREATE INDEX return_operation_origin ON return_operation (origin, updated_at);
CREATE INDEX return_operation_purge ON return_operation (purge_after) WHERE anonymised = 0;

CREATE TABLE return_case (
    operation_id BIGINT NOT NULL REFERENCES return_operation (id),
    position BIGINT NOT NULL CHECK (position >= 0),
    case_reference TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (operation_id, position),
    UNIQUE (operation_id, case_reference)
);

CREATE TABLE return_operation_revision (
    operation_id BIGINT NOT NULL REFERENCES return_operation (id),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (operation_id, revision)
);

CREATE TABLE reintegration_record (
    id BIGSERIAL PRIMARY KEY,
    origin TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    cohort TEXT COLLATE "C" NOT NULL,
    territory TEXT COLLATE "C" NOT NULL,
    follow_up TEXT NOT NULL CHECK (follow_up IN ('3_months', '6_months', '12_months')),
    document TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX reintegration_record_origin ON reintegration_record (origin, territory, recorded_at);

CREATE TABLE prevention_programme (
    id BIGSERIAL PRIMARY KEY,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    territory TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX prevention_programme_country ON prevention_programme (country, territory);
