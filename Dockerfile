# PostgreSQL 16 with pgmem installed and created in the default database.
#   docker build -t pgmem .
#   docker run -d --name pgmem -e POSTGRES_PASSWORD=secret -p 5432:5432 pgmem
# Both stages use the same official image, so pgmem.so is built for the PostgreSQL
# major version and layout it runs in. scripts/docker-check.sh (part of
# `make test`) checks this file against the project.

# The image's layout (Debian's): where PostgreSQL loads libraries and extension files.
ARG PG_LIBDIR=/usr/lib/postgresql/16/lib
ARG PG_EXTDIR=/usr/share/postgresql/16/extension

FROM postgres:16-bookworm AS builder
ARG PG_LIBDIR
ARG PG_EXTDIR
ARG RUST_VERSION=1.95.0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Build tools, and the server headers from the image's own PostgreSQL apt source
# (apt.postgresql.org; PG_MAJOR comes from the base image). Not pinned to the image's
# PG_VERSION: that exact build can leave the repository's index, and extensions keep
# their ABI across minor releases of a major version.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential ca-certificates clang curl libclang-dev pkg-config \
        "postgresql-server-dev-$PG_MAJOR" \
    && rm -rf /var/lib/apt/lists/*

ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --no-modify-path --profile minimal --default-toolchain "$RUST_VERSION"

# cargo-pgrx must equal the pgrx that Cargo.toml pins; this layer stays cached until
# Cargo.toml changes.
WORKDIR /build
COPY Cargo.toml ./
COPY scripts/pgrx-version.sh scripts/
RUN cargo install cargo-pgrx --locked --version "$(scripts/pgrx-version.sh)" \
    && cargo pgrx init "--pg$PG_MAJOR" "/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"

COPY . .
# The package tree mirrors pg_config's directories; take out what PostgreSQL needs,
# after checking that the image's layout is the one the final stage copies into.
RUN pg_config=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config \
    && test "$("$pg_config" --pkglibdir)" = "$PG_LIBDIR" \
    && test "$("$pg_config" --sharedir)/extension" = "$PG_EXTDIR" \
    && cargo pgrx package --pg-config "$pg_config" \
    && docker/stage-package.sh "target/release/pgmem-pg$PG_MAJOR" "$pg_config" /pgmem

FROM postgres:16-bookworm
ARG PG_LIBDIR
ARG PG_EXTDIR
LABEL org.opencontainers.image.title="pgmem" \
      org.opencontainers.image.description="PostgreSQL 16 with pgmem: durable memory for AI agents" \
      org.opencontainers.image.licenses="MIT"
COPY --from=builder /pgmem/lib/ ${PG_LIBDIR}/
COPY --from=builder /pgmem/extension/ ${PG_EXTDIR}/
COPY docker/initdb/pgmem.sql /docker-entrypoint-initdb.d/
