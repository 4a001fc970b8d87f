//! The size limits of identifiers and result pages, defined here once. The SQL
//! functions and the tables' CHECK constraints ask for them by argument name
//! (`pgmem_checked_id`, `pgmem_id_fits`), so no limit is written twice.

/// Characters in a `user_id` or `session_id`: names that own rows.
pub const MAX_OWNER_ID_CHARS: usize = 255;
/// Characters in a `checkpoint_id`, `parent_id` or `episode_id`.
pub const MAX_ITEM_ID_CHARS: usize = 64;
/// Characters in a `checkpoint_ns`: LangGraph nests subgraph names and task ids in it.
pub const MAX_NAMESPACE_CHARS: usize = 1024;
/// Rows a single list or search call returns.
pub const MAX_ROWS: i32 = 10_000;

/// The limit on the identifier an argument names (`episode_ids[3]` is an episode id).
pub fn max_id_chars(argument: &str) -> usize {
    match argument {
        "user_id" | "session_id" | "source_session_id" | "target_session_id" => MAX_OWNER_ID_CHARS,
        "checkpoint_ns" => MAX_NAMESPACE_CHARS,
        _ => MAX_ITEM_ID_CHARS,
    }
}

/// The shortest identifier an argument accepts: a namespace may be empty (the root
/// namespace, `''`), every other identifier has at least one character.
pub fn min_id_chars(argument: &str) -> usize {
    usize::from(argument != "checkpoint_ns")
}
