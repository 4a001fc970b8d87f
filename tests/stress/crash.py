"""Part 2: crash safety. Clients save checkpoints (growing prefixes of real agent runs)
and episodes in a loop with synchronous_commit = on, and log each save to a local file
only after the server acknowledged its commit. The server is crashed in the middle:
first `pg_ctl stop -m immediate`, then SIGKILL of one backend (the postmaster then
restarts every backend and recovers). Afterwards every acknowledged save must load back
equal, a save in flight must be there entirely or not at all, and every stored row must
be readable."""
import glob
import hashlib
import json
import os
import threading
import time

from psycopg.types.json import Jsonb

from common import Failure, check, describe, say

DB = "pgmem_stress_crash"
CLIENTS = 4
MIN_SECONDS, MAX_SECONDS = 3.0, 8.0  # saving before the crash
MIN_ACKS = 30  # acknowledged saves per client before the crash, time permitting
EPISODE_EVERY = 3  # an episode after every third checkpoint


def load_runs(traces_dir):
    """Each run as a list of messages (or steps) from the trace samples."""
    runs = []
    for path in sorted(glob.glob(os.path.join(traces_dir, "*.json"))):
        with open(path) as f:
            data = json.load(f)
        if isinstance(data, list):  # tau-bench: runs with a trajectory
            runs += [r["traj"] for r in data if r.get("traj")]
        elif "simulations" in data:  # tau2-bench: simulations with messages
            runs += [s["messages"] for s in data["simulations"] if s.get("messages")]
        else:  # ToolBench: one episode after another, as one growing document
            runs.append(list(data.values()))
    check(runs, f"no agent runs found in {traces_dir}")
    return runs


def digest(text):
    return hashlib.md5(text.encode()).hexdigest()


def checkpoint_doc(runs, run, turns):
    return json.dumps(runs[run][:turns])


def episode_content(runs, run, turns):
    return json.dumps(runs[run][turns - 1])[:4000]


class Saver:
    """One client: saves until its connection is lost or it is told to stop. `sent`
    lines are written before a save is sent, `ack` lines after the commit returned."""

    def __init__(self, server, runs, phase, k, work):
        self.server, self.runs, self.phase, self.k = server, runs, phase, k
        self.sent_path = os.path.join(work, f"{phase}-client{k}.sent")
        self.ack_path = os.path.join(work, f"{phase}-client{k}.ack")
        self.pid, self.acks, self.error, self.error_at = None, 0, None, None
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            with open(self.sent_path, "w") as sent, open(self.ack_path, "w") as ack:
                with self.server.connect(DB) as conn:
                    settings = conn.execute("SELECT current_setting('synchronous_commit'), "
                                            "current_setting('fsync'), pg_backend_pid()").fetchone()
                    check(settings[:2] == ("on", "on"), f"synchronous_commit, fsync = {settings[:2]}")
                    self.pid = settings[2]
                    self.connected.set()
                    self.loop(conn, sent, ack)
        except Exception as e:
            self.error, self.error_at = describe(e), time.monotonic()
        finally:
            self.connected.set()

    def loop(self, conn, sent, ack):
        order = list(range(len(self.runs)))
        order = order[self.k:] + order[:self.k]  # each client starts on another run
        lap = 0
        while True:
            for run in order:
                session = f"{self.phase}-c{self.k}-l{lap}-r{run}"
                for turns in range(1, len(self.runs[run]) + 1):
                    if self.stop.is_set():
                        return
                    doc = checkpoint_doc(self.runs, run, turns)
                    record = {"kind": "checkpoint", "session": session, "id": f"turn-{turns:03}",
                              "run": run, "turns": turns, "md5": digest(doc)}
                    # Half as JSON text, half as a jsonb parameter (the implicit cast).
                    param = doc if turns % 2 else Jsonb(self.runs[run][:turns])
                    self.save(conn, sent, ack, record, "SELECT pgmem_checkpoint_save(%s, %s, %s)",
                              [session, param, record["id"]])
                    if turns % EPISODE_EVERY == 0:
                        content = episode_content(self.runs, run, turns)
                        record = {"kind": "episode", "user": f"{self.phase}-user{self.k}",
                                  "id": f"{session}-t{turns:03}", "run": run, "turns": turns,
                                  "md5": digest(content)}
                        self.save(conn, sent, ack, record, "SELECT pgmem_episode_store(%s, %s, %s, %s)",
                                  [record["user"], content, Jsonb({"session": session, "turns": turns}),
                                   record["id"]])
            lap += 1

    def save(self, conn, sent, ack, record, sql, params):
        line = json.dumps(record) + "\n"
        sent.write(line)
        sent.flush()
        conn.execute(sql, params)  # autocommit: returns once the commit is acknowledged
        ack.write(line)
        ack.flush()
        self.acks += 1


