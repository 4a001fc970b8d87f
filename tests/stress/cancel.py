"""Part 3: cancelling a long conversion. A document of about 30 MB (a JSON array of
strings and numbers) is built into a temp table first; converting it to
pgmem_snapshot (text input), and a stored snapshot of it back to text (text output),
must stop soon after statement_timeout or pg_cancel_backend, with 57014, and leave the
connection usable."""
import threading
import time

import psycopg

from common import Failure, alarming_log_lines, check, describe, say

DB = "pgmem_stress_cancel"
ELEMENTS = 1_250_000  # about 30 MB of JSON text, 26 MB of CBOR
MAX_ELEMENTS = 3_000_000  # about 62 MB of CBOR: still under the default 64 MB limit
LONG_ENOUGH = 2.0  # seconds a conversion should take for the cancel to land in it
TIMEOUT_MS = 1000
EARLY = 0.05  # seconds: a cancel right after the conversion started
CANCEL_AT = (0.1, 0.35, 0.6)  # and after these fractions of the conversion's time
GOAL = 0.1  # seconds from the timeout / cancel to the error
LIMIT = 1.0  # beyond this the check fails

INPUT = "SELECT pgmem_snapshot_raw_size(doc::pgmem_snapshot) FROM big"
OUTPUT = "SELECT octet_length(s::text) FROM big_snapshot"


def build(conn, elements):
    """The document, as text, in temp table big; returns its size in bytes."""
    conn.execute("DROP TABLE IF EXISTS big, big_snapshot")
    conn.execute("""CREATE TEMP TABLE big AS
                    SELECT (SELECT json_agg(CASE i %% 3 WHEN 0 THEN to_json('item-' || i || '-' || md5(i::text))
                                                       WHEN 1 THEN to_json(i * 1.25)
                                                       ELSE to_json(i::bigint * 7919) END)
                            FROM generate_series(1, %s) AS i)::text AS doc""", [elements])
    (size,) = conn.execute("SELECT octet_length(doc) FROM big").fetchone()
    return size


def timed(conn, sql):
    start = time.monotonic()
    (value,) = conn.execute(sql).fetchone()
    return time.monotonic() - start, value


BACKTRACES = []  # the line counts of Rust backtraces found in an error's DETAIL


def note_detail(error):
    """pgrx puts a Rust backtrace in the DETAIL of a PostgreSQL error raised inside
    Rust code when the server runs with RUST_BACKTRACE set: counted, and reported."""
    detail = error.diag.message_detail or ""
    if "panic" in detail or "pgrx" in detail:
        BACKTRACES.append(len(detail.splitlines()))


def usable(conn, pid, what):
    check(conn.execute("SELECT 1, pg_backend_pid()").fetchone() == (1, pid),
          f"the connection does not work after {what}")


def statement_timeout(conn, pid, sql, what):
    conn.execute(f"SET statement_timeout = '{TIMEOUT_MS}ms'")
    start = time.monotonic()
    try:
        conn.execute(sql).fetchone()
    except psycopg.Error as e:
        elapsed = time.monotonic() - start
        check(e.sqlstate == "57014", f"{what} with statement_timeout: expected 57014, got {describe(e)}")
        note_detail(e)
    else:
        raise Failure(f"{what} finished within statement_timeout = {TIMEOUT_MS} ms")
    finally:
        conn.execute("RESET statement_timeout")
    usable(conn, pid, f"statement_timeout in {what}")
    return elapsed - TIMEOUT_MS / 1000


def cancel(server, conn, pid, sql, delay, what):
    """Runs sql on conn in a thread, pg_cancel_backend from another connection after
    `delay` seconds; seconds from the cancel call to the error. When the conversion
    ended before the cancel (its time varies on a busy machine), again, cancelled sooner."""
    for _ in range(4):
        result = {}

        def victim():
            result["start"] = time.monotonic()
            try:
                conn.execute(sql).fetchone()
            except psycopg.Error as e:
                result["error"] = e
            result["end"] = time.monotonic()

        with server.connect(DB) as control:
            thread = threading.Thread(target=victim, daemon=True)
            thread.start()
            time.sleep(delay)
            (state,) = control.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
            cancelled_at = time.monotonic()
            (sent,) = control.execute("SELECT pg_cancel_backend(%s)", [pid]).fetchone()
            thread.join(60)
            check(not thread.is_alive(), f"{what}: still running 60 s after pg_cancel_backend")
        error = result.get("error")
        if error is None and (state != "active" or result["end"] - cancelled_at < 0.05):
            delay /= 2  # it was over, or all but over, before the cancel
            continue
        check(sent, f"{what}: pg_cancel_backend returned false")
        check(error is not None, f"{what}: finished {result['end'] - cancelled_at:.2f} s after the cancel, "
              "without an error")
        check(error.sqlstate == "57014", f"{what}: expected 57014, got {describe(error)}")
        note_detail(error)
        usable(conn, pid, f"cancelling {what}")
        return delay, result["end"] - cancelled_at
    raise Failure(f"{what}: the conversion always ended before the cancel")


