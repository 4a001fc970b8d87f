//! The size limits of identifiers and result pages, defined here once. The SQL
//! functions and the tables' CHECK constraints ask for them by argument name
//! (`pgmem_checked_id`, `pgmem_id_fits`), so no limit is written twice.

/// Characters in a `user_id` or `session_id`: names that own rows.
pub const MAX_OWNER_ID_CHARS: usize = 255;
/// Characters in a `checkpoint_id`, `parent_id` or `episode_id`.
pub const MAX_ITEM_ID_CHARS: usize = 64;
/// Rows a single list or search call returns.
pub const MAX_ROWS: i32 = 10_000;

/// The limit on the identifier an argument names (`episode_ids[3]` is an episode id).
pub fn max_id_chars(argument: &str) -> usize {
    match argument {
        "user_id" | "session_id" => MAX_OWNER_ID_CHARS,
        _ => MAX_ITEM_ID_CHARS,
    }
}
