#!/usr/bin/env bash
# The upgrade path (make test-upgrade). sql/released/ keeps the install script of every
# released version, byte for byte (SHA256SUMS also covers the released upgrade steps).
#   - The current version must be released there too, and equal what the build now
#     generates (but for pgrx's source-location comments): changing the SQL means a new
#     version and a pgmem--<old>--<new>.sql, never a changed release.
#   - For every older version: install its script, write rows through it, run
#     `ALTER EXTENSION pgmem UPDATE`, and require the catalog (functions, types, casts,
#     tables, indexes, comments, ACLs) to equal a fresh install's (tests/upgrade/
#     catalog.sql, compared by diff) and every row written before to load unchanged
#     (tests/upgrade/check.sql).
# With UPDATE=1 the current version's copy, and the checksums of it and of the upgrade
# scripts to it, are rewritten first (while that version is unreleased; review git diff).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_UPGRADE_PORT:-28819}
server_dir=$("$root_dir/scripts/scratch-dir.sh" upgrade)
out_dir="$root_dir/target/upgrade"
tests="$root_dir/tests/upgrade"
traces="$root_dir/tests/data/agent-traces"
bindir=$("$PG_CONFIG" --bindir)
psql=("$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1)

released="$root_dir/sql/released"
extdir="$("$PG_CONFIG" --sharedir)/extension"
(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
current=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$extdir/pgmem.control")

# pgrx's comments naming Rust source lines change with any edit of the Rust code.
sql_only() { grep -v -E '^-- (src/.*:[0-9]+|pgmem::.*|Skipped due to .*)$' "$1"; }
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$extdir/pgmem--$current.sql" "$released/"
    (cd "$released" && { grep -v -E " (\.\./)?pgmem--(.*--)?$current\.sql\$" SHA256SUMS || true
        sha256sum "pgmem--$current.sql" ../pgmem--*--"$current".sql; } > SHA256SUMS.new \
        && mv SHA256SUMS.new SHA256SUMS)
fi
(cd "$released" && sha256sum --quiet -c SHA256SUMS)
if [ ! -f "$released/pgmem--$current.sql" ]; then
    echo "upgrade: $current is not in sql/released (UPDATE=1 $0 adds it)" >&2
    exit 1
fi
if ! diff -u <(sql_only "$released/pgmem--$current.sql") <(sql_only "$extdir/pgmem--$current.sql"); then
    echo "upgrade: the SQL differs from released $current (above): bump the version and add" \
        "sql/pgmem--$current--<new>.sql" >&2
    exit 1
fi
# The old full scripts sit beside the current one only so that the old versions can be
# installed; `ALTER EXTENSION ... UPDATE` itself uses the pgmem--A--B.sql scripts.
for script in "$released"/pgmem--*.sql; do
    [ "$script" = "$released/pgmem--$current.sql" ] || cp "$script" "$extdir/"
done

rm -rf "$out_dir" && mkdir -p "$out_dir"
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

"${psql[@]}" -d postgres -c 'CREATE DATABASE fresh'
"${psql[@]}" -d fresh -c 'CREATE EXTENSION pgmem'
"${psql[@]}" -d fresh -At -f "$tests/catalog.sql" > "$out_dir/fresh.catalog"

checked=0
for script in "$released"/pgmem--*.sql; do
    old=$(basename "$script" .sql) && old=${old#pgmem--}
    [ "$old" != "$current" ] || continue
    db="from_${old//./_}"
    "${psql[@]}" -d postgres -c "CREATE DATABASE $db"
    # 0.6.0 required btree_gin, and the step to it builds an index with it (0.7.0 drops
    # both): a database on an older version has it, as the README's update notes say.
    "${psql[@]}" -d "$db" -c "CREATE EXTENSION btree_gin" -c "CREATE EXTENSION pgmem VERSION '$old'"
    "${psql[@]}" -d "$db" -v traces="$traces" -f "$tests/seed.sql" >/dev/null
    "${psql[@]}" -d "$db" -c 'ALTER EXTENSION pgmem UPDATE'
    version=$("${psql[@]}" -d "$db" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pgmem'")
    [ "$version" = "$current" ] || { echo "upgrade: $old updated to $version, not $current" >&2; exit 1; }
    "${psql[@]}" -d "$db" -At -f "$tests/catalog.sql" > "$out_dir/$db.catalog"
    if ! diff -u "$out_dir/fresh.catalog" "$out_dir/$db.catalog"; then
        echo "upgrade: the catalog after updating from $old differs from a fresh install (above)" >&2
        exit 1
    fi
    "${psql[@]}" -d "$db" -f "$tests/check.sql"
    # Everything stored stays dumpable (rows older versions accepted included).
    "$bindir/pg_dump" -h 127.0.0.1 -p "$port" -U postgres -d "$db" >/dev/null
    echo "upgrade: $old -> $current: catalog equal to a fresh install ($(wc -l < "$out_dir/fresh.catalog") lines), rows intact"
    checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || { echo "upgrade: no version older than $current in sql/released" >&2; exit 1; }