def read_records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def verify(server, runs, work, phases):
    """Every acknowledged save of these phases loads back equal; a save in flight is
    either absent or equal; the tables hold nothing else and every row reads."""
    totals = {"checkpoints": 0, "episodes": 0, "in_flight_present": 0, "in_flight_absent": 0}
    expected_checkpoints, expected_episodes = 0, 0
    with server.connect(DB) as conn:
        for phase in phases:
            for path in sorted(glob.glob(os.path.join(work, f"{phase}-client*.sent"))):
                sent = read_records(path)
                acked = read_records(path[: -len(".sent")] + ".ack")
                check(sent[: len(acked)] == acked, f"{path}: the ack log is not a prefix of the sent log")
                check(len(sent) - len(acked) <= 1, f"{path}: more than one save in flight")
                for record in sent:
                    in_flight = len(acked) < len(sent) and record is sent[-1]
                    found = verify_record(conn, runs, record)
                    if in_flight:
                        totals["in_flight_present" if found else "in_flight_absent"] += 1
                    else:
                        check(found, f"acknowledged {record['kind']} lost after the crash: {record}")
                        totals[record["kind"] + "s"] += 1
                    if found:
                        if record["kind"] == "checkpoint":
                            expected_checkpoints += 1
                        else:
                            expected_episodes += 1
        # Every row readable, and nothing that no client sent.
        checkpoints, text_bytes, raw_bytes = conn.execute(
            "SELECT count(*), coalesce(sum(octet_length(l.snapshot::text)), 0), "
            "coalesce(sum(pgmem_snapshot_raw_size(l.snapshot)), 0) "
            "FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l").fetchone()
        (jsonb_rows,) = conn.execute(
            "SELECT count(l.snapshot::jsonb) "
            "FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l").fetchone()
        episodes, episode_bytes = conn.execute(
            "SELECT count(*), coalesce(sum(octet_length(content) + octet_length(metadata::text)), 0) "
            "FROM pgmem_episodes").fetchone()
        check(checkpoints == jsonb_rows == expected_checkpoints,
              f"{checkpoints} checkpoint rows ({jsonb_rows} read as jsonb), {expected_checkpoints} expected")
        check(episodes == expected_episodes, f"{episodes} episode rows, {expected_episodes} expected")
        # Heap, TOAST and indexes consistent (amcheck, a contrib module of PostgreSQL).
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        for table in ("pgmem_checkpoints", "pgmem_episodes"):
            problems = conn.execute("SELECT blkno, offnum, attnum, msg FROM verify_heapam(%s::regclass)",
                                    [table]).fetchall()
            check(not problems, f"verify_heapam({table}): {problems[:5]}")
        # B-trees only: amcheck verifies GIN from PostgreSQL 18 on.
        indexes = conn.execute("""SELECT bt_index_check(i.indexrelid, true), i.indexrelid::regclass::text
                                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                                  JOIN pg_am a ON a.oid = c.relam AND a.amname = 'btree'
                                  WHERE i.indrelid IN ('pgmem_checkpoints'::regclass, 'pgmem_episodes'::regclass)
                                  """).fetchall()
    totals.update(rows=checkpoints, text_bytes=text_bytes, raw_bytes=raw_bytes, episode_rows=episodes,
                  episode_bytes=episode_bytes, indexes=len(indexes))
    return totals


def verify_record(conn, runs, record):
    """True when the record's save is stored equal, False when it is absent; a stored
    value that differs fails."""
    kind = record["kind"]
    if kind == "checkpoint":
        sent = checkpoint_doc(runs, record["run"], record["turns"])
        query = "SELECT snapshot::jsonb = %s::jsonb FROM pgmem_checkpoint_load(%s, %s)"
        key = [record["session"], record["id"]]
    else:
        sent = episode_content(runs, record["run"], record["turns"])
        query = "SELECT content = %s FROM pgmem_episodes WHERE user_id = %s AND episode_id = %s"
        key = [record["user"], record["id"]]
    check(digest(sent) == record["md5"], f"what {record} sent is not what was logged")
    row = conn.execute(query, [sent, *key]).fetchone()
    check(row is None or row[0], f"{kind} loads back different from what was sent: {record}")
    return row is not None


