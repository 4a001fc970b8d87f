"""Recall of episode search on a labelled set built from real agent traces.

A question is something a user asks later about one of their own earlier episodes.
Episodes: one per tau-bench run and per tau2 simulation (the conversation's first user
message and the agent's closing answer), owned by the user the conversation is about;
ToolBench episodes (query and final answer) are spread over the same users as
distractors, DISTRACTORS_PER_USER each. Questions come from a different text than the
episodes: the task's instruction (tau-bench) or the user scenario's reason for the call
(tau2), without its identity boilerplate and its role-play directions, in the first
person: its opening sentences ("opening") and the sentences after them ("later").
A question's relevant episodes are every episode of its task owned by its user, and of
the user's tasks that open with the same sentence (variants of one request).

The tau2 files' simulations do not follow the scenario their task_id names, so a
simulation is tied to its scenario by identity (the user id, name or email it looks
up) and, among one user's scenarios, by the words its user says: every scenario within
LINK_MARGIN of the best counts. tau2's airline scenarios are tau-bench's, rewritten, so
its airline simulations are tied to tau-bench's tasks.

Rankers on the same rows: pgmem_episode_similarity_search (BM25), a hand-written
full-text search (any word of the question, ts_rank_cd) on pgmem's own terms column,
and bm25s (k1 = 1.2, b = 0.75, English stemmer and stop words) over each user's
episodes in Python; where the database has pgmem_vector, also
pgmem_episode_vector_search on the question's embedding (all-MiniLM-L6-v2,
bench/embed.py; episodes stored with theirs) and pgmem_episode_hybrid_search (BM25 and
vector fused), the latter also for each pair of weights in HYBRID_WEIGHTS. Metrics over
the top 10: recall@1, recall@5 (a relevant episode among the first 1 or 5) and MRR.
"""
import argparse
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import ROOT, corpus_file, load_runs, traces_dir  # noqa: E402
from embed import Embedder, literal  # noqa: E402

TOP_K = 10
DISTRACTORS_PER_USER = 30
LINK_MARGIN = 0.1
# A question: at least this many words of the scenario's opening sentences, at most CAP.
MIN_WORDS, CAP_WORDS = 12, 40

PGMEM_SQL = "SELECT episode_id FROM pgmem_episode_similarity_search(%s, %s, 10)"
VECTOR_SQL = "SELECT episode_id FROM pgmem_episode_vector_search(%s, %s::vector, 10)"
HYBRID_SQL = "SELECT episode_id FROM pgmem_episode_hybrid_search(%s, %s, %s::vector, 10, %s::real, %s::real)"
# (lexical_weight, vector_weight) pairs the hybrid ranker is also measured with, to
# choose its defaults; (1, 1) is the default.
HYBRID_WEIGHTS = ((1, 1), (1, 0.75), (1, 0.5), (0.75, 1), (0.5, 1))
# Any word of the question, as plainto_tsquery reads it; NULL (no rows) when it has none.
ANY_WORD = "nullif(replace(plainto_tsquery('english', {})::text, ' & ', ' | '), '')::tsquery"
TS_RANK_SQL = f"""
    SELECT e.episode_id FROM pgmem_episodes e, (SELECT {ANY_WORD.format('%s')} AS q) w
    WHERE e.user_id = %s AND e.terms @@ w.q
    ORDER BY ts_rank_cd(e.terms, w.q) DESC, e.inserted_at DESC, e.episode_id DESC LIMIT 10"""

USER_ID = re.compile(r"\b[a-z]+_[a-z]+_\d{4}\b")
STOP = set("a an and are as at be but by can could do does for from has have i if in is it "
           "like me my not of on or so that the this to want will with would you your".split())


# --- trace texts ----------------------------------------------------------------------

def optional_corpus(name):
    try:
        return json.loads(corpus_file(name).read_text())
    except StopIteration:
        return None


def said(content):
    """What a message says: tau2 agents answer in JSON whose "message" is the text."""
    text = (content or "").strip()
    if text.startswith("{"):
        try:
            value = json.loads(text, strict=False)
        except ValueError:
            return text
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"].strip()
    return text


def user_texts(messages):
    return [said(m.get("content")).replace("###STOP###", "").replace("###TRANSFER###", "").strip()
            for m in messages if m["role"] == "user" and m.get("content")]


def closing(messages):
    """The agent's closing answer: its last text message of some length (the very last
    is often a pleasantry after the user's thanks)."""
    answers = [said(m.get("content")) for m in messages if m["role"] == "assistant" and m.get("content")]
    answers = [a for a in answers if a]
    return next((a for a in reversed(answers) if len(a.split()) >= 15), answers[-1] if answers else "")


