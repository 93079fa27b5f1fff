-- Access and audit on PostgreSQL: same tables, columns and indexes as ../sqlite/0004_access.sql;
-- see the comments there. `before` and `after` are TEXT, not JSONB: JSONB would reorder keys
-- and the stored text would no longer be the text that was hashed.

CREATE TABLE organisation (
    code TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL CHECK (name <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('country', 'secretariat', 'observer')),
    country TEXT COLLATE "C",
    CONSTRAINT organisation_country CHECK (
        (kind = 'country' AND country = code) OR (kind <> 'country' AND country IS NULL)
    )
);

CREATE TABLE account (
    id BIGSERIAL PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL,
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisation (code),
    role TEXT NOT NULL CHECK (role IN ('administrator', 'focal_point', 'analyst', 'observer')),
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ,
    CONSTRAINT account_name_key UNIQUE (name)
);

CREATE INDEX account_organisation ON account (organisation, name);

CREATE TABLE session (
    id_hash TEXT COLLATE "C" PRIMARY KEY,
    account BIGINT NOT NULL REFERENCES account (id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX session_account ON session (account);

CREATE TABLE api_token (
    id BIGSERIAL PRIMARY KEY,
    organisation TEXT COLLATE "C" NOT NULL REFERENCES organisation (code),
    role TEXT NOT NULL CHECK (role IN ('administrator', 'focal_point', 'analyst', 'observer')),
    label TEXT NOT NULL,
    secret_hash TEXT COLLATE "C" NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CONSTRAINT api_token_secret_hash_key UNIQUE (secret_hash)
);

CREATE INDEX api_token_organisation ON api_token (organisation, created_at);

CREATE TABLE sharing_policy (
    country TEXT COLLATE "C" NOT NULL,
    measure TEXT COLLATE "C" NOT NULL,
    level TEXT NOT NULL CHECK (
        level IN ('private', 'named_members', 'all_members', 'members_and_observers', 'public')
    ),
    members TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (country, measure)
);

-- No sequence: the store gives each entry the id after the last one, under a transaction
-- lock, so ids have no gaps but deletions.
CREATE TABLE audit_entry (
    id BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    organisation TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    country TEXT COLLATE "C",
    before TEXT,
    after TEXT,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_entry_country ON audit_entry (country, id);
