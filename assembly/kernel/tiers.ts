// The tiers of Hyper-V's allocation, and what its goals pass prepares. Portable (asc and tsc).

/** The tiers in which memory is given when the targets do not all fit: every VM's minimum first, then its
 * demand (clamped to its range), then its buffer. The tier that does not fit is shared by weight. */
export const TIER_MINIMUM = 0;
export const TIER_DEMAND = 1;
export const TIER_BUFFER = 2;

/** What pass 1 prepares besides the sums, by what the last tick found: what the move keeps and wants if every VM
 * gets its target (PREPARE_MOVE, right when the targets fit), or a tier's needs (the tier's number). */
export const PREPARE_MOVE = -1;