def conversation_episode(messages):
    """As an agent stores a finished conversation: the request, then the outcome."""
    first = next(t for t in user_texts(messages) if t)
    return f"{first}\n\n{closing(messages)}".strip()


def toolbench_answer(raw):
    try:
        value = json.loads(raw, strict=False)
    except ValueError:
        return raw
    return value.get("final_answer", "") if isinstance(value, dict) else str(value)


def toolbench_episodes():
    """(id, content) of every ToolBench episode: its query and final answer."""
    out = []
    for path in sorted(traces_dir().glob("toolbench_*.json")):
        stem = path.name.removesuffix(".json").removesuffix(".sample").removeprefix("toolbench_cot_")
        for key, e in json.loads(path.read_text()).items():
            answer = toolbench_answer(e["answer"].get("final_answer") or "")
            out.append((f"toolbench-{stem}-{key}", f"{e['query']}\n\n{answer}".strip()))
    return out


# --- questions from scenarios ---------------------------------------------------------

IDENTITY_OPENING = re.compile(
    r"^(?:You|You're)\s+(?:are\s+)?(?:user\s+)?"
    r"(?:'?[a-z]+_[a-z]+_\d+'?|[A-Z][a-z]+(?: [A-Z][a-z]+)?(?:\s*\([^)]*\))?)"
    r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\.\s*|$)")
IDENTITY_SENTENCE = re.compile(r"^(?:Your|You)\s+(?:user id|name|email|zip)", re.I)
# After a subject "you" comes a verb; after an object "you", these or the end of a clause.
OBJECT_FOLLOW = set("a about an and as at but by for from if in into more of on or so than that the "
                    "this those to too with".split())
# Role-play directions to the simulated user (how to behave on the call), not the request.
DIRECTION = re.compile(r"\bagent\b|^(?:Be|Do not|Don't|Insist|Try|Use|Say|Tell|Act|Pretend|Make sure|Mention)\b"
                       r"|^(?:When|If) asked\b|\b(?:persistent\w*|terse|tactics|persona|polite|rude|insist\w*|respond\w*)\b",
                       re.I)


def first_person(sentence):
    """The scenario's second person as the user would say it."""
    s = re.sub(r"\byou're\b", "I'm", sentence, flags=re.I)
    s = re.sub(r"\byou are\b", "I am", s, flags=re.I)
    s = re.sub(r"\byou were\b", "I was", s, flags=re.I)
    s = re.sub(r"\byourself\b", "myself", s, flags=re.I)
    s = re.sub(r"\byours\b", "mine", s, flags=re.I)
    s = re.sub(r"\byour\b", "my", s, flags=re.I)
    s = re.sub(r"\bYour\b", "My", s)

    def pronoun(m):
        after = re.match(r"\s*([A-Za-z']+)", s[m.end():])
        return "me" if not after or after.group(1).lower() in OBJECT_FOLLOW else "I"
    s = re.sub(r"\byou\b", pronoun, s, flags=re.I)
    return s[:1].upper() + s[1:]


def sentences(text):
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", " ".join(text.split()))
    out = []
    for p in parts:
        if IDENTITY_SENTENCE.match(p):
            continue
        p = re.sub(r"^Mention that\s+", "", IDENTITY_OPENING.sub("", p).strip())
        if len(p.split()) >= 3 and not DIRECTION.search(p):
            out.append(first_person(p))
    return out


def question_texts(scenario):
    """Two questions from a scenario: its opening sentences ("opening") and the next
    ones ("later"), each at least MIN_WORDS words when the text has them, at most CAP_WORDS."""
    rest = sentences(scenario)
    out = {}
    for variant in ("opening", "later"):
        words = []
        while rest and len(words) < MIN_WORDS:
            words += rest.pop(0).split()
        if len(words) >= 6:
            out[variant] = " ".join(words[:CAP_WORDS])
    return out


# --- who a conversation is about --------------------------------------------------------

def scenario_identity(text):
    """User ids, their name parts (first_last), names and emails a scenario states."""
    ids = set(USER_ID.findall(text))
    ids |= {u.rsplit("_", 1)[0] for u in ids}
    ids |= {f"{a}_{b}".lower() for a, b in re.findall(r"\b([A-Z][a-z]+) ([A-Z][a-z]+)\b", text)}
    ids |= {e.lower().rstrip(".,") for e in re.findall(r"[\w.+-]+@[\w.-]+", text)}
    return ids


