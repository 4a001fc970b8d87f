//! In-database tests (`cargo pgrx test`), one file per area; each wraps its tests in
//! `#[pg_schema] mod tests`, the schema the test runner calls. Shared helpers live here.
use pgrx::prelude::*;

mod checkpoints;
mod deltas;
mod dictionaries;
mod episodes;
mod hardening;
mod namespaces;
mod search;
mod snapshot;
mod snapshot_binary;

/// The SQLSTATE `sql` fails with, or "00000"; the statement runs in a subtransaction
/// so the test can go on.
pub fn sqlstate_of(sql: &str) -> String {
    Spi::run(
        "CREATE OR REPLACE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text
         LANGUAGE plpgsql AS $$
         BEGIN EXECUTE q; RETURN '00000';
         EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$",
    )
    .expect("helper created");
    Spi::get_one_with_args::<String>("SELECT pg_temp.sqlstate_of($1)", &[sql.into()])
        .expect("helper ran")
        .expect("helper returned a SQLSTATE")
}

/// Stores an episode with the given id.
pub fn store(user: &str, content: &str, id: &str) {
    Spi::run_with_args(
        "SELECT pgmem_episode_store($1, $2, episode_id => $3)",
        &[user.into(), content.into(), id.into()],
    )
    .unwrap();
}

/// How many rows `table` holds.
pub fn rows(table: &str) -> i64 {
    Spi::get_one::<i64>(&format!("SELECT count(*) FROM {table}"))
        .expect("count ran")
        .unwrap_or(0)
}

/// Real agent runs, compiled in so the server never needs to read the checkout.
pub const TAU_BENCH: &str =
    include_str!("../../tests/data/agent-traces/taubench_gpt-4o-airline.sample.json");
pub const TAU2_BENCH: &str =
    include_str!("../../tests/data/agent-traces/tau2_toolorchestra_retail.sample.json");
pub const TOOLBENCH: &str =
    include_str!("../../tests/data/agent-traces/toolbench_cot_G1_instruction.sample.json");

/// A real tau-bench run as an agent saves it: the trajectory after each message.
pub fn turns() -> Vec<String> {
    let runs: serde_json::Value = serde_json::from_str(TAU_BENCH).unwrap();
    let traj = runs[0]["traj"].as_array().unwrap();
    (1..=traj.len())
        .map(|n| serde_json::to_string(&traj[..n]).unwrap())
        .collect()
}

/// xorshift64*: the random operations are the same on every run of a seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// The next document of a session: the last one with a message appended, and now and
/// then an earlier message shortened (agents rewrite old tool output).
pub fn next_doc(rng: &mut Rng, base: Option<&String>, turns: &[String]) -> String {
    let mut messages: Vec<serde_json::Value> = base
        .map(|b| serde_json::from_str(b).unwrap())
        .unwrap_or_default();
    let source: serde_json::Value = serde_json::from_str(&turns[rng.below(turns.len())]).unwrap();
    let source = source.as_array().unwrap();
    messages.push(source[rng.below(source.len())].clone());
    if rng.below(4) == 0 && messages.len() > 1 {
        let i = rng.below(messages.len() - 1);
        messages[i] = serde_json::json!({"role": "tool", "content": format!("(shortened {i})")});
    }
    serde_json::to_string(&messages).unwrap()
}

/// Sets pgmem.checkpoint_keyframe_interval for the rest of the transaction; says so.
pub fn set_keyframe_interval(interval: usize) -> String {
    Spi::run(&format!(
        "SET LOCAL pgmem.checkpoint_keyframe_interval = {interval}"
    ))
    .unwrap();
    format!("interval {interval}")
}

use postgres::types::{private::BytesMut, FromSql, IsNull, ToSql, Type};
use postgres::{Client, NoTls};

/// A snapshot as raw bytes on the wire, as a client that follows docs/FORMAT.md
/// would hold it.
#[derive(Debug, PartialEq)]
pub struct Raw(pub Vec<u8>);

impl ToSql for Raw {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "pgmem_snapshot"
    }

    postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "pgmem_snapshot"
    }
}

/// A client connection to the test server, as an application would open one.
pub fn connect() -> Client {
    let (port, db, user) = Spi::get_three::<i32, String, String>(
        "SELECT current_setting('port')::int, current_database()::text, current_user::text",
    )
    .unwrap();
    let config = format!(
        "host=localhost port={} dbname={} user={}",
        port.unwrap(),
        db.unwrap(),
        user.unwrap()
    );
    Client::connect(&config, NoTls).expect("test server accepts a client")
}
