//! The client scenario in Rust with tokio-postgres: checkpoints of a real tau-bench
//! run turn by turn, episodes for two users, bad input. tokio-postgres receives every
//! result in binary, so snapshots arrive as their stored bytes and are decoded here
//! from docs/FORMAT.md (zstd, then CBOR).
//!   cargo run -- TRACES.json "host=... port=... user=... dbname=..."
use bytes::BytesMut;
use serde_json::{json, Value};
use std::error::Error;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, Json, ToSql, Type};
use tokio_postgres::{Client, NoTls};

type Result<T> = std::result::Result<T, Box<dyn Error + Sync + Send>>;

/// A pgmem_snapshot as its stored bytes.
#[derive(Debug, Clone)]
struct Snapshot(Vec<u8>);

impl Snapshot {
    /// The JSON document, decoded as docs/FORMAT.md says.
    fn decode(&self) -> Result<Value> {
        let b = &self.0;
        if b.len() < 9 || &b[..3] != b"PGM" || b[3] != 1 || b[4] != 1 {
            return Err("not a version-1 pgmem snapshot".into());
        }
        let length = u32::from_be_bytes([b[5], b[6], b[7], b[8]]) as usize;
        let cbor = zstd::bulk::decompress(&b[9..], length)?;
        if cbor.len() != length {
            return Err("CBOR length does not match the header".into());
        }
        to_json(ciborium::from_reader(&cbor[..])?)
    }
}

/// CBOR as JSON: tag 4 `[exponent, mantissa]` is the decimal `mantissa`e`exponent`,
/// tags 2/3 are integers too large for 64 bits.
fn to_json(value: ciborium::Value) -> Result<Value> {
    use ciborium::Value as C;
    Ok(match value {
        C::Null => Value::Null,
        C::Bool(b) => Value::Bool(b),
        C::Text(s) => Value::String(s),
        C::Float(f) => json!(f),
        C::Integer(i) => serde_json::from_str(&i128::from(i).to_string())?,
        C::Tag(4, pair) => match *pair {
            C::Array(p) if p.len() == 2 => {
                let (exponent, mantissa) = (number_text(&p[0])?, number_text(&p[1])?);
                serde_json::from_str(&format!("{mantissa}e{exponent}"))?
            }
            _ => return Err("malformed decimal".into()),
        },
        C::Tag(2 | 3, _) => serde_json::from_str(&number_text(&value)?)?,
        C::Array(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_>>()?),
        C::Map(pairs) => Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| Ok((k.into_text().map_err(|_| "non-text key")?, to_json(v)?)))
                .collect::<Result<_>>()?,
        ),
        other => return Err(format!("unexpected CBOR item {other:?}").into()),
    })
}

/// Decimal digits of a CBOR integer or bignum.
fn number_text(value: &ciborium::Value) -> Result<String> {
    use ciborium::Value as C;
    // Bignums up to 15 bytes fit in u128 (with room for the +1 of negatives); the traces
    // need no more.
    let magnitude = |b: &ciborium::Value| -> Result<u128> {
        let bytes = b.as_bytes().ok_or("bignum is not a byte string")?;
        if bytes.len() > 15 {
            return Err("bignum too large for this client".into());
        }
        Ok(bytes.iter().fold(0u128, |v, &b| v * 256 + u128::from(b)))
    };
    match value {
        C::Integer(i) => Ok(i128::from(*i).to_string()),
        C::Tag(2, b) => Ok(magnitude(b)?.to_string()),
        C::Tag(3, b) => Ok(format!("-{}", magnitude(b)? + 1)),
        _ => Err("not an integer".into()),
    }
}

impl ToSql for Snapshot {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }
    fn accepts(ty: &Type) -> bool {
        ty.name() == "pgmem_snapshot"
    }
    tokio_postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Snapshot {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Snapshot(raw.to_vec()))
    }
    fn accepts(ty: &Type) -> bool {
        ty.name() == "pgmem_snapshot"
    }
}

