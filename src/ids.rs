//! Typed ids and the sentinel values stored in id tables, in one place.
//!
//! Several tables of the pipeline hold `u32` ids with a few reserved values at the top of
//! the range. Two of them share tables (the analyzer's token cache and the transform's
//! per-token column cache hold term ids, "stop word", "not looked up yet" and "not in the
//! vocabulary" side by side), so every reserved value is defined here, distinct from the
//! others; a table never needs more than `u32::MAX - 3` real ids.

/// Id of an interned term (the analyzer's terms, a vocabulary's entries).
pub type TermId = u32;
/// Index of an output feature (a column of the document-term matrix).
pub type Column = u32;

/// A stop word: the analyzer's token cache maps the token to no term.
pub const STOP: TermId = u32::MAX;
/// Not looked up yet: a cache slot whose token has not been analysed (or whose term has not
/// been looked up in the vocabulary) in this chunk.
pub const NOT_LOOKED_UP: u32 = u32::MAX - 1;
/// Not a term of the fitted vocabulary: looked up once, found nowhere.
pub const NOT_IN_VOCAB: u32 = u32::MAX - 2;
/// No column: a feature removed by pruning, or a slot of a column table not filled yet. Equal
/// to [`STOP`], so it never shares a table with term ids; column tables may hold it beside
/// [`NOT_IN_VOCAB`].
pub const NO_COLUMN: Column = u32::MAX;

const _: () = assert!(STOP != NOT_LOOKED_UP && STOP != NOT_IN_VOCAB && NOT_LOOKED_UP != NOT_IN_VOCAB);
