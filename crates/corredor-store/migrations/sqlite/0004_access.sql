-- Who may do what, and the audit log of every write.
--
-- Secrets are never stored in clear: passwords as argon2id PHC strings, session ids and token
-- secrets as SHA-256 digests (hex). Times are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ` as
-- everywhere in this schema. The access tables carry no foreign key to `country`: an
-- installation may register its organisations and sharing choices before it loads the
-- reference data.

CREATE TABLE organisation (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('country', 'secretariat', 'observer')),
    -- A country's organisation is coded by its country; other kinds have no country.
    country TEXT,
    CONSTRAINT organisation_country CHECK (
        (kind = 'country' AND country = code) OR (kind <> 'country' AND country IS NULL)
    )
);

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    organisation TEXT NOT NULL REFERENCES organisation (code),
    role TEXT NOT NULL CHECK (role IN ('administrator', 'focal_point', 'analyst', 'observer')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT,
    CONSTRAINT account_name_key UNIQUE (name)
);

CREATE INDEX account_organisation ON account (organisation, name);

CREATE TABLE session (
    id_hash TEXT PRIMARY KEY,
    account INTEGER NOT NULL REFERENCES account (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX session_account ON session (account);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    organisation TEXT NOT NULL REFERENCES organisation (code),
    role TEXT NOT NULL CHECK (role IN ('administrator', 'focal_point', 'analyst', 'observer')),
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    CONSTRAINT api_token_secret_hash_key UNIQUE (secret_hash)
);

CREATE INDEX api_token_organisation ON api_token (organisation, created_at);

-- A country's choice of who reads one of its measures; a pair without a row has the default.
CREATE TABLE sharing_policy (
    country TEXT NOT NULL,
    measure TEXT NOT NULL,
    level TEXT NOT NULL CHECK (
        level IN ('private', 'named_members', 'all_members', 'members_and_observers', 'public')
    ),
    -- For `named_members`: the alpha-3 codes named, comma-separated, in code order; else ''.
    members TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (country, measure)
) WITHOUT ROWID;

-- Append-only and hash-chained: `hash` is the SHA-256 of `previous_hash` and this entry's
-- fields (see src/audit.rs for the canonical text). Ids are given by the store, one more than
-- the last, inside the writing transaction, so a missing id is a deleted entry. `before` and
-- `after` hold the exact JSON text that was hashed.
CREATE TABLE audit_entry (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    organisation TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    country TEXT,
    before TEXT,
    after TEXT,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_entry_country ON audit_entry (country, id);
