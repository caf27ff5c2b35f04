// What every entry reads its options with: the clock, whole numbers and optional strings. One
// home, so the full and lite entries (and the gate and session over them) accept the same
// options with the same errors.

import { PermslipError } from "./error.js";

export const invalid = (message) => new PermslipError("invalid_argument", message);

// ---- The shared coarse clock ----------------------------------------------------------------
//
// Reading Date.now() on every check would cost more than the check. The clock is read at most
// once per CLOCK_CALLS checks and at least once per task: the reading is dropped at the next
// microtask checkpoint, so a check acts on a time older than the real one by at most the
// duration of the synchronous task it runs in.

const CLOCK_CALLS = 1024;
let clockMs = 0;
let clockValid = false;
let clockBudget = 0;
const dropClock = () => {
  clockValid = false;
};

/** Milliseconds since the epoch, read coarsely (see above). */
export function coarseNow() {
  if (clockValid && --clockBudget > 0) return clockMs;
  clockMs = Date.now();
  clockBudget = CLOCK_CALLS;
  if (!clockValid && typeof queueMicrotask === "function") {
    clockValid = true;
    queueMicrotask(dropClock);
  }
  return clockMs;
}

/**
 * A clock from the `now` option (milliseconds, a Date, or a function returning either), or null
 * for the coarse clock. A fixed time is checked now, a function's at each reading.
 */
export function toClock(now) {
  if (now === undefined || now === null) return null;
  const clock = () => {
    const t = typeof now === "function" ? now() : now;
    if (!(typeof t === "number" || t instanceof Date) || Number.isNaN(+t)) {
      throw invalid("`now`: expected milliseconds or a Date");
    }
    return +t;
  };
  if (typeof now !== "function" && !Number.isFinite(clock())) throw invalid("`now`: expected a finite time");
  return clock;
}

/** A whole, non-negative number option, or `fallback` when absent. */
export function whole(value, name, fallback) {
  if (value === undefined || value === null) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(`\`${name}\`: expected a non-negative integer`);
  return value;
}

/** A string option, or undefined when absent. */
export function optionalString(value, name) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`\`${name}\`: expected a string`);
  return value;
}

/** A name argument (a permission, feature, scope...): a string, or `invalid_argument`. */
export function named(value, what) {
  if (typeof value !== "string") throw invalid(`${what}: expected a string`);
  return value;
}
