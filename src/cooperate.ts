// Long synchronous work (parsing and shaping a 10,000-issue sync) would hold
// the one JavaScript thread for tens of milliseconds and every other tenant's
// light request would wait behind it (issue 19, defect 4). Loops over such
// work call `yieldEvery` so no stretch runs much past a millisecond or two.

/** Lets pending I/O (other requests) run before the caller continues. */
export const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Items handled between two yields: about 1 ms of parsing or row shaping here. */
export const YIELD_EVERY = 1000;

/** True every YIELD_EVERY items (never at 0): `if (due(i)) await yieldToOthers()`. */
export const yieldDue = (i: number): boolean => i > 0 && i % YIELD_EVERY === 0;
