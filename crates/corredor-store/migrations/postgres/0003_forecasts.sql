-- Forecasts kept for accountability; see the comments of ../sqlite/0003_forecasts.sql.

CREATE TABLE forecast_run (
    id BIGSERIAL PRIMARY KEY,
    corridor TEXT COLLATE "C" NOT NULL,
    model TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    granularity TEXT NOT NULL,
    origin_period TEXT NOT NULL,
    parameters TEXT NOT NULL
);

CREATE INDEX forecast_run_corridor ON forecast_run (corridor, model, id);

CREATE TABLE forecast_row (
    run_id BIGINT NOT NULL REFERENCES forecast_run (id),
    country TEXT COLLATE "C" NOT NULL,
    measure TEXT COLLATE "C" NOT NULL,
    nationality TEXT COLLATE "C",
    target_period TEXT NOT NULL,
    target_start DATE NOT NULL,
    horizon INTEGER NOT NULL CHECK (horizon >= 1),
    forecast DOUBLE PRECISION NOT NULL CHECK (forecast >= 0),
    lower80 DOUBLE PRECISION NOT NULL,
    upper80 DOUBLE PRECISION NOT NULL,
    lower95 DOUBLE PRECISION NOT NULL,
    upper95 DOUBLE PRECISION NOT NULL,
    scale DOUBLE PRECISION,
    CHECK (lower95 <= upper95)
);

CREATE INDEX forecast_row_run ON forecast_row (run_id);
CREATE INDEX forecast_row_target ON forecast_row (target_start, country);

CREATE TABLE forecast_leg (
    run_id BIGINT NOT NULL REFERENCES forecast_run (id),
    nationality TEXT COLLATE "C",
    from_country TEXT COLLATE "C" NOT NULL,
    to_country TEXT COLLATE "C" NOT NULL,
    continuation DOUBLE PRECISION NOT NULL CHECK (continuation >= 0),
    mean_transit DOUBLE PRECISION,
    weights TEXT NOT NULL
);

CREATE INDEX forecast_leg_run ON forecast_leg (run_id);
