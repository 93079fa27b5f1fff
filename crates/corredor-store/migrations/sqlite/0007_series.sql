-- An observation becomes a point of a series. A series is everything in an observation's key
-- but its period: measure, granularity, country, place and the four breakdowns. It is stored
-- once, in `series`, with the canonical text of those fields as its unique `key` (NULL is not
-- equal to NULL in a unique index, so the text is what keeps totals unique); an observation is
-- then (series, period start), which is its primary key.
--
-- A key's text, `series.key || '|' || observation.period`, is unchanged. What changes is the
-- size of a row and the number of b-trees a new value is written to: one (the observation
-- table, clustered on its key) instead of three (a table, the key text index and the series
-- index), with the foreign keys to country and place checked once per series instead of once
-- per value. A series query finds its series in `series_dimensions`, then reads each one's
-- range of periods, `value` included, from the observation table itself.

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    -- `measure|granularity|country|place|sex|age_group|vulnerability|nationality`, with an
    -- empty field for a country-level series or a total.
    key TEXT NOT NULL UNIQUE,
    measure TEXT NOT NULL,
    granularity TEXT NOT NULL,
    country TEXT NOT NULL REFERENCES country (code),
    place TEXT,
    sex TEXT,
    age_group TEXT,
    vulnerability TEXT,
    nationality TEXT,
    -- A NULL place (a country-level series) is not checked, as in PostgreSQL's MATCH SIMPLE.
    CONSTRAINT series_place_fkey FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE INDEX series_dimensions ON series (
    measure, granularity, country, place, sex, age_group, vulnerability, nationality
);

INSERT INTO series (key, measure, granularity, country, place, sex, age_group, vulnerability,
                    nationality)
SELECT DISTINCT substr(key, 1, length(key) - length(period) - 1), measure, granularity,
       country, place, sex, age_group, vulnerability, nationality
FROM observation
ORDER BY 1;

CREATE TABLE observation_point (
    series_id INTEGER NOT NULL REFERENCES series (id),
    period_start TEXT NOT NULL,
    period TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    source TEXT,
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    PRIMARY KEY (series_id, period_start)
) WITHOUT ROWID;

INSERT INTO observation_point
SELECT s.id, o.period_start, o.period, o.period_end, o.value, o.revision, o.source,
       o.submission_id
FROM observation o JOIN series s ON s.key = substr(o.key, 1, length(o.key) - length(o.period) - 1);

-- Append-only: every revision that a later one superseded, with the submission that brought
-- it. The current revision is the one in `observation`.
CREATE TABLE observation_point_revision (
    series_id INTEGER NOT NULL,
    period_start TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    value INTEGER NOT NULL CHECK (value >= 0),
    source TEXT,
    submission_id INTEGER NOT NULL REFERENCES submission (id),
    PRIMARY KEY (series_id, period_start, revision),
    FOREIGN KEY (series_id, period_start) REFERENCES observation_point (series_id, period_start)
) WITHOUT ROWID;

INSERT INTO observation_point_revision
SELECT s.id, o.period_start, r.revision, r.value, r.source, r.submission_id
FROM observation_revision r
JOIN observation o ON o.id = r.observation_id
JOIN series s ON s.key = substr(o.key, 1, length(o.key) - length(o.period) - 1);

DROP TABLE observation_revision;
DROP TABLE observation;
ALTER TABLE observation_point RENAME TO observation;
ALTER TABLE observation_point_revision RENAME TO observation_revision;