fn check(condition: bool, what: &str) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(format!("failed: {what}").into())
    }
}

/// Each prefix of the run's messages that ends with an assistant message.
fn turns(run: &Value) -> Vec<Value> {
    let traj = run["traj"].as_array().cloned().unwrap_or_default();
    (0..traj.len())
        .filter(|&i| traj[i]["role"] == "assistant")
        .map(|i| Value::Array(traj[..=i].to_vec()))
        .collect()
}

async fn checkpoints(client: &Client, run: &Value, session: &str) -> Result<()> {
    let prefixes = turns(run);
    // The snapshot parameter declared jsonb: the implicit cast does the rest, no SQL cast.
    let save = client
        .prepare_typed(
            "SELECT pgmem_checkpoint_save($1, $2, $3)",
            &[Type::TEXT, Type::JSONB, Type::TEXT],
        )
        .await?;
    for (k, prefix) in prefixes.iter().enumerate() {
        client
            .execute(
                &save,
                &[&session, &Json(prefix), &format!("turn-{:02}", k + 1)],
            )
            .await?;
    }
    let listed = client
        .query(
            "SELECT checkpoint_id FROM pgmem_checkpoint_list($1)",
            &[&session],
        )
        .await?;
    let want: Vec<String> = (1..=prefixes.len())
        .rev()
        .map(|i| format!("turn-{i:02}"))
        .collect();
    check(
        listed
            .iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            == want,
        "list order",
    )?;
    let latest: Snapshot = client
        .query_one(
            "SELECT snapshot FROM pgmem_checkpoint_load($1)",
            &[&session],
        )
        .await?
        .get(0);
    check(
        latest.decode()? == prefixes[prefixes.len() - 1],
        "latest checkpoint, binary",
    )?;
    let mid = prefixes.len() / 2;
    let named: Snapshot = client
        .query_one(
            "SELECT snapshot FROM pgmem_checkpoint_load($1, $2)",
            &[&session, &format!("turn-{mid:02}")],
        )
        .await?
        .get(0);
    check(
        named.decode()? == prefixes[mid - 1],
        "named checkpoint, binary",
    )?;
    // The bytes as received, sent back as a binary pgmem_snapshot parameter.
    client
        .execute(
            "SELECT pgmem_checkpoint_save($1, $2, 'copy')",
            &[&session, &latest],
        )
        .await?;
    let same: bool = client
        .query_one(
            "SELECT a.snapshot::jsonb = b.snapshot::jsonb FROM pgmem_checkpoint_load($1) a, \
             pgmem_checkpoint_load($1, 'copy') b",
            &[&session],
        )
        .await?
        .get(0);
    check(same, "binary parameter round trip")?;
    let one: i64 = client
        .query_one("SELECT pgmem_checkpoint_delete($1, 'copy')", &[&session])
        .await?
        .get(0);
    check(one == 1, "delete one")?;
    let all: i64 = client
        .query_one("SELECT pgmem_checkpoint_delete($1)", &[&session])
        .await?
        .get(0);
    check(all as usize == prefixes.len(), "delete the session")
}

