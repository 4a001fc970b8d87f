"""The client scenario, in Python with psycopg 3: checkpoints of a real tau-bench run
turn by turn, episodes for two users, bad input. Also the PgBouncer and hot-standby
checks (see --help). Exits non-zero on the first failed expectation."""
import argparse
import json
import sys
import threading

import psycopg
from psycopg.types.json import Jsonb

from pgmem_format import Snapshot, as_decimal_json, register


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def turns(run):
    """Each prefix of the run's messages that ends with an assistant message."""
    traj = run["traj"]
    return [traj[: i + 1] for i, m in enumerate(traj) if m["role"] == "assistant"]


def checkpoints(conn, run, session):
    prefixes = turns(run)
    for i, prefix in enumerate(prefixes, 1):
        text = json.dumps(prefix)
        if i % 3 == 1:  # a plain string, sent untyped: no cast needed
            conn.execute("SELECT pgmem_checkpoint_save(%s, %s, %s)", [session, text, f"turn-{i:02}"])
        elif i % 3 == 2:  # a jsonb-typed parameter
            conn.execute("SELECT pgmem_checkpoint_save(%s, %s, %s)", [session, Jsonb(prefix), f"turn-{i:02}"])
        else:  # JSON text, encoded once into the stored frame
            conn.execute("SELECT pgmem_checkpoint_save_json(%s, %s, %s)", [session, text, f"turn-{i:02}"])
    listed = conn.execute("SELECT checkpoint_id FROM pgmem_checkpoint_list(%s)", [session]).fetchall()
    check([r[0] for r in listed] == [f"turn-{i:02}" for i in range(len(prefixes), 0, -1)], "list order")
    # Text results: JSON text back.
    (latest_text,) = conn.execute("SELECT snapshot::text FROM pgmem_checkpoint_load(%s)", [session]).fetchone()
    check(json.loads(latest_text) == prefixes[-1], "latest checkpoint, text")
    # Binary results: decoded here from docs/FORMAT.md.
    with conn.cursor(binary=True) as cur:
        mid = len(prefixes) // 2
        (decoded,) = cur.execute(
            "SELECT snapshot FROM pgmem_checkpoint_load(%s, %s)", [session, f"turn-{mid:02}"]).fetchone()
        check(decoded == as_decimal_json(prefixes[mid - 1]), "named checkpoint, binary")
        (raw,) = cur.execute("SELECT pgmem_snapshot_send(snapshot) FROM pgmem_checkpoint_load(%s)",
                             [session]).fetchone()
    # Binary parameter: the stored bytes sent back as they came.
    conn.execute("SELECT pgmem_checkpoint_save(%s, %s, 'copy')", [session, Snapshot(raw)])
    (same,) = conn.execute("SELECT a.snapshot::jsonb = b.snapshot::jsonb FROM pgmem_checkpoint_load(%s) a, "
                           "pgmem_checkpoint_load(%s, 'copy') b", [session, session]).fetchone()
    check(same, "binary parameter round trip")
    (deleted,) = conn.execute("SELECT pgmem_checkpoint_delete(%s, 'copy')", [session]).fetchone()
    check(deleted == 1, "delete one")
    (deleted,) = conn.execute("SELECT pgmem_checkpoint_delete(%s)", [session]).fetchone()
    check(deleted == len(prefixes), "delete the session")


def episodes(conn, runs, alice, bob):
    for n, run in enumerate(runs):
        query = next(m["content"] for m in run["traj"] if m["role"] == "user")
        conn.execute("SELECT pgmem_episode_store(%s, %s, %s, %s)",
                     [alice, query, Jsonb({"plan": run["info"]["task"]["actions"]}), f"run-{n}"])
    conn.execute("SELECT pgmem_episode_store_many(%s, %s)",
                 [bob, ["Book a hotel in Seattle", "Rent a car in Seattle"]])
    found = conn.execute("SELECT episode_id FROM pgmem_episode_search(%s, %s, 100)", [alice, "flight"]).fetchall()
    check(found and all(r[0].startswith("run-") for r in found), "alice's keyword search")
    ranked = conn.execute("SELECT episode_id, score FROM pgmem_episode_similarity_search(%s, %s, 5)",
                          [alice, "please book me a flight to Seattle"]).fetchall()
    check(ranked and ranked[0][1] > 0, "alice's similarity search")
    bobs = conn.execute("SELECT content FROM pgmem_episode_similarity_search(%s, %s, 100)",
                        [bob, "please book me a flight to Seattle"]).fetchall()
    check([r[0] for r in bobs] == ["Book a hotel in Seattle", "Rent a car in Seattle"], "bob sees only his own")
    (deleted,) = conn.execute("SELECT pgmem_episode_delete(%s, 'run-0')", [bob]).fetchone()
    check(deleted is False, "bob cannot delete alice's episode")
    for user in (alice, bob):
        conn.execute("SELECT pgmem_episode_forget(%s)", [user])


def expect_error(conn, sqlstate, sql, params):
    try:
        conn.execute(sql, params)
    except psycopg.Error as e:
        check(e.sqlstate == sqlstate, f"{sql}: expected {sqlstate}, got {e.sqlstate} {e}")
    else:
        raise AssertionError(f"{sql}: expected {sqlstate}, it succeeded")
    check(conn.execute("SELECT 1").fetchone() == (1,), "connection usable after an error")


