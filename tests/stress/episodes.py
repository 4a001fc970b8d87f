"""Part 1: pgmem.max_episodes_per_user under concurrency.

A trigger (test only) logs every row pgmem_episode_store(_many) writes, with the
inserted_at it was written with, so that "the newest N" can be computed afterwards from
everything that was ever stored."""
import random
import threading
import time

import psycopg
from psycopg.types.json import Jsonb

from common import Failure, alarming_log_lines, check, describe, expect_sqlstate, run_threads, say

DB = "pgmem_stress_episodes"
APP_ROLE = "pgmem_stress_app"
CLIENTS = 8
CALLS = 50  # pgmem_episode_store calls per client
POOL, BATCH, ROUNDS = 40, 20, 30  # pgmem_episode_store_many: ids, batch size, batches per client
CAP_ROUNDS = 10  # batches per client with the cap at 3

LOG = """
CREATE TABLE stress_log (
    seq         bigserial PRIMARY KEY,
    op          text NOT NULL,
    user_id     text NOT NULL,
    episode_id  text NOT NULL,
    content     text NOT NULL,
    inserted_at timestamptz NOT NULL
);
CREATE FUNCTION stress_log_row() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
    INSERT INTO stress_log (op, user_id, episode_id, content, inserted_at)
    VALUES (TG_OP, NEW.user_id, NEW.episode_id, NEW.content, NEW.inserted_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER stress_log AFTER INSERT OR UPDATE ON pgmem_episodes
    FOR EACH ROW EXECUTE FUNCTION stress_log_row();
"""


def set_cap(server, cap):
    """ALTER DATABASE ... SET: the setting is superuser-only; new connections get it."""
    with server.connect("postgres") as conn:
        conn.execute(f"ALTER DATABASE {DB} SET pgmem.max_episodes_per_user = {int(cap)}")


def connect(server, cap):
    conn = server.connect(DB)
    (shown,) = conn.execute("SHOW pgmem.max_episodes_per_user").fetchone()
    check(shown == str(cap), f"pgmem.max_episodes_per_user is {shown} in a new connection, expected {cap}")
    return conn


class Monitor:
    """Counts a user's episodes over and over while the writers run: the largest count
    any snapshot saw."""

    def __init__(self, server, user):
        self.server, self.user = server, user
        self.stop = threading.Event()
        self.max_seen, self.samples, self.error = 0, 0, None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            with self.server.connect(DB) as conn:
                while not self.stop.is_set():
                    (n,) = conn.execute("SELECT count(*) FROM pgmem_episodes WHERE user_id = %s",
                                        [self.user]).fetchone()
                    self.max_seen, self.samples = max(self.max_seen, n), self.samples + 1
        except Exception as e:
            self.error = describe(e)

    def finish(self):
        self.stop.set()
        self.thread.join()
        check(self.error is None, f"monitor: {self.error}")


def newest_check(conn, user, cap):
    """The user's episodes are exactly the `cap` newest, by (inserted_at, episode_id),
    of everything ever written for them (for an id written more than once, its last write)."""
    expected = conn.execute(
        """WITH latest AS (SELECT DISTINCT ON (episode_id) episode_id, inserted_at
                           FROM stress_log WHERE user_id = %s
                           ORDER BY episode_id, seq DESC)
           SELECT episode_id, inserted_at FROM latest
           ORDER BY inserted_at DESC, episode_id DESC LIMIT %s""", [user, cap]).fetchall()
    actual = conn.execute(
        """SELECT episode_id, inserted_at FROM pgmem_episodes WHERE user_id = %s
           ORDER BY inserted_at DESC, episode_id DESC""", [user]).fetchall()
    check(len(actual) == cap, f"{user}: {len(actual)} episodes kept, expected exactly {cap}")
    check(actual == expected, f"{user}: kept {actual}, but the {cap} newest stored were {expected}")
    (ties,) = conn.execute(
        "SELECT count(*) - count(DISTINCT inserted_at) FROM stress_log WHERE user_id = %s", [user]).fetchone()
    return ties