def simulation_owner(messages):
    """The user id the agent looked up most (tool arguments and results, the user's own
    words), and every identity the conversation states."""
    ids, seen = Counter(), set()
    for m in messages:
        for call in m.get("tool_calls") or []:
            args = call.get("arguments") or call.get("function", {}).get("arguments") or {}
            if isinstance(args, str):
                args = json.loads(args or "{}")
            if isinstance(args.get("user_id"), str):
                ids[args["user_id"]] += 1
            if isinstance(args.get("email"), str):
                seen.add(args["email"].lower())
            if "first_name" in args and "last_name" in args:
                seen.add(f"{args['first_name']}_{args['last_name']}".lower())
        content = (m.get("content") or "").strip()
        if m["role"] == "tool" and USER_ID.fullmatch(content):
            ids[content] += 1
        if m["role"] == "user":
            ids.update(USER_ID.findall(content))
    seen |= set(ids) | {u.rsplit("_", 1)[0] for u in ids}
    owner = max(ids, key=lambda u: (ids[u], -list(ids).index(u))) if ids else None
    return owner, seen


def content_words(text):
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in STOP}


def link(messages, seen, scenarios):
    """The scenarios (key -> (identity, text)) a simulation follows: those of the same
    identity whose words its user says most, within LINK_MARGIN of the best."""
    said_words = content_words(" ".join(user_texts(messages)))
    scores = {}
    for key, (identity, text) in scenarios.items():
        if identity & seen:
            words = content_words(text)
            scores[key] = len(words & said_words) / max(1, len(words))
    best = max(scores.values(), default=0)
    return sorted(k for k, s in scores.items() if s >= best - LINK_MARGIN and s > 0)


# --- the set ------------------------------------------------------------------------------

def coprime_step(n, start=101):
    step = start
    while math.gcd(step, n) != 1:
        step += 1
    return step


def build(distractors_per_user=DISTRACTORS_PER_USER):
    """The recall set: users (in load order), episodes per user (in store order) and
    questions, from whichever trace files are present."""
    episodes = []   # dicts: id, user, source, content, tasks
    scenarios = {}  # task key -> (owner or None, identity, text)
    runs = load_runs()
    for r in runs:
        task = r["info"]["task"]
        key = f"tau-airline-{r['task_id']}"
        owner = task["user_id"]
        scenarios[key] = (owner, scenario_identity(task["instruction"]) | {owner, owner.rsplit("_", 1)[0]},
                          task["instruction"])
        episodes.append({"id": f"tau-airline-{r['task_id']}-{r['trial']}", "user": owner, "source": "tau-bench",
                         "content": conversation_episode(r["traj"]), "tasks": [key]})
    tau2 = []
    for domain in ("airline", "retail"):
        data = optional_corpus(f"tau2_toolorchestra_{domain}")
        if not data:
            continue
        if domain == "airline":
            # tau2's airline scenarios are tau-bench's, rewritten: link to those above.
            pool = {k: (v[1], v[2]) for k, v in scenarios.items() if k.startswith("tau-airline-")}
        else:
            pool = {}
            for t in data["tasks"]:
                ins = t["user_scenario"]["instructions"]
                key = f"tau2-{domain}-{t['id']}"
                scenarios[key] = (None, scenario_identity(ins.get("known_info") or ""), ins["reason_for_call"])
                pool[key] = (scenarios[key][1], ins["reason_for_call"])
        for s in data["simulations"]:
            owner, seen = simulation_owner(s["messages"])
            tau2.append({"id": f"tau2-{domain}-sim-{s['id']}", "user": owner, "source": f"tau2 {domain}",
                         "content": conversation_episode(s["messages"]),
                         "tasks": link(s["messages"], seen, pool) if owner else []})
    users = sorted({e["user"] for e in episodes + tau2 if e["user"]})
    for i, e in enumerate(e for e in tau2 if not e["user"]):
        e["user"] = users[i % len(users)]  # nobody identified: spread
    episodes += tau2
    # Distractors: each user gets its own slice of ToolBench, by a fixed formula.
    tools = toolbench_episodes()
    step = coprime_step(len(tools))
    for j, user in enumerate(users):
        for i in range(min(distractors_per_user, len(tools))):
            eid, content = tools[(j * 7919 + i * step) % len(tools)]
            episodes.append({"id": eid, "user": user, "source": "ToolBench", "content": content, "tasks": []})
    by_user = {u: [] for u in users}
    for e in episodes:
        by_user[e["user"]].append(e)
    for user, rows in by_user.items():
        rows.sort(key=lambda e: e["id"])
        random.Random(f"recall {user}").shuffle(rows)  # store order: mixed, fixed
    # Questions: one per (user, question text). Relevant: that user's episodes of every
    # scenario of the same family, the scenarios of the user that open with the same
    # sentence (variants of one request, which a simulation cannot be told apart by).
    family = {key: (sentences(text) or [text])[0].lower() for key, (_, _, text) in scenarios.items()}
    relevant = {}
    for e in episodes:
        for key in e["tasks"]:
            relevant.setdefault((e["user"], family[key]), set()).add(e["id"])
    merged = {}
    for key, (owner, _, text) in sorted(scenarios.items()):
        users_of = [owner] if owner else sorted({e["user"] for e in episodes if key in e["tasks"]})
        for user in users_of:
            ids = relevant.get((user, family[key]))
            if not ids:
                continue
            for variant, question in question_texts(text).items():
                q = merged.setdefault((user, variant, question), {"tasks": [], "relevant": set()})
                q["tasks"].append(key)
                q["relevant"] |= ids
    questions = [{"id": f"q{n}", "user": user, "variant": variant, "question": question,
                  "tasks": q["tasks"], "relevant": sorted(q["relevant"])}
                 for n, ((user, variant, question), q) in enumerate(sorted(merged.items()), 1)]
    counts = {
        "users": len(users),
        "episodes": len(episodes),
        "episodes by source": dict(sorted(Counter(e["source"] for e in episodes).items())),
        "tau2 simulations linked to a scenario": sum(bool(e["tasks"]) for e in tau2),
        "tau2 simulations": len(tau2),
        "episodes per user (min, median, max)": spread_of([len(v) for v in by_user.values()]),
        "questions": len(questions),
        "questions by variant": dict(sorted(Counter(q["variant"] for q in questions).items())),
        "questions by source": dict(sorted(Counter(q["tasks"][0].rsplit("-", 1)[0] for q in questions).items())),
        "relevant per question (min, median, max)": spread_of([len(q["relevant"]) for q in questions]),
    }
    return {"users": users, "episodes": by_user, "questions": questions, "counts": counts}