def bad_input(conn, session):
    expect_error(conn, "22P02", "SELECT pgmem_checkpoint_save(%s, %s)", [session, "{not json"])
    expect_error(conn, "22P03", "SELECT pgmem_checkpoint_save(%s, %s)", [session, Snapshot(b"PGM\x01\x01junk")])
    expect_error(conn, "42883", "SELECT pgmem_checkpoint_save(%s, %s)", [session, 42])
    # SET LOCAL in a transaction: a session-level SET would leak to other clients of a
    # transaction-mode pooler.
    try:
        with conn.transaction():
            conn.execute("SET LOCAL pgmem.max_snapshot_bytes = '64kB'")
            conn.execute("SELECT pgmem_checkpoint_save(%s, %s)", [session, Jsonb(["x" * 70000])])
    except psycopg.Error as e:
        check(e.sqlstate == "54000", f"oversize snapshot: expected 54000, got {e.sqlstate}")
    else:
        raise AssertionError("oversize snapshot: expected 54000, it succeeded")
    (n,) = conn.execute("SELECT count(*) FROM pgmem_checkpoint_list(%s)", [session]).fetchone()
    check(n == 0, "nothing stored by bad input")


def scenario(dsn, runs, tag, prepare_threshold=5):
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=prepare_threshold) as conn:
        register(conn)
        for user in (f"{tag}-alice", f"{tag}-bob"):  # a clean start, run after run
            conn.execute("SELECT pgmem_episode_forget(%s)", [user])
        for session in (f"{tag}-session", f"{tag}-bad"):
            conn.execute("SELECT pgmem_checkpoint_delete(%s)", [session])
        checkpoints(conn, runs[0], f"{tag}-session")
        episodes(conn, runs, f"{tag}-alice", f"{tag}-bob")
        bad_input(conn, f"{tag}-bad")


def pooled(dsn, runs, clients):
    """Through a transaction-mode pooler: the scenario from many clients at once, and
    each client always reading its own latest write."""
    failures = []

    def client(k):
        try:
            # PgBouncer before 1.21 cannot carry named prepared statements across
            # transactions; psycopg's own guidance is to disable them there.
            scenario(dsn, runs, f"pooled-{k}", prepare_threshold=None)
            with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
                for i in range(30):
                    conn.execute("SELECT pgmem_checkpoint_save(%s, %s)", [f"rw-{k}", json.dumps({"i": i})])
                    (seen,) = conn.execute("SELECT snapshot::jsonb->'i' FROM pgmem_checkpoint_load(%s)",
                                           [f"rw-{k}"]).fetchone()
                    check(seen == i, f"client {k} read {seen} after writing {i}")
        except Exception as e:  # reported below, with the client's number
            failures.append(f"client {k}: {e!r}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not failures, "; ".join(failures))


def standby(primary, replica, runs):
    """Reads work on a hot standby; a save fails there with 25006."""
    with psycopg.connect(primary, autocommit=True) as conn:
        conn.execute("SELECT pgmem_checkpoint_save('standby', %s, 'one')", [json.dumps(runs[0]["traj"])])
        conn.execute("SELECT pgmem_checkpoint_save('standby', '{\"sub\": 1}', 'two', checkpoint_ns => 'child:1')")
        conn.execute("SELECT pgmem_checkpoint_put_writes('standby', 'two', 'task', ARRAY['ch'], ARRAY['json'], "
                     "ARRAY['\"val\"'], checkpoint_ns => 'child:1')")
        conn.execute("SELECT pgmem_episode_store('standby-user', 'Book a flight from JFK to SEA')")
        (lsn,) = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    with psycopg.connect(replica, autocommit=True) as conn:
        register(conn)
        for _ in range(400):
            (caught_up,) = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
            if caught_up:
                break
            conn.execute("SELECT pg_sleep(0.05)")
        check(caught_up, "the standby replayed the primary's writes within 20 s")
        check(conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,), "replica is a standby")
        with conn.cursor(binary=True) as cur:
            (doc,) = cur.execute("SELECT snapshot FROM pgmem_checkpoint_load('standby')").fetchone()
        check(doc == as_decimal_json(runs[0]["traj"]), "load on the standby")
        check(conn.execute("SELECT count(*) FROM pgmem_checkpoint_list('standby')").fetchone() == (1,), "list")
        read = conn.execute("SELECT checkpoint_ns, checkpoint_id, write_channels, write_values::text[] "
                            "FROM pgmem_checkpoint_read('standby', NULL, max_rows => 10)").fetchall()
        check(read == [("child:1", "two", ["ch"], ['"val"']), ("", "one", [], [])],
              "the read of every namespace, with pending writes, on the standby")
        check(conn.execute("SELECT count(*) FROM pgmem_episode_search('standby-user', 'flight')").fetchone()
              == (1,), "search on the standby")
        check(conn.execute("SELECT count(*) FROM pgmem_episode_similarity_search('standby-user', "
                           "'book a flight')").fetchone() == (1,), "similarity search on the standby")
        expect_error(conn, "25006", "SELECT pgmem_checkpoint_save('standby', %s)", ['{"turn": 2}'])
        expect_error(conn, "25006", "SELECT pgmem_checkpoint_put_writes('standby', 'one', 't', ARRAY['c'], "
                     "ARRAY['json'], ARRAY[%s])", ['"v"'])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--traces", required=True, help="a tau-bench JSON file")
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--pooled", type=int, metavar="CLIENTS", help="run CLIENTS at once (via a pooler)")
    parser.add_argument("--standby", metavar="DSN", help="check reads and writes on this hot standby")
    args = parser.parse_args()
    with open(args.traces) as f:
        runs = json.load(f)[:3]
    if args.pooled:
        pooled(args.dsn, runs, args.pooled)
    elif args.standby:
        standby(args.dsn, args.standby, runs)
    else:
        scenario(args.dsn, runs, "python")
    print("python: ok")


if __name__ == "__main__":
    sys.exit(main())
