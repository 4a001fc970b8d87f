//! In-database tests (`cargo pgrx test`), one file per area; each wraps its tests in
//! `#[pg_schema] mod tests`, the schema the test runner calls. Shared helpers live here.
use pgrx::prelude::*;

mod checkpoints;
mod episodes;
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