def spread_of(values):
    v = sorted(values)
    return [v[0], v[len(v) // 2], v[-1]] if v else []


def held_out_texts():
    """User messages of the traces that no episode holds (every one after the first)."""
    out = [t for r in load_runs() for t in user_texts(r["traj"])[1:]]
    for domain in ("airline", "retail"):
        data = optional_corpus(f"tau2_toolorchestra_{domain}")
        for s in (data or {}).get("simulations", []):
            out += user_texts(s["messages"])[1:]
    return [t for t in out if t]


# --- loading and ranking ----------------------------------------------------------------

def load(conn, recall_set, embed=None):
    """The set's episodes into an empty pgmem_episodes, one store_many per user; with
    embed (texts -> vectors), each with its embedding (pgmem_vector)."""
    # CASCADE: pgmem_vector's embeddings refer to the episodes.
    conn.execute("TRUNCATE pgmem_episodes CASCADE")
    if embed:
        texts = sorted({e["content"] for rows in recall_set["episodes"].values() for e in rows})
        vectors = dict(zip(texts, map(literal, embed(texts))))  # in one call: one cache file
    with conn.transaction():
        for user in recall_set["users"]:
            rows = recall_set["episodes"][user]
            contents, ids = [e["content"] for e in rows], [e["id"] for e in rows]
            if embed:
                conn.execute("SELECT pgmem_episode_store_many_embedded(%s, %s, %s::vector[], NULL::jsonb[], %s)",
                             (user, contents, [vectors[c] for c in contents], ids))
            else:
                conn.execute("SELECT pgmem_episode_store_many(%s, %s, NULL::jsonb[], %s)", (user, contents, ids))
    conn.execute("VACUUM ANALYZE pgmem_episodes")
    if embed:
        conn.execute("VACUUM ANALYZE pgmem_episode_embeddings")


def sql_ranker(conn, query, flip=False):
    def rank(user, question):
        params = (question, user) if flip else (user, question)
        return [r[0] for r in conn.execute(query, params).fetchall()]
    return rank


def vector_ranker(conn, vectors):
    """pgmem_episode_vector_search with the question's embedding."""
    return lambda user, question: [r[0] for r in conn.execute(VECTOR_SQL, (user, vectors[question])).fetchall()]


def hybrid_ranker(conn, vectors, weights=(1, 1)):
    """pgmem_episode_hybrid_search with the question and its embedding."""
    return lambda user, question: [r[0] for r in conn.execute(
        HYBRID_SQL, (user, question, vectors[question], *weights)).fetchall()]


def bm25s_ranker(recall_set):
    """bm25s per user, over the user's episodes in store order; ties newest first."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    tokenize = lambda texts: bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, return_ids=False,
                                            show_progress=False)
    indexes = {}
    for user, rows in recall_set["episodes"].items():
        index = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
        index.index(tokenize([e["content"] for e in rows]), show_progress=False)
        indexes[user] = (index, [e["id"] for e in rows])

    def rank(user, question):
        index, ids = indexes[user]
        tokens = [t for t in tokenize([question])[0] if t in index.vocab_dict]
        if not tokens:
            return []
        scores = index.get_scores(tokens)
        order = sorted((i for i in range(len(ids)) if scores[i] > 0), key=lambda i: (-scores[i], -i))
        return [ids[i] for i in order[:TOP_K]]
    return rank


def metrics(rank, questions):
    hits1 = hits5 = rr = 0.0
    for q in questions:
        relevant = set(q["relevant"])
        found = rank(q["user"], q["question"])[:TOP_K]
        first = next((i for i, eid in enumerate(found, 1) if eid in relevant), None)
        hits1 += first == 1
        hits5 += first is not None and first <= 5
        rr += 1 / first if first else 0
    n = len(questions)
    return {"questions": n, "recall@1": hits1 / n, "recall@5": hits5 / n, "MRR": rr / n}


RANKERS = ("pgmem", "ts_rank_cd", "bm25s", "vector", "hybrid")


def has_vector(conn):
    return conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pgmem_vector'").fetchone()[0] > 0


def weights_name(weights):
    return "/".join(f"{w:g}" for w in weights)


def evaluate(conn, recall_set, embed=None, hybrid_weights=HYBRID_WEIGHTS):
    """Load the set and measure the rankers, per ranker overall and per variant: the
    lexical ones, and with embed (texts -> vectors; needs pgmem_vector) vector and
    hybrid search. Returns (rankers, {"lexical/vector" weights: hybrid's metrics})."""
    load(conn, recall_set, embed)
    rankers = {
        "pgmem": sql_ranker(conn, PGMEM_SQL),
        "ts_rank_cd": sql_ranker(conn, TS_RANK_SQL, flip=True),
        "bm25s": bm25s_ranker(recall_set),
    }
    questions = recall_set["questions"]
    sweep = {}
    if embed:
        texts = [q["question"] for q in questions]
        vectors = dict(zip(texts, map(literal, embed(texts))))
        rankers |= {"vector": vector_ranker(conn, vectors), "hybrid": hybrid_ranker(conn, vectors)}
        sweep = {weights_name(w): metrics(hybrid_ranker(conn, vectors, w), questions) for w in hybrid_weights}
    out = {}
    for name, rank in rankers.items():
        out[name] = metrics(rank, questions)
        out[name]["by variant"] = {v: metrics(rank, [q for q in questions if q["variant"] == v])
                                   for v in sorted({q["variant"] for q in questions})}
    return out, sweep


def write_set(recall_set, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "counts": recall_set["counts"],
        "questions": recall_set["questions"],
        "episodes": {u: [{k: e[k] for k in ("id", "source", "tasks", "content")} for e in rows]
                     for u, rows in recall_set["episodes"].items()},
    }, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--set-out", type=Path, default=ROOT / "target" / "bench" / "recall-set.json")
    parser.add_argument("--hybrid-weights", type=parse_weights, default=HYBRID_WEIGHTS,
                        help="lexical/vector weight pairs for hybrid search, e.g. 1/1,1/0.5")
    args = parser.parse_args()
    recall_set = build()
    write_set(recall_set, args.set_out)
    print(json.dumps(recall_set["counts"], indent=1))
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        embed = Embedder() if has_vector(conn) else None
        rankers, sweep = evaluate(conn, recall_set, embed, args.hybrid_weights)
        print(json.dumps({"rankers": rankers, "hybrid weights": sweep}, indent=1))


def parse_weights(text):
    """"1/1,1/0.5" -> ((1.0, 1.0), (1.0, 0.5))"""
    return tuple(tuple(float(w) for w in pair.split("/")) for pair in text.split(","))


if __name__ == "__main__":
    main()