def path(server, conn, pid, sql, duration, what):
    """statement_timeout and cancels at several points of one conversion path."""
    notes = []
    overshoot = None
    if duration > TIMEOUT_MS / 1000 + 0.3:
        overshoot = statement_timeout(conn, pid, sql, what)
        notes.append(f"statement_timeout {TIMEOUT_MS} ms: 57014 after {TIMEOUT_MS / 1000 + overshoot:.3f} s "
                     f"(+{overshoot * 1000:.0f} ms)")
    else:
        notes.append(f"statement_timeout not tried (the conversion takes only {duration:.2f} s)")
    delays = [EARLY] + [duration * fraction for fraction in CANCEL_AT]
    cancels = [cancel(server, conn, pid, sql, delay, what) for delay in delays]
    notes.append("pg_cancel_backend at " + ", ".join(
        f"{delay:.2f} s: 57014 after {latency * 1000:.0f} ms" for delay, latency in cancels))
    worst = max([latency for _, latency in cancels] + ([overshoot] if overshoot is not None else []))
    return notes, worst


def run(server):
    server.fresh_database(DB)
    log_start = server.log_offset()
    with server.connect(DB) as conn:
        (pid,) = conn.execute("SELECT pg_backend_pid()").fetchone()
        elements = ELEMENTS
        size = build(conn, elements)
        duration, raw = timed(conn, INPUT)
        if duration < LONG_ENOUGH and elements < MAX_ELEMENTS:
            say("cancel", f"text input of {size} bytes took only {duration:.2f} s; "
                f"{MAX_ELEMENTS} elements instead")
            elements = MAX_ELEMENTS
            size = build(conn, elements)
            duration, raw = timed(conn, INPUT)
        (limit,) = conn.execute("SHOW pgmem.max_snapshot_bytes").fetchone()  # the library is loaded now
        say("cancel", f"document: {size} bytes of JSON text, {raw} bytes of CBOR (limit {limit}); "
            f"text input {duration:.2f} s without cancel")
        notes, worst_in = path(server, conn, pid, INPUT, duration, "text input")
        for n in notes:
            say("cancel", f"text input: {n}")

        conn.execute("CREATE TEMP TABLE big_snapshot AS SELECT doc::pgmem_snapshot AS s FROM big")
        out_duration, out_size = timed(conn, OUTPUT)
        if out_duration < LONG_ENOUGH and elements < MAX_ELEMENTS:
            say("cancel", f"text output of {out_size} bytes took only {out_duration:.2f} s; "
                f"{MAX_ELEMENTS} elements instead")
            elements = MAX_ELEMENTS
            build(conn, elements)
            conn.execute("CREATE TEMP TABLE big_snapshot AS SELECT doc::pgmem_snapshot AS s FROM big")
            out_duration, out_size = timed(conn, OUTPUT)
        stored, raw = conn.execute("SELECT pgmem_snapshot_stored_size(s), pgmem_snapshot_raw_size(s) "
                                   "FROM big_snapshot").fetchone()
        short = out_duration < LONG_ENOUGH
        say("cancel", f"stored snapshot: {stored} bytes ({raw} of CBOR); text output ({out_size} bytes) "
            f"{out_duration:.2f} s without cancel"
            + (" -- shorter than wanted even at the largest document" if short else ""))
        notes, worst_out = path(server, conn, pid, OUTPUT, out_duration, "text output")
        for n in notes:
            say("cancel", f"text output: {n}")
    if BACKTRACES:
        say("cancel", f"note: {len(BACKTRACES)} of the 57014 errors carry a Rust backtrace of up to "
            f"{max(BACKTRACES)} lines in their DETAIL (the server's environment has RUST_BACKTRACE set); "
            "the first in a backend also takes tens of ms to symbolize")
    bad = alarming_log_lines(server.log_since(log_start))
    check(not bad, "server log: " + " | ".join(bad[:5]))
    worst = max(worst_in, worst_out)
    check(worst < LIMIT, f"a conversion ran on {worst:.2f} s after its timeout or cancel (limit {LIMIT} s)")
    verdict = "within" if worst <= GOAL else "OVER"
    say("cancel", f"worst latency {worst * 1000:.0f} ms ({verdict} the {GOAL * 1000:.0f} ms goal); "
        "every connection usable after its cancel")