def save_until_crash(server, runs, work, phase, crash):
    savers = [Saver(server, runs, phase, k, work) for k in range(CLIENTS)]
    for s in savers:
        s.connected.wait()
    check(all(s.pid for s in savers), "a client did not connect: "
          + "; ".join(str(s.error) for s in savers if not s.pid))
    start = time.monotonic()
    while time.monotonic() - start < MAX_SECONDS:
        time.sleep(0.1)
        elapsed = time.monotonic() - start
        if elapsed >= MIN_SECONDS and min(s.acks for s in savers) >= MIN_ACKS:
            break
        check(all(s.error is None for s in savers), "a client failed before the crash: "
              + "; ".join(s.error for s in savers if s.error))
    crashed_at = time.monotonic()
    crash(savers)
    for s in savers:
        s.stop.set()
        s.thread.join(30)
        check(not s.thread.is_alive(), f"client {s.k} still running 30 s after the crash")
    lost_connections = sum(s.error is not None for s in savers)
    early = [s.error for s in savers if s.error_at is not None and s.error_at < crashed_at]
    check(not early, "a client failed before the crash: " + "; ".join(early))
    return crashed_at - start, lost_connections


def run(server, traces_dir, work):
    work = os.path.join(work, "crash")
    os.makedirs(work, exist_ok=True)
    for old in glob.glob(os.path.join(work, "*")):
        os.remove(old)
    runs = load_runs(traces_dir)
    server.fresh_database(DB)
    with server.connect("postgres") as conn:
        conn.execute(f"ALTER DATABASE {DB} SET synchronous_commit = on")

    def immediate(savers):
        server.stop_immediate()

    log_start = server.log_offset()
    ran, lost = save_until_crash(server, runs, work, "immediate", immediate)
    down = time.monotonic()
    server.start()
    restart = time.monotonic() - down
    check("automatic recovery in progress" in server.log_since(log_start),
          "the server log does not show crash recovery after pg_ctl stop -m immediate")
    totals = verify(server, runs, work, ["immediate"])
    say("crash", f"pg_ctl stop -m immediate after {ran:.1f} s of saves from {CLIENTS} clients "
        f"({lost} connections lost); restart with recovery {restart:.2f} s; "
        f"{totals['checkpoints']} acknowledged checkpoints and {totals['episodes']} episodes all load back equal; "
        f"in flight: {totals['in_flight_present']} stored equal, {totals['in_flight_absent']} absent; "
        f"{totals['rows']} checkpoint rows read ({totals['raw_bytes']} CBOR bytes, {totals['text_bytes']} "
        f"bytes of JSON text), {totals['episode_rows']} episode rows; verify_heapam and "
        f"bt_index_check on {totals['indexes']} indexes clean")

    killed = {}

    def sigkill(savers):
        victim = savers[0]
        killed["pid"] = victim.pid
        os.kill(victim.pid, 9)
        start = time.monotonic()
        for s in savers:  # the postmaster ends every other backend too
            s.thread.join(30)
        server.wait_ready(60)
        killed["recovery"] = time.monotonic() - start

    log_start = server.log_offset()
    ran, lost = save_until_crash(server, runs, work, "sigkill", sigkill)
    log = server.log_since(log_start)
    check(f"server process (PID {killed['pid']}) was terminated by signal 9" in log,
          "the server log does not show the backend killed by SIGKILL")
    check("all server processes terminated; reinitializing" in log,
          "the postmaster did not reinitialize after the backend was killed")
    totals2 = verify(server, runs, work, ["immediate", "sigkill"])
    say("crash", f"kill -9 of backend {killed['pid']} after {ran:.1f} s of saves from {CLIENTS} clients "
        f"({lost} connections lost, every backend restarted); accepting connections again after "
        f"{killed['recovery']:.2f} s; {totals2['checkpoints'] - totals['checkpoints']} acknowledged "
        f"checkpoints and {totals2['episodes'] - totals['episodes']} episodes of this phase load back equal "
        f"(and all {totals['checkpoints']} + {totals['episodes']} of the first still do); in flight: "
        f"{totals2['in_flight_present'] - totals['in_flight_present']} stored equal, "
        f"{totals2['in_flight_absent'] - totals['in_flight_absent']} absent; {totals2['rows']} checkpoint "
        f"rows and {totals2['episode_rows']} episode rows read; amcheck clean")
    if lost != CLIENTS:
        raise Failure(f"only {lost} of {CLIENTS} connections were lost when a backend was killed")