def single_stores(server, user, cap):
    """CLIENTS clients call pgmem_episode_store CALLS times each for one user."""
    set_cap(server, cap)
    returned = [[] for _ in range(CLIENTS)]
    ready = threading.Barrier(CLIENTS)

    def client(k):
        with connect(server, cap) as conn:
            ready.wait(60)  # all start together (or give up, should one fail first)
            for i in range(CALLS):
                given = f"c{k}-{i:03}" if i % 2 == 0 else None  # the others get a UUIDv7
                (eid,) = conn.execute("SELECT pgmem_episode_store(%s, %s, %s, %s)",
                                      [user, f"client {k} call {i}", Jsonb({"client": k, "call": i}),
                                       given]).fetchone()
                check(given is None or eid == given, f"returned id {eid}, given {given}")
                returned[k].append(eid)

    monitor = Monitor(server, user)
    start = time.monotonic()
    failures = run_threads(client, CLIENTS)
    elapsed = time.monotonic() - start
    monitor.finish()
    check(not failures, f"cap {cap}: " + "; ".join(failures))
    calls = CLIENTS * CALLS
    ids = [e for r in returned for e in r]
    check(len(set(ids)) == calls, f"{len(set(ids))} distinct ids returned by {calls} calls")
    with server.connect(DB) as conn:
        logged = {r[0] for r in conn.execute(
            "SELECT episode_id FROM stress_log WHERE user_id = %s AND op = 'INSERT'", [user])}
        check(logged == set(ids), f"{user}: rows written differ from the ids returned "
              f"({len(logged)} written, {len(ids)} returned)")
        (count,) = conn.execute("SELECT count(*) FROM pgmem_episodes WHERE user_id = %s", [user]).fetchone()
        if cap:
            ties = newest_check(conn, user, cap)
            check(monitor.max_seen <= cap, f"a reader saw {monitor.max_seen} episodes of {user}, cap {cap}")
            say("episodes", f"cap {cap}: {CLIENTS} clients x {CALLS} pgmem_episode_store = {calls} calls "
                f"in {elapsed:.2f} s ({calls / elapsed:.0f}/s); {count} kept, the {cap} newest of {calls} "
                f"stored; a concurrent reader saw at most {monitor.max_seen} ({monitor.samples} counts); "
                f"{ties} inserted_at ties")
        else:
            check(count == calls, f"cap 0: {count} episodes of {user} after {calls} calls (lost {calls - count})")
            say("episodes", f"cap 0: {CLIENTS} clients x {CALLS} pgmem_episode_store = {calls} calls "
                f"in {elapsed:.2f} s ({calls / elapsed:.0f}/s); {count} episodes, none lost")


