#!/usr/bin/env bash
# The pgrx version Cargo.toml pins (pgrx = "=X.Y.Z"): cargo-pgrx must be exactly that
# version, so scripts/setup.sh and the Dockerfile both install what this prints.
set -euo pipefail
manifest="$(cd "$(dirname "$0")/.." && pwd)/Cargo.toml"
version=$(sed -n 's/^pgrx = "=\([0-9][0-9.]*\)"$/\1/p' "$manifest")
if [ -z "$version" ]; then
    echo "pgrx-version: no exact pin 'pgrx = \"=X.Y.Z\"' in $manifest" >&2
    exit 1
fi
echo "$version"
