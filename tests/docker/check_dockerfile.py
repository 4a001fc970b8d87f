"""Checks the Dockerfile against the project without a Docker engine.

Usage: check_dockerfile.py ROOT STAGED_DIR PACKAGE_DIR
  STAGED_DIR   what docker/stage-package.sh picked out of a local `cargo pgrx package`
  PACKAGE_DIR  that package's tree (target/<profile>/pgmem-pg16)
Prints one line per failed check and exits 1 when any failed.
"""
import re
import sys
from pathlib import Path

IMAGE = "postgres:16-bookworm"
DEBIAN_LIBDIR = "/usr/lib/postgresql/16/lib"
DEBIAN_EXTDIR = "/usr/share/postgresql/16/extension"


def instructions(text):
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    # Whitespace runs collapse to one space, so checks need not care about indentation.
    return [(l.split(None, 1)[0].upper(), " ".join(l.split()[1:])) for l in logical]


def stages(instrs):
    """Split at FROM: a list of (from_arguments, [instructions of the stage])."""
    out = []
    for keyword, args in instrs:
        if keyword == "FROM":
            out.append((args, []))
        elif out:
            out[-1][1].append((keyword, args))
    return out


def global_args(instrs):
    values = {}
    for keyword, args in instrs:
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in args:
            name, value = args.split("=", 1)
            values[name] = value
    return values


def pinned_pgrx(root):
    manifest = (root / "Cargo.toml").read_text()
    match = re.search(r'^pgrx = "=([0-9.]+)"$', manifest, re.M)
    return match and match.group(1)


def locked_pgrx(root):
    lock = (root / "Cargo.lock").read_text()
    match = re.search(r'name = "pgrx"\nversion = "([^"]+)"', lock)
    return match and match.group(1)


def dockerignore(root):
    """The .dockerignore patterns, in order (a later match overrides an earlier one)."""
    return [l.strip() for l in (root / ".dockerignore").read_text().splitlines()
            if l.strip() and not l.startswith("#")]


def pattern_regex(pattern):
    """A .dockerignore pattern as a regex: * and ? stay within one path segment, as in
    Go's filepath.Match; a leading **/ matches at any depth."""
    glob = pattern.lstrip("!").rstrip("/")
    anywhere = glob.startswith("**/")
    body = re.escape(glob.removeprefix("**/")).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    return re.compile(("(.*/)?" if anywhere else "") + body)


def ignored(patterns, path):
    """Whether Docker leaves path out of the context: the last pattern matching the
    path or one of its parent directories decides; a "!" pattern brings it back."""
    parents = ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 2)]
    verdict = False
    for pattern in patterns:
        if any(pattern_regex(pattern).fullmatch(p) for p in parents):
            verdict = not pattern.startswith("!")
    return verdict


def check(root, staged, package):
    failures = []
    text = (root / "Dockerfile").read_text()
    instrs = instructions(text)
    found = stages(instrs)
    defaults = global_args(instrs)
    version = re.search(r'^version = "([^"]+)"', (root / "Cargo.toml").read_text(), re.M).group(1)

    if [f.split()[0] for f, _ in found] != [IMAGE, IMAGE]:
        failures.append(f"expected two stages FROM {IMAGE}, found {[f for f, _ in found]}")
    if len(found) != 2 or not found[0][0].endswith(" AS builder"):
        failures.append("the first stage must be named builder")
        return failures
    builder, final = found[0][1], found[1][1]
    runs = " ".join(a for k, a in builder if k == "RUN")

    # cargo-pgrx: the version Cargo.toml pins, which Cargo.lock resolves too.
    if not re.search(r'cargo install cargo-pgrx --locked --version "\$\(scripts/pgrx-version\.sh\)"', runs):
        failures.append("the builder must install cargo-pgrx --locked at scripts/pgrx-version.sh's version")
    if not pinned_pgrx(root) or pinned_pgrx(root) != locked_pgrx(root):
        failures.append(f"Cargo.toml pins pgrx {pinned_pgrx(root)}, Cargo.lock has {locked_pgrx(root)}")
    if '"postgresql-server-dev-$PG_MAJOR"' not in runs:
        failures.append("the builder must install postgresql-server-dev-$PG_MAJOR")

    # The package directory: cargo pgrx package's target/<profile>/<extname>-pg<major>.
    if package.parent.parent.name != "target" or package.name != "pgmem-pg16" or not package.is_dir():
        failures.append(f"cargo pgrx package did not produce {package}")
    release_dir = "target/release/pgmem-pg$PG_MAJOR"
    if not re.search(rf'cargo pgrx package --pg-config "\$pg_config" && docker/stage-package\.sh "{re.escape(release_dir)}" "\$pg_config" /pgmem', runs):
        failures.append(f"the builder must package, then stage {release_dir} into /pgmem")

    # The files staged from the package are exactly what PostgreSQL needs.
    upgrades = sorted(p.name for p in (root / "sql").glob("pgmem--*--*.sql"))
    want = {"lib": ["pgmem.so"],
            "extension": sorted(["pgmem.control", f"pgmem--{version}.sql"] + upgrades)}
    for sub, names in want.items():
        have = sorted(p.name for p in (staged / sub).iterdir()) if (staged / sub).is_dir() else []
        if have != names:
            failures.append(f"staged {sub}/ holds {have}, expected {names}")

    # The final stage: only the staged files and the init script.
    expected_copies = [
        "--from=builder /pgmem/lib/ ${PG_LIBDIR}/",
        "--from=builder /pgmem/extension/ ${PG_EXTDIR}/",
        "docker/initdb/pgmem.sql /docker-entrypoint-initdb.d/",
    ]
    copies = [a for k, a in final if k in ("COPY", "ADD")]
    if copies != expected_copies:
        failures.append(f"final stage copies {copies}, expected {expected_copies}")
    if [k for k, _ in final if k == "RUN"]:
        failures.append("the final stage must not RUN anything")
    if defaults.get("PG_LIBDIR") != DEBIAN_LIBDIR or defaults.get("PG_EXTDIR") != DEBIAN_EXTDIR:
        failures.append(f"PG_LIBDIR/PG_EXTDIR must default to {DEBIAN_LIBDIR} and {DEBIAN_EXTDIR}")
    init = root / "docker/initdb/pgmem.sql"
    if not init.is_file() or "CREATE EXTENSION IF NOT EXISTS pgmem;" not in init.read_text():
        failures.append("docker/initdb/pgmem.sql must CREATE EXTENSION pgmem")

    # Every file copied from the build context exists and is not .dockerignored.
    patterns = dockerignore(root)
    for _, stage in found:
        for keyword, args in stage:
            if keyword != "COPY" or args.startswith("--from"):
                continue
            for source in args.split()[:-1]:
                if source != "." and (not (root / source).exists() or ignored(patterns, source)):
                    failures.append(f"COPY {source}: missing from the build context")
    return failures


def main():
    root, staged, package = (Path(a).resolve() for a in sys.argv[1:4])
    failures = check(root, staged, package)
    for failure in failures:
        print(f"docker-check: {failure}")
    if failures:
        sys.exit(1)
    print("docker-check: the Dockerfile matches the project")


if __name__ == "__main__":
    main()
