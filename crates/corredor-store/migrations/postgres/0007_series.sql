-- An observation becomes a point of a series: see the SQLite migration of the same number,
-- whose tables these are, with PostgreSQL's types.

CREATE TABLE series (
    id BIGSERIAL PRIMARY KEY,
    key TEXT COLLATE "C" NOT NULL UNIQUE,
    measure TEXT COLLATE "C" NOT NULL,
    granularity TEXT COLLATE "C" NOT NULL,
    country TEXT COLLATE "C" NOT NULL REFERENCES country (code),
    place TEXT COLLATE "C",
    sex TEXT COLLATE "C",
    age_group TEXT COLLATE "C",
    vulnerability TEXT COLLATE "C",
    nationality TEXT COLLATE "C",
    CONSTRAINT series_place_fkey FOREIGN KEY (country, place) REFERENCES place (country, code)
);

CREATE INDEX series_dimensions ON series (
    measure, granularity, country, place, sex, age_group, vulnerability, nationality
);

INSERT INTO series (key, measure, granularity, country, place, sex, age_group, vulnerability,
                    nationality)
SELECT DISTINCT left(key, length(key) - length(period) - 1), measure, granularity,
       country, place, sex, age_group, vulnerability, nationality
FROM observation
ORDER BY 1;

CREATE TABLE observation_point (
    series_id BIGINT NOT NULL REFERENCES series (id),
    period_start DATE NOT NULL,
    period TEXT COLLATE "C" NOT NULL,
    period_end DATE NOT NULL,
    value BIGINT NOT NULL CHECK (value >= 0),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    source TEXT,
    submission_id BIGINT NOT NULL REFERENCES submission (id),
    CONSTRAINT observation_point_pkey PRIMARY KEY (series_id, period_start) INCLUDE (value)
);

INSERT INTO observation_point
SELECT s.id, o.period_start, o.period, o.period_end, o.value, o.revision, o.source,
       o.submission_id
FROM observation o JOIN series s ON s.key = left(o.key, length(o.key) - length(o.period) - 1);

CREATE TABLE observation_point_revision (
    series_id BIGINT NOT NULL,
    period_start DATE NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    value BIGINT NOT NULL CHECK (value >= 0),
    source TEXT,
    submission_id BIGINT NOT NULL REFERENCES submission (id),
    CONSTRAINT observation_point_revision_pkey PRIMARY KEY (series_id, period_start, revision),
    CONSTRAINT observation_point_revision_fkey FOREIGN KEY (series_id, period_start)
        REFERENCES observation_point (series_id, period_start)
);

INSERT INTO observation_point_revision
SELECT s.id, o.period_start, r.revision, r.value, r.source, r.submission_id
FROM observation_revision r
JOIN observation o ON o.id = r.observation_id
JOIN series s ON s.key = left(o.key, length(o.key) - length(o.period) - 1);

DROP TABLE observation_revision;
DROP TABLE observation;
ALTER TABLE observation_point RENAME TO observation;
ALTER TABLE observation_point_revision RENAME TO observation_revision;
ALTER TABLE observation RENAME CONSTRAINT observation_point_pkey TO observation_pkey;
ALTER TABLE observation_revision RENAME CONSTRAINT observation_point_revision_pkey
    TO observation_revision_pkey;
ALTER TABLE observation_revision RENAME CONSTRAINT observation_point_revision_fkey
    TO observation_revision_observation_fkey;
