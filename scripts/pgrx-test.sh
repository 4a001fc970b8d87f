#!/usr/bin/env bash
# `cargo pgrx test pgNN` (16 unless a major version is given: 15, 16 or 17; 15 and 17
# need `scripts/setup.sh --matrix` first). As root, PostgreSQL runs as the server user
# on a data directory it owns. cargo-pgrx swaps the default pg16 feature for pgNN itself.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
major=${1:-16}
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
export USER=${USER:-$(id -un)}
cd "$root_dir"
if [ -z "${RUNAS:-}" ]; then
    exec cargo pgrx test "pg$major"
fi
pgdata=$("$root_dir/scripts/scratch-dir.sh" "pgrx-test-$major")
mkdir -p "$pgdata"
chown "$RUNAS" "$pgdata"
exec cargo pgrx test "pg$major" --runas "$RUNAS" --pgdata "$pgdata"