def batches(server, user, cap, rounds):
    """CLIENTS clients call pgmem_episode_store_many with BATCH ids drawn from a pool of
    POOL, each batch shuffled differently."""
    set_cap(server, cap)
    pool = [f"p{i:02}" for i in range(POOL)]
    used, errors, stored = set(), [], []
    lock = threading.Lock()
    ready = threading.Barrier(CLIENTS)

    def client(k):
        rng = random.Random(f"{user}-{k}")
        with connect(server, cap) as conn:
            ready.wait(60)  # all start together (or give up, should one fail first)
            for r in range(rounds):
                ids = rng.sample(pool, BATCH)  # a random subset, in random order
                contents = [f"client {k} round {r} {x}" for x in ids]
                metadata = [Jsonb({"client": k, "round": r, "pos": i}) for i in range(BATCH)]
                try:
                    (n,) = conn.execute("SELECT pgmem_episode_store_many(%s, %s::text[], %s::jsonb[], %s::text[])",
                                        [user, contents, metadata, ids]).fetchone()
                except psycopg.Error as e:
                    with lock:
                        errors.append(f"client {k} round {r}: {describe(e)}")
                    continue
                with lock:
                    used.update(ids)
                    stored.append(n)

    start = time.monotonic()
    failures = run_threads(client, CLIENTS)
    elapsed = time.monotonic() - start
    check(not failures, f"store_many, cap {cap}: " + "; ".join(failures))
    calls = CLIENTS * rounds
    deadlocks = sum("40P01" in e for e in errors)
    check(not errors, f"store_many, cap {cap}: {len(errors)} of {calls} calls failed ({deadlocks} deadlocks, "
          f"SQLSTATE 40P01): " + "; ".join(errors[:5]))
    check(all(n == BATCH for n in stored), f"store_many returned {sorted(set(stored))}, expected {BATCH}")
    with server.connect(DB) as conn:
        (writes,) = conn.execute("SELECT count(*) FROM stress_log WHERE user_id = %s", [user]).fetchone()
        check(writes == calls * BATCH, f"{writes} rows written by {calls} batches of {BATCH}")
        if cap:
            newest_check(conn, user, cap)
            say("episodes", f"store_many, cap {cap}: {calls} batches of {BATCH} from {CLIENTS} clients "
                f"in {elapsed:.2f} s, no error; {cap} kept, the newest")
            return
        rows = conn.execute("""SELECT e.episode_id, count(*) OVER (PARTITION BY e.episode_id),
                                      e.content = l.content AND e.inserted_at = l.inserted_at
                               FROM pgmem_episodes e
                               JOIN LATERAL (SELECT content, inserted_at FROM stress_log l
                                             WHERE l.user_id = e.user_id AND l.episode_id = e.episode_id
                                             ORDER BY seq DESC LIMIT 1) l ON true
                               WHERE e.user_id = %s""", [user]).fetchall()
    present = [r[0] for r in rows]
    check(set(present) == used, f"store_many, cap 0: ids missing {sorted(used - set(present))}, "
          f"unexpected {sorted(set(present) - used)}")
    check(all(r[1] == 1 for r in rows), f"store_many: an id present more than once: {rows}")
    check(all(r[2] for r in rows), "store_many: a row is not the last write of its id")
    say("episodes", f"store_many, cap 0: {calls} batches of {BATCH} (ids from a pool of {POOL}, shuffled) "
        f"from {CLIENTS} clients in {elapsed:.2f} s ({writes} row writes), no error, no deadlock; "
        f"{len(present)} of {len(used)} ids used present, each once, each its last write")


def stores_keep(conn, user, cap, n=6):
    """Stores n episodes for user on conn; how many remain (cap expected)."""
    conn.execute("SELECT pgmem_episode_forget(%s)", [user])
    for i in range(n):
        conn.execute("SELECT pgmem_episode_store(%s, %s)", [user, f"episode {i}"])
    (kept,) = conn.execute("SELECT count(*) FROM pgmem_episodes WHERE user_id = %s", [user]).fetchone()
    return kept