async fn episodes(client: &Client, runs: &[Value], alice: &str, bob: &str) -> Result<()> {
    for (n, run) in runs.iter().enumerate() {
        let traj = run["traj"].as_array().ok_or("traj")?;
        let query = traj
            .iter()
            .find(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_str())
            .unwrap_or("");
        let metadata = json!({ "plan": run["info"]["task"]["actions"] });
        client
            .execute(
                "SELECT pgmem_episode_store($1, $2, $3, $4)",
                &[&alice, &query, &Json(&metadata), &format!("run-{n}")],
            )
            .await?;
    }
    let bobs_contents = vec!["Book a hotel in Seattle", "Rent a car in Seattle"];
    client
        .execute(
            "SELECT pgmem_episode_store_many($1, $2)",
            &[&bob, &bobs_contents],
        )
        .await?;
    let found = client
        .query(
            "SELECT episode_id FROM pgmem_episode_search($1, 'flight', 100)",
            &[&alice],
        )
        .await?;
    check(
        !found.is_empty()
            && found
                .iter()
                .all(|r| r.get::<_, String>(0).starts_with("run-")),
        "keyword search",
    )?;
    let question = "please book me a flight to Seattle";
    let ranked = client
        .query(
            "SELECT episode_id, score FROM pgmem_episode_similarity_search($1, $2, 5)",
            &[&alice, &question],
        )
        .await?;
    check(
        !ranked.is_empty() && ranked[0].get::<_, f32>(1) > 0.0,
        "similarity search",
    )?;
    let bobs = client
        .query(
            "SELECT content FROM pgmem_episode_similarity_search($1, $2, 100)",
            &[&bob, &question],
        )
        .await?;
    check(
        bobs.iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            == bobs_contents,
        "bob sees only his own",
    )?;
    let stolen: bool = client
        .query_one("SELECT pgmem_episode_delete($1, 'run-0')", &[&bob])
        .await?
        .get(0);
    check(!stolen, "bob cannot delete alice's episode")
}

async fn expect_error(
    client: &Client,
    state: &SqlState,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<()> {
    match client.execute(sql, params).await {
        Err(e) if e.code() == Some(state) => {}
        other => return Err(format!("{sql}: expected {state:?}, got {other:?}").into()),
    }
    let one: i32 = client.query_one("SELECT 1", &[]).await?.get(0);
    check(one == 1, "connection usable after an error")
}

async fn bad_input(client: &Client, session: &str) -> Result<()> {
    let garbage = Snapshot(b"PGM\x01\x01junk".to_vec());
    expect_error(
        client,
        &SqlState::INVALID_BINARY_REPRESENTATION,
        "SELECT pgmem_checkpoint_save($1, $2)",
        &[&session, &garbage],
    )
    .await?;
    expect_error(
        client,
        &SqlState::INVALID_TEXT_REPRESENTATION,
        "SELECT pgmem_checkpoint_save($1, $2::text::pgmem_snapshot)",
        &[&session, &"{not json"],
    )
    .await?;
    expect_error(
        client,
        &SqlState::INVALID_PARAMETER_VALUE,
        "SELECT count(*) FROM pgmem_checkpoint_list($1, $2)",
        &[&session, &0i32],
    )
    .await?;
    client
        .batch_execute("SET pgmem.max_snapshot_bytes = '64kB'")
        .await?;
    let big = json!(["x".repeat(70_000)]);
    expect_error(
        client,
        &SqlState::PROGRAM_LIMIT_EXCEEDED,
        "SELECT pgmem_checkpoint_save($1, $2::jsonb)",
        &[&session, &Json(&big)],
    )
    .await?;
    client
        .batch_execute("RESET pgmem.max_snapshot_bytes")
        .await?;
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM pgmem_checkpoint_list($1)",
            &[&session],
        )
        .await?
        .get(0);
    check(n == 0, "nothing stored by bad input")
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, traces, dsn] = &args[..] else {
        return Err("usage: pgmem-client-test-rust TRACES.json DSN".into());
    };
    let runs: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(traces)?)?;
    let runs = &runs[..3];
    let (client, connection) = tokio_postgres::connect(dsn, NoTls).await?;
    tokio::spawn(connection);
    for user in ["rust-alice", "rust-bob"] {
        client
            .execute("SELECT pgmem_episode_forget($1)", &[&user])
            .await?;
    }
    for session in ["rust-session", "rust-bad"] {
        client
            .execute("SELECT pgmem_checkpoint_delete($1)", &[&session])
            .await?;
    }
    checkpoints(&client, &runs[0], "rust-session").await?;
    episodes(&client, runs, "rust-alice", "rust-bob").await?;
    bad_input(&client, "rust-bad").await?;
    println!("rust: ok");
    Ok(())
}
