#!/usr/bin/env bash
# Where a throwaway server named $1 keeps its data: under target/ when the server's
# user can reach it, else under /tmp (a checkout under /root is closed to others).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
dir="$root_dir/target/servers/$1"
if [ -n "${RUNAS:-}" ] && ! runuser -u "$RUNAS" -- test -x "$root_dir/target"; then
    dir="/tmp/pgmem-$1"
fi
mkdir -p "$(dirname "$dir")"
echo "$dir"
