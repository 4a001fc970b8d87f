"""Part: delta checkpoints under concurrency.

Clients save, branch, save over, delete, prune and expire checkpoints of the same few
sessions at once, while readers load them; every checkpoint a client saved and nobody
deleted must load back as saved, and no call may fail (no XX001, no deadlock). Each
client owns the ids it writes, so the last document it saved under an id is the one
that id must hold."""
import json
import random
import threading

import psycopg

from common import alarming_log_lines, check, describe, run_threads, say

DB = "pgmem_stress_deltas"
SESSIONS = [f"shared-{n}" for n in range(3)]
CLIENTS = 6
STEPS = 300  # calls per client
READERS = 2


def document(rng, base):
    """The next turn of an agent: the base's messages and one more, and now and then an
    earlier message shortened, as agents do with old tool output."""
    messages = list(base.get("messages", [])) if base else []
    messages.append({"role": rng.choice(["user", "assistant", "tool"]),
                     "content": " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))})
    if len(messages) > 2 and rng.random() < 0.2:
        i = rng.randrange(len(messages) - 1)
        messages[i] = {"role": "tool", "content": f"(shortened {i})"}
    return {"messages": messages[-40:]}


WORDS = ("flight seattle booking refund baggage passenger economy cancel change date "
         "reservation payment certificate member gold silver upgrade seat window aisle").split()


def client(k, server, saved, lock):
    rng = random.Random(k)
    with server.connect(DB) as conn:
        for step in range(STEPS):
            session = rng.choice(SESSIONS)
            ids = [r[0] for r in conn.execute(
                "SELECT checkpoint_id FROM pgmem_checkpoint_list(%s, 10000)", [session])]
            mine = [i for i in ids if i.startswith(f"c{k}-")]
            op = rng.random()
            if op < 0.65:
                parent = rng.choice(ids) if ids and rng.random() < 0.5 else None
                cid = rng.choice(mine) if mine and rng.random() < 0.15 else f"c{k}-{step}"
                row = conn.execute("SELECT snapshot::text FROM pgmem_checkpoint_load(%s, %s)",
                                   [session, parent]).fetchone() if parent else None
                doc = json.dumps(document(rng, json.loads(row[0]) if row else None))
                save = rng.choice(["pgmem_checkpoint_save(%s, %s::text::pgmem_snapshot",
                                   "pgmem_checkpoint_save_json(%s, %s"])
                conn.execute(f"SELECT {save}, %s, parent_id => %s)", [session, doc, cid, parent])
                with lock:
                    saved[(session, cid)] = doc
            elif op < 0.85 and ids:
                conn.execute("SELECT pgmem_checkpoint_delete(%s, %s)", [session, rng.choice(ids)])
            elif op < 0.97:
                conn.execute("SELECT pgmem_checkpoint_prune(ARRAY[%s], %s)", [session, rng.randint(2, 6)])
            else:
                conn.execute("SELECT pgmem_checkpoint_expire('0', keep_latest => true, max_rows => 3)")


def reader(k, server, stop, errors):
    rng = random.Random(1000 + k)
    with server.connect(DB) as conn:
        while not stop.is_set():
            session = rng.choice(SESSIONS)
            try:
                ids = [r[0] for r in conn.execute(
                    "SELECT checkpoint_id FROM pgmem_checkpoint_list(%s, 10000)", [session])]
                target = rng.choice(ids) if ids else None
                conn.execute("SELECT snapshot::text FROM pgmem_checkpoint_load(%s, %s)",
                             [session, target]).fetchall()
            except psycopg.Error as e:
                errors.append(describe(e))
                return


def run(server):
    server.fresh_database(DB)
    offset = server.log_offset()
    saved, lock = {}, threading.Lock()
    stop, errors = threading.Event(), []
    readers = [threading.Thread(target=reader, args=(k, server, stop, errors), daemon=True)
               for k in range(READERS)]
    for t in readers:
        t.start()
    failures = run_threads(client, CLIENTS, server, saved, lock)
    stop.set()
    for t in readers:
        t.join(30)
    check(not failures, "; ".join(failures))
    check(not errors, f"a reader failed: {errors[:1]}")
    with server.connect(DB) as conn:
        rows = conn.execute(
            "SELECT c.session_id, c.checkpoint_id, l.snapshot::text, c.base_id IS NULL "
            "FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l").fetchall()
        (total,) = conn.execute("SELECT count(*) FROM pgmem_checkpoints").fetchone()
    check(len(rows) == total, f"{total} rows, {len(rows)} load")
    wrong = [(s, c) for s, c, text, _ in rows if (s, c) not in saved or json.loads(text) != json.loads(saved[(s, c)])]
    check(not wrong, f"{len(wrong)} checkpoints do not load as last saved, e.g. {wrong[:3]}")
    keyframes = sum(1 for *_, key in rows if key)
    alarms = alarming_log_lines(server.log_since(offset))
    check(not alarms, f"server log: {alarms[:3]}")
    say("deltas", f"{CLIENTS} writers x {STEPS} calls and {READERS} readers on {len(SESSIONS)} sessions: "
                  f"{total} checkpoints left ({keyframes} keyframes), all load as last saved")
