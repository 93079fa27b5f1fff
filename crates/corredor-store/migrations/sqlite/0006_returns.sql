-- Assisted voluntary return (phase IV), reintegration (phase V) and prevention in the
-- territories people leave from (phase I).
--
-- A return operation is one aggregate (`corredor_core::ReturnOperationParts`), stored whole as
-- JSON and checked back by `ReturnOperation::restore` on every read, like an alert: each write
-- compares and increments `revision`, and every document written stays in
-- `return_operation_revision`. The difference is the personal part: the pseudonymous case
-- references and the best-interest determination references of the safeguards. It lives only
-- in `return_case`, one row per case, and is never written into `document`, the revision
-- table or the audit log (whose entries carry counts). The retention job anonymises an ended
-- operation after `purge_after` by deleting its `return_case` rows, so that purging deletes
-- rows and never has to rewrite history. `purge_after` is an ISO date (`YYYY-MM-DD`), whose
-- text order is date order on both backends.

CREATE TABLE return_operation (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL REFERENCES country (code),
    origin TEXT NOT NULL REFERENCES country (code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'proposed', 'accepted', 'rescheduled',
        'declined', 'departed', 'received', 'closed', 'cancelled')),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    -- The operation without its cases (`ReturnOperation::without_cases`).
    document TEXT NOT NULL,
    purge_after TEXT,
    anonymised INTEGER NOT NULL CHECK (anonymised IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (host <> origin)
);

CREATE INDEX return_operation_host ON return_operation (host, updated_at);
CREATE INDEX return_operation_origin ON return_operation (origin, updated_at);
CREATE INDEX return_operation_purge ON return_operation (purge_after) WHERE anonymised = 0;

-- The personal part: the cases of the operation's current safeguards record, in order.
CREATE TABLE return_case (
    operation_id INTEGER NOT NULL REFERENCES return_operation (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    case_reference TEXT NOT NULL,
    -- `corredor_core::CaseSafeguards` as JSON: the reference, the counts and the
    -- determinations.
    document TEXT NOT NULL,
    PRIMARY KEY (operation_id, position),
    UNIQUE (operation_id, case_reference)
) WITHOUT ROWID;

-- Append-only: every document written for an operation, without its cases.
CREATE TABLE return_operation_revision (
    operation_id INTEGER NOT NULL REFERENCES return_operation (id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TEXT NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (operation_id, revision)
) WITHOUT ROWID;

-- Reintegration records are never changed: a correction is a later record of the same cohort,
-- territory and follow-up, and the latest counts (`summarise_territories`).
CREATE TABLE reintegration_record (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL REFERENCES country (code),
    cohort TEXT NOT NULL,
    territory TEXT NOT NULL,
    follow_up TEXT NOT NULL CHECK (follow_up IN ('3_months', '6_months', '12_months')),
    document TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX reintegration_record_origin ON reintegration_record (origin, territory, recorded_at);

CREATE TABLE prevention_programme (
    id INTEGER PRIMARY KEY,
    country TEXT NOT NULL REFERENCES country (code),
    territory TEXT NOT NULL,
    document TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX prevention_programme_country ON prevention_programme (country, territory);
