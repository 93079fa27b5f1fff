#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for corredor's store conformance suite and prints the
# line that points the suite at it:
#
#     eval "$(scripts/postgres.sh)"      # sets TEST_DATABASE_URL
#     cargo test -p corredor-store
#
# For a fresh Debian machine, as root: installs the `postgresql` package when no PostgreSQL
# is found, creates a cluster in a temporary directory owned by the `postgres` user, starts it
# on 127.0.0.1 on a free port, and creates a role (allowed to create the per-test databases)
# and a database. Idempotent: run again, it reuses the server it started, or restarts it.
# Everything but the final `export` line goes to standard error.
#
# CORREDOR_POSTGRES_DIR chooses the directory (default /tmp/corredor-postgres).
set -euo pipefail

dir="${CORREDOR_POSTGRES_DIR:-/tmp/corredor-postgres}"
role=corredor
password=corredor
database=corredor

say() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$found" && -x "$found/initdb" ]]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

bin=$(find_bin)
if [[ -z "$bin" ]]; then
    if [[ $EUID -ne 0 ]]; then
        say "PostgreSQL is not installed and installing it needs root"
        exit 1
    fi
    say "installing PostgreSQL from the Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends postgresql >&2
    bin=$(find_bin)
    if [[ -z "$bin" ]]; then
        say "the postgresql package installed no initdb"
        exit 1
    fi
fi

# The server refuses to run as root: as root, run it as the `postgres` user the package made.
if [[ $EUID -eq 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    fi
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for _ in $(seq 1 200); do
        port=$((20000 + RANDOM % 40000))
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    say "no free port found"
    return 1
}

mkdir -p "$dir"
if [[ $EUID -eq 0 ]]; then
    chown postgres: "$dir"
fi
chmod 700 "$dir"

if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    say "creating a cluster in $dir/data"
    pwfile="$dir/superuser-password"
    echo "$password" >"$pwfile"
    [[ $EUID -eq 0 ]] && chown postgres: "$pwfile"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
    rm -f "$pwfile"
fi

if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && [[ -f "$dir/port" ]]; then
    port=$(cat "$dir/port")
    say "reusing the server on 127.0.0.1:$port"
else
    port=""
    if [[ -f "$dir/port" ]] && port_is_free "$(cat "$dir/port")"; then
        port=$(cat "$dir/port")
    fi
    [[ -n "$port" ]] || port=$(free_port)
    echo "$port" >"$dir/port"
    say "starting the server on 127.0.0.1:$port"
    # autovacuum is off: the tests' databases live for seconds, and an autovacuum worker (owned
    # by the server, not the test role) would keep a test from dropping its database.
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c autovacuum=off" start >&2
fi

psql_super() {
    as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres "$@"
}

if [[ "$(psql_super -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" != 1 ]]; then
    psql_super -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'" >&2
fi
if [[ "$(psql_super -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]]; then
    psql_super -c "CREATE DATABASE $database OWNER $role" >&2
fi

echo "export TEST_DATABASE_URL=postgres://$role:$password@127.0.0.1:$port/$database"
