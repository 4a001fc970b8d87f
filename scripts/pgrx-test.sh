#!/usr/bin/env bash
# `cargo pgrx test pg16`; as root, PostgreSQL runs as the server user on a data
# directory it owns.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
export USER=${USER:-$(id -un)}
cd "$root_dir"
if [ -z "${RUNAS:-}" ]; then
    exec cargo pgrx test pg16
fi
pgdata=$("$root_dir/scripts/scratch-dir.sh" pgrx-test)
mkdir -p "$pgdata"
chown "$RUNAS" "$pgdata"
exec cargo pgrx test pg16 --runas "$RUNAS" --pgdata "$pgdata"
