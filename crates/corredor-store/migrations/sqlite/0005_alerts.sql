-- Migratory alerts between countries (phase III), alert levels and the checklists they
-- oblige, stranded populations, reminders, and the webhooks that deliver alerts to national
-- systems.
--
-- An alert is one aggregate (versions, recipients, acknowledgements, action records, state
-- changes), all of it append-only inside the domain type; it is stored whole as JSON
-- (`corredor_core::AlertParts`) and checked back by `Alert::restore` on every read. Each write
-- compares and increments `revision` (two focal points cannot overwrite each other), and
-- every document written stays in `alert_revision`. `alert_recipient` repeats the recipients
-- so that "the alerts addressed to a country" is an indexed query. Times are UTC text
-- `YYYY-MM-DDTHH:MM:SS.ffffffZ` as everywhere in this schema.

CREATE TABLE alert (
    id INTEGER PRIMARY KEY,
    issuing_country TEXT NOT NULL REFERENCES country (code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'active', 'closed', 'cancelled')),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX alert_issuing ON alert (issuing_country, updated_at);
CREATE INDEX alert_updated ON alert (updated_at);

CREATE TABLE alert_recipient (
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    country TEXT NOT NULL REFERENCES country (code),
    PRIMARY KEY (alert_id, country)
) WITHOUT ROWID;

CREATE INDEX alert_recipient_country ON alert_recipient (country, alert_id);

-- Organisations other than recipients (observers such as IOM or UNHCR) the issuer shares
-- the alert with.
CREATE TABLE alert_share (
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    organisation TEXT NOT NULL REFERENCES organisation (code),
    PRIMARY KEY (alert_id, organisation)
) WITHOUT ROWID;

-- Append-only: every document ever written for an alert.
CREATE TABLE alert_revision (
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TEXT NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (alert_id, revision)
) WITHOUT ROWID;

-- CAP messages imported from partner systems, by the (sender, identifier) that CAP
-- `references` name, so that an Update or Cancel finds its alert and a message imported
-- twice changes nothing.
CREATE TABLE alert_cap_message (
    sender TEXT NOT NULL,
    identifier TEXT NOT NULL,
    sent TEXT NOT NULL,
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (sender, identifier)
) WITHOUT ROWID;

-- A reminder raised once per alert and recipient that has not acknowledged in time.
CREATE TABLE alert_reminder (
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    country TEXT NOT NULL REFERENCES country (code),
    raised_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, country)
) WITHOUT ROWID;

-- Append-only: every level set for a country (place NULL) or one of its places. The
-- current level of a subject is its latest row.
CREATE TABLE alert_level (
    id INTEGER PRIMARY KEY,
    country TEXT NOT NULL REFERENCES country (code),
    place TEXT,
    level TEXT NOT NULL CHECK (level IN ('normal', 'elevated', 'high', 'critical')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    set_by TEXT NOT NULL CHECK (set_by <> ''),
    set_at TEXT NOT NULL,
    FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE INDEX alert_level_subject ON alert_level (country, place, id);

-- Append-only: every configuration of the level checklists; the latest is in force, the
-- regional default before any.
CREATE TABLE level_checklists (
    id INTEGER PRIMARY KEY,
    document TEXT NOT NULL,
    set_by TEXT NOT NULL CHECK (set_by <> ''),
    set_at TEXT NOT NULL
);

-- Stranded populations, stored whole like alerts (`corredor_core::StrandedPopulationParts`),
-- each write compared and incremented, every document kept.
CREATE TABLE stranded_population (
    id INTEGER PRIMARY KEY,
    country TEXT NOT NULL REFERENCES country (code),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE stranded_population_revision (
    stranded_id INTEGER NOT NULL REFERENCES stranded_population (id),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TEXT NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (stranded_id, revision)
) WITHOUT ROWID;

-- A national system's subscription to the alerts its organisation may see. The secret signs
-- each delivery (HMAC-SHA256); it must be kept to sign, so it is stored, and shown only to
-- the organisation when the webhook is created.
CREATE TABLE webhook (
    id INTEGER PRIMARY KEY,
    organisation TEXT NOT NULL REFERENCES organisation (code),
    url TEXT NOT NULL CHECK (url <> ''),
    secret TEXT NOT NULL CHECK (secret <> ''),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE INDEX webhook_organisation ON webhook (organisation, id);

-- One event to deliver to one webhook, with its state; every attempt is in webhook_attempt.
CREATE TABLE webhook_delivery (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhook (id),
    event TEXT NOT NULL,
    alert_id INTEGER NOT NULL REFERENCES alert (id),
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);

CREATE INDEX webhook_delivery_due ON webhook_delivery (state, next_attempt_at);
CREATE INDEX webhook_delivery_webhook ON webhook_delivery (webhook_id, id);

CREATE TABLE webhook_attempt (
    delivery_id INTEGER NOT NULL REFERENCES webhook_delivery (id),
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    at TEXT NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID;
