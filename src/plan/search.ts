// Searches over whole numbers where the answer is monotone: more VMs only add demand (so once a count misses a
// target, larger counts miss it too), more host memory only adds room. Galloping from a first guess brackets the
// limit in a few runs, bisection closes it; the bracket's ends, the answer and the next one up, are both run, which
// is the confirmation.

/** Where a search stands: `lo` passes, `hi` fails (or is beyond the bound, not run yet). */
export interface SearchState {
  lo: number;
  hi: number;
  /** Runs this search probably still needs. */
  remaining: number;
}

export interface SearchResult {
  /** The largest passing value (0 if even 1 fails). */
  value: number;
  /** The search reached its bound without a failing value. */
  bounded: boolean;
}

const remainingOf = (lo: number, hi: number, max: number) =>
  hi > max ? 2 : Math.max(0, Math.ceil(Math.log2(Math.max(1, hi - lo))));

/**
 * The largest n in 1…max for which `ok(n)` holds, when ok holds up to some n and fails beyond (0 counts as
 * passing and is never run). Probes one value at a time: the runs made do not depend on how many workers there are.
 * The gallop's first step is an eighth of the guess unless `firstStep` says otherwise.
 */
export async function lastPassing(
  ok: (n: number) => Promise<boolean>,
  guess: number,
  max: number,
  onStep: (state: SearchState) => void = () => {},
  firstStep = Math.max(1, Math.ceil(guess / 8)),
): Promise<SearchResult> {
  let lo = 0;
  let hi = max + 1;
  const probe = async (n: number) => {
    onStep({ lo, hi, remaining: remainingOf(lo, hi, max) });
    const passed = await ok(n);
    if (passed) lo = n;
    else hi = n;
    return passed;
  };
  let step = firstStep;
  const first = Math.min(Math.max(1, guess), max);
  if (await probe(first)) {
    // Gallop up: steps double until a value fails or the bound is reached.
    while (lo < max && hi > max) {
      await probe(Math.min(lo + step, max));
      step *= 2;
    }
  } else {
    // Gallop down.
    while (hi > 1 && lo === 0) {
      await probe(Math.max(hi - step, 1));
      step *= 2;
    }
  }
  while (hi - lo > 1 && hi <= max) await probe(Math.floor((lo + hi) / 2));
  onStep({ lo, hi, remaining: 0 });
  return { value: lo, bounded: lo === max };
}