def non_superuser(server):
    """The cap is SUSET: a role without superuser cannot lift it, in any way."""
    set_cap(server, 3)
    with server.connect(DB) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")
        conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON pgmem_episodes, pgmem_episode_users, pgmem_episode_lexemes TO {APP_ROLE}")
        conn.execute(f"GRANT INSERT ON stress_log TO {APP_ROLE}")
        conn.execute(f"GRANT USAGE ON SEQUENCE stress_log_seq_seq TO {APP_ROLE}")
    attempts = ["SET pgmem.max_episodes_per_user = 0",
                "SET SESSION pgmem.max_episodes_per_user = 100",
                "RESET pgmem.max_episodes_per_user",
                "SELECT set_config('pgmem.max_episodes_per_user', '0', false)",
                "SELECT set_config('pgmem.max_episodes_per_user', '0', true)",
                f"ALTER ROLE {APP_ROLE} SET pgmem.max_episodes_per_user = 0"]
    with server.connect(DB, user=APP_ROLE) as conn:
        warnings = []
        conn.add_notice_handler(lambda d: warnings.append(d.message_primary))
        (superuser,) = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        check(not superuser, f"{APP_ROLE} is a superuser")
        # Before the session loads pgmem's library, PostgreSQL keeps any pgmem.* value
        # as a placeholder; loading the library must drop it (with a WARNING).
        conn.execute("SET pgmem.max_episodes_per_user = 0")
        kept = stores_keep(conn, "app-user", 3)
        check(kept == 3, f"{APP_ROLE}: SET pgmem.max_episodes_per_user = 0 before pgmem's library was loaded, "
              f"then 6 stores: {kept} episodes kept, cap 3")
        (shown,) = conn.execute("SHOW pgmem.max_episodes_per_user").fetchone()
        check(shown == "3", f"after pgmem's library loaded the setting is {shown}, expected the database's 3")
        # Library loaded: every way to change the setting fails with 42501.
        for sql in attempts:
            expect_sqlstate(conn, "42501", sql)
        try:
            with conn.transaction():
                conn.execute("SET LOCAL pgmem.max_episodes_per_user = 0")
        except psycopg.Error as e:
            check(e.sqlstate == "42501", f"SET LOCAL: expected 42501, got {describe(e)}")
        else:
            raise Failure("SET LOCAL pgmem.max_episodes_per_user = 0 succeeded for a non-superuser")
        (shown,) = conn.execute("SHOW pgmem.max_episodes_per_user").fetchone()
        check(shown == "3", f"after the refused attempts the setting is {shown}")
        kept = stores_keep(conn, "app-user", 3)
        check(kept == 3, f"{APP_ROLE} stored 6 episodes with the cap at 3 and {kept} remain")
    say("episodes", f"non-superuser {APP_ROLE}: a SET before pgmem's library loads is dropped when it loads "
        f"(WARNING: {warnings[0] if warnings else 'none'}), 6 stores keep 3; once loaded, "
        f"{len(attempts) + 1} ways to change the setting (SET, SET SESSION, RESET, set_config session/local, "
        "ALTER ROLE, SET LOCAL) all fail with 42501; 6 stores keep 3")
    # The same in the startup packet (libpq options / PGOPTIONS).
    try:
        conn = server.connect(DB, user=APP_ROLE, options="-c pgmem.max_episodes_per_user=3")
    except psycopg.OperationalError as e:
        check("permission denied" in str(e), f"options=-c: expected permission denied, got {describe(e)}")
        say("episodes", "non-superuser connecting with options=-c pgmem.max_episodes_per_user=3: refused")
        return
    # PostgreSQL keeps a startup-packet value in place of the database's until pgmem
    # loads, then refuses it and has no cap left: pgmem refuses to store instead.
    with conn:
        try:
            kept = stores_keep(conn, "app-options-user", 3)
        except psycopg.Error as e:
            check(e.sqlstate == "42501", f"options=-c: expected 42501 on store, got {describe(e)}")
            say("episodes", "non-superuser connecting with options=-c pgmem.max_episodes_per_user=3: "
                "its stores fail with 42501 (the database's cap cannot be applied in that session)")
            return
    raise Failure(f"a non-superuser connecting with options '-c pgmem.max_episodes_per_user=3' stored 6 "
                  f"episodes and {kept} remain, though the database's cap could not be applied")


def run(server):
    server.fresh_database(DB)
    with server.connect(DB) as conn:
        conn.execute(LOG)
    log_start = server.log_offset()
    single_stores(server, "capped-user", 3)
    single_stores(server, "unlimited-user", 0)
    batches(server, "batch-user", 0, ROUNDS)
    batches(server, "batch-capped-user", 3, CAP_ROUNDS)
    # Each user's trimming left the others' episodes alone.
    expected = {"capped-user": 3, "unlimited-user": CLIENTS * CALLS, "batch-user": POOL, "batch-capped-user": 3}
    with server.connect(DB) as conn:
        counts = dict(conn.execute("SELECT user_id, count(*) FROM pgmem_episodes GROUP BY user_id").fetchall())
    check(counts == expected, f"episodes per user at the end: {counts}, expected {expected}")
    bad = alarming_log_lines(server.log_since(log_start))
    check(not bad, "server log: " + " | ".join(bad[:5]))
    non_superuser(server)
