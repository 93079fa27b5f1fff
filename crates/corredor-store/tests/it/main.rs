//! The store conformance suite: every test runs on SQLite (a fresh file each time) and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, also on PostgreSQL (a fresh database each
//! time, dropped afterwards). `scripts/postgres.sh` starts such a server.

mod access;
mod alerts;
mod audit;
mod forecasts;
mod reading;
mod recording;
mod reference;
mod returns;
mod series;
mod signals;
mod support;
