#!/usr/bin/env bash
# The upgrade path (make test-upgrade): for every released version kept in
# sql/released/, install that version's script, write rows through it, run
# `ALTER EXTENSION pgmem UPDATE`, and require
#   - the catalog (functions, types, casts, tables, indexes, comments, ACLs) to equal a
#     fresh install of the current version's (tests/upgrade/catalog.sql, compared by diff);
#   - every row written before to load unchanged (tests/upgrade/check.sql).
# Released scripts must stay byte for byte as released (sql/released/SHA256SUMS).
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

(cd "$root_dir/sql/released" && sha256sum --quiet -c SHA256SUMS)
(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
current=$(sed -n 's/^default_version = //p' "$("$PG_CONFIG" --sharedir)/extension/pgmem.control" | tr -d "'")
# The old full scripts sit beside the current one only so that the old versions can be
# installed; `ALTER EXTENSION ... UPDATE` itself uses the pgmem--A--B.sql scripts.
cp "$root_dir"/sql/released/pgmem--*.sql "$("$PG_CONFIG" --sharedir)/extension/"

rm -rf "$out_dir" && mkdir -p "$out_dir"
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

"${psql[@]}" -d postgres -c 'CREATE DATABASE fresh'
"${psql[@]}" -d fresh -c 'CREATE EXTENSION pgmem'
"${psql[@]}" -d fresh -At -f "$tests/catalog.sql" > "$out_dir/fresh.catalog"

checked=0
for script in "$root_dir"/sql/released/pgmem--*.sql; do
    old=$(basename "$script" .sql) && old=${old#pgmem--}
    db="from_${old//./_}"
    "${psql[@]}" -d postgres -c "CREATE DATABASE $db"
    "${psql[@]}" -d "$db" -c "CREATE EXTENSION pgmem VERSION '$old'"
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
    echo "upgrade: $old -> $current: catalog equal to a fresh install ($(wc -l < "$out_dir/fresh.catalog") lines), rows intact"
    checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || { echo "upgrade: no released version in sql/released" >&2; exit 1; }
