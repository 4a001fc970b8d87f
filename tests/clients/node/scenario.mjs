// The client scenario in Node with the `pg` driver: checkpoints of a real tau-bench run
// turn by turn, episodes for two users, bad input. pgmem_snapshot bytes are decoded
// here from docs/FORMAT.md with pure-JS zstd (fzstd) and CBOR (cbor-x).
//   node scenario.mjs TRACES.json   (connection from PGHOST, PGPORT, PGUSER, PGDATABASE)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pg from "pg";
import { decompress } from "fzstd";
import { addExtension, Decoder } from "cbor-x";

// Tag 4, [exponent, mantissa]: the exact decimal, read as JavaScript reads JSON numbers.
addExtension({ tag: 4, decode: ([exponent, mantissa]) => Number(`${mantissa}e${exponent}`) });
const cbor = new Decoder({ mapsAsObjects: true, int64AsType: "number" });

export function decodeSnapshot(bytes) {
  if (bytes.toString("latin1", 0, 3) !== "PGM" || bytes[3] !== 1 || bytes[4] !== 1) {
    throw new Error("not a version-1 pgmem snapshot");
  }
  const length = bytes.readUInt32BE(5);
  // A plain Uint8Array copy: fzstd misreads pooled Buffers (non-zero byteOffset).
  const doc = decompress(Uint8Array.from(bytes.subarray(9)));
  assert.equal(doc.length, length, "CBOR length does not match the header");
  return cbor.decode(doc);
}

const turns = (run) =>
  run.traj.flatMap((m, i) => (m.role === "assistant" ? [run.traj.slice(0, i + 1)] : []));
const pad = (i) => String(i).padStart(2, "0");

async function checkpoints(client, run, session) {
  const prefixes = turns(run);
  for (const [k, prefix] of prefixes.entries()) {
    const i = k + 1;
    // Odd turns: a plain string parameter (sent untyped); even: typed jsonb.
    const sql = i % 2
      ? "SELECT pgmem_checkpoint_save($1, $2, $3)"
      : "SELECT pgmem_checkpoint_save($1, $2::jsonb, $3)";
    await client.query(sql, [session, JSON.stringify(prefix), `turn-${pad(i)}`]);
  }
  const listed = await client.query("SELECT checkpoint_id FROM pgmem_checkpoint_list($1)", [session]);
  assert.deepEqual(listed.rows.map((r) => r.checkpoint_id),
    prefixes.map((_, k) => `turn-${pad(prefixes.length - k)}`));
  // Text result, through a named (server-side) prepared statement.
  const latest = await client.query({
    name: "load-latest", text: "SELECT snapshot::text AS s FROM pgmem_checkpoint_load($1)", values: [session],
  });
  assert.deepEqual(JSON.parse(latest.rows[0].s), prefixes.at(-1));
  // The stored bytes, decoded here. node-pg reads every result field as UTF-8 text (it
  // has no binary results), so they come as bytea, which pg-types hands over as a Buffer.
  const mid = Math.floor(prefixes.length / 2);
  const named = await client.query(
    "SELECT pgmem_snapshot_send(snapshot) AS b FROM pgmem_checkpoint_load($1, $2)", [session, `turn-${pad(mid)}`]);
  assert.deepEqual(decodeSnapshot(named.rows[0].b), prefixes[mid - 1]);
  // Binary parameter: a Buffer is sent in binary format, the stored bytes as they came.
  const raw = await client.query(
    "SELECT pgmem_snapshot_send(snapshot) AS b FROM pgmem_checkpoint_load($1)", [session]);
  await client.query("SELECT pgmem_checkpoint_save($1, $2, 'copy')", [session, raw.rows[0].b]);
  const same = await client.query(
    "SELECT a.snapshot::jsonb = b.snapshot::jsonb AS same FROM pgmem_checkpoint_load($1) a, " +
    "pgmem_checkpoint_load($1, 'copy') b", [session]);
  assert.equal(same.rows[0].same, true);
  const one = await client.query("SELECT pgmem_checkpoint_delete($1, 'copy') AS n", [session]);
  assert.equal(one.rows[0].n, "1");
  const all = await client.query("SELECT pgmem_checkpoint_delete($1) AS n", [session]);
  assert.equal(Number(all.rows[0].n), prefixes.length);
}

async function episodes(client, runs, alice, bob) {
  for (const [n, run] of runs.entries()) {
    const query = run.traj.find((m) => m.role === "user").content;
    await client.query("SELECT pgmem_episode_store($1, $2, $3, $4)",
      [alice, query, JSON.stringify({ plan: run.info.task.actions }), `run-${n}`]);
  }
  await client.query("SELECT pgmem_episode_store_many($1, $2)",
    [bob, ["Book a hotel in Seattle", "Rent a car in Seattle"]]);
  const found = await client.query("SELECT episode_id FROM pgmem_episode_search($1, 'flight', 100)", [alice]);
  assert.ok(found.rows.length > 0 && found.rows.every((r) => r.episode_id.startsWith("run-")));
  const question = "please book me a flight to Seattle";
  const ranked = await client.query(
    "SELECT episode_id, score FROM pgmem_episode_similarity_search($1, $2, 5)", [alice, question]);
  assert.ok(ranked.rows.length > 0 && ranked.rows[0].score > 0);
  const bobs = await client.query(
    "SELECT content FROM pgmem_episode_similarity_search($1, $2, 100)", [bob, question]);
  assert.deepEqual(bobs.rows.map((r) => r.content), ["Book a hotel in Seattle", "Rent a car in Seattle"]);
  const stolen = await client.query("SELECT pgmem_episode_delete($1, 'run-0') AS d", [bob]);
  assert.equal(stolen.rows[0].d, false);
}

async function expectError(client, sqlstate, text, values) {
  await assert.rejects(client.query(text, values), (e) => e.code === sqlstate, `${text}: ${sqlstate}`);
  assert.equal((await client.query("SELECT 1 AS one")).rows[0].one, 1);
}

async function badInput(client, session) {
  await expectError(client, "22P02", "SELECT pgmem_checkpoint_save($1, $2)", [session, "{not json"]);
  await expectError(client, "22P03", "SELECT pgmem_checkpoint_save($1, $2)", [session, Buffer.from("PGM\x01\x01junk")]);
  await expectError(client, "22P02", "SELECT count(*) FROM pgmem_checkpoint_list($1, $2)", [session, "ten"]);
  await client.query("SET pgmem.max_snapshot_bytes = '64kB'");
  await expectError(client, "54000", "SELECT pgmem_checkpoint_save($1, $2)",
    [session, JSON.stringify(["x".repeat(70000)])]);
  await client.query("RESET pgmem.max_snapshot_bytes");
  const n = await client.query("SELECT count(*)::int AS n FROM pgmem_checkpoint_list($1)", [session]);
  assert.equal(n.rows[0].n, 0);
}

const runs = JSON.parse(readFileSync(process.argv[2], "utf8")).slice(0, 3);
const client = new pg.Client();
await client.connect();
try {
  for (const user of ["node-alice", "node-bob"]) await client.query("SELECT pgmem_episode_forget($1)", [user]);
  for (const s of ["node-session", "node-bad"]) await client.query("SELECT pgmem_checkpoint_delete($1)", [s]);
  await checkpoints(client, runs[0], "node-session");
  await episodes(client, runs, "node-alice", "node-bob");
  await badInput(client, "node-bad");
  console.log("node: ok");
} finally {
  await client.end();
}
