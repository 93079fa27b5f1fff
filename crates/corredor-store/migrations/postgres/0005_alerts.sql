-- Alerts, levels, stranded populations and webhooks on PostgreSQL: same tables, columns and
-- indexes as ../sqlite/0005_alerts.sql; see the comments there.

CREATE TABLE alert (
    id BIGSERIAL PRIMARY KEY,
    issuing_country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'active', 'closed', 'cancelled')),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX alert_issuing ON alert (issuing_country, updated_at);
CREATE INDEX alert_updated ON alert (updated_at);

CREATE TABLE alert_recipient (
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    PRIMARY KEY (alert_id, country)
);

CREATE INDEX alert_recipient_country ON alert_recipient (country, alert_id);

-- Organisations other than recipients (observers such as IOM or UNHCR) the issuer shares
-- the alert with.
CREATE TABLE alert_share (
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisation (code),
    PRIMARY KEY (alert_id, organisation)
);

-- Append-only: every document ever written for an alert.
CREATE TABLE alert_revision (
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (alert_id, revision)
);

-- CAP messages imported from partner systems, by the (sender, identifier) that CAP
-- `references` name, so that an Update or Cancel finds its alert and a message imported
-- twice changes nothing.
CREATE TABLE alert_cap_message (
    sender TEXT COLLATE "C" NOT NULL,
    identifier TEXT COLLATE "C" NOT NULL,
    sent TIMESTAMPTZ NOT NULL,
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    version BIGINT NOT NULL CHECK (version >= 1),
    PRIMARY KEY (sender, identifier)
);

-- A reminder raised once per alert and recipient that has not acknowledged in time.
CREATE TABLE alert_reminder (
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    raised_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (alert_id, country)
);

-- Append-only: every level set for a country (place NULL) or one of its places. The
-- current level of a subject is its latest row.
CREATE TABLE alert_level (
    id BIGSERIAL PRIMARY KEY,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    place TEXT COLLATE "C",
    level TEXT NOT NULL CHECK (level IN ('normal', 'elevated', 'high', 'critical')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    set_by TEXT NOT NULL CHECK (set_by <> ''),
    set_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE INDEX alert_level_subject ON alert_level (country, place, id);

-- Append-only: every configuration of the level checklists; the latest is in force, the
-- regional default before any.
CREATE TABLE level_checklists (
    id BIGSERIAL PRIMARY KEY,
    document TEXT NOT NULL,
    set_by TEXT NOT NULL CHECK (set_by <> ''),
    set_at TIMESTAMPTZ NOT NULL
);

-- Stranded populations, stored whole like alerts (`corredor_core::StrandedPopulationParts`),
-- each write compared and incremented, every document kept.
CREATE TABLE stranded_population (
    id BIGSERIAL PRIMARY KEY,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE stranded_population_revision (
    stranded_id BIGINT NOT NULL REFERENCES stranded_population (id),
    revision BIGINT NOT NULL CHECK (revision >= 1),
    document TEXT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL,
    written_by TEXT NOT NULL,
    PRIMARY KEY (stranded_id, revision)
);

-- A national system's subscription to the alerts its organisation may see. The secret signs
-- each delivery (HMAC-SHA256); it must be kept to sign, so it is stored, and shown only to
-- the organisation when the webhook is created.
CREATE TABLE webhook (
    id BIGSERIAL PRIMARY KEY,
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisation (code),
    url TEXT NOT NULL CHECK (url <> ''),
    secret TEXT NOT NULL CHECK (secret <> ''),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ
);

CREATE INDEX webhook_organisation ON webhook (organisation, id);

-- One event to deliver to one webhook, with its state; every attempt is in webhook_attempt.
CREATE TABLE webhook_delivery (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhook (id),
    event TEXT NOT NULL,
    alert_id BIGINT NOT NULL REFERENCES alert (id),
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ
);

CREATE INDEX webhook_delivery_due ON webhook_delivery (state, next_attempt_at);
CREATE INDEX webhook_delivery_webhook ON webhook_delivery (webhook_id, id);

CREATE TABLE webhook_attempt (
    delivery_id BIGINT NOT NULL REFERENCES webhook_delivery (id),
    attempt BIGINT NOT NULL CHECK (attempt >= 1),
    at TIMESTAMPTZ NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
