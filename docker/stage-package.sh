#!/usr/bin/env bash
# docker/stage-package.sh PACKAGE_DIR PG_CONFIG OUT_DIR
# Picks the installable files out of `cargo pgrx package`'s tree (PACKAGE_DIR, laid out
# under PG_CONFIG's own directories) into OUT_DIR/lib (pgmem.so) and OUT_DIR/extension
# (control file, install script, every upgrade script in sql/). Fails when one is
# missing, so an image never ships without its upgrade path. Used by the Dockerfile's
# builder and by scripts/docker-check.sh.
set -euo pipefail
package_dir=$1 pg_config=$2 out_dir=$3
root_dir=$(cd "$(dirname "$0")/.." && pwd)
libdir="$package_dir$("$pg_config" --pkglibdir)"
extdir="$package_dir$("$pg_config" --sharedir)/extension"
# The install script is the one the packaged control file names as default_version.
version=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$extdir/pgmem.control")

wanted=("$extdir/pgmem.control" "$extdir/pgmem--$version.sql")
for script in "$root_dir"/sql/pgmem--*--*.sql; do
    [ -e "$script" ] && wanted+=("$extdir/$(basename "$script")")
done
mkdir -p "$out_dir/lib" "$out_dir/extension"
cp "$libdir/pgmem.so" "$out_dir/lib/"
cp "${wanted[@]}" "$out_dir/extension/"
