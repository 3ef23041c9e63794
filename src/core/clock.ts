import { z } from 'zod';

/** An ISO-8601 UTC timestamp as produced by `Date.prototype.toISOString()`, e.g. `2026-01-31T12:00:00.000Z`. */
export type Timestamp = string;

/**
 * Source of the current time. Injected so tests can control it and domain rules stay pure.
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => new Date('2026-01-01T00:00:00Z') };
 * ```
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that stands still until moved: for tests and simulations.
 *
 * @example
 * ```ts
 * const clock = manualClock('2026-01-01T00:00:00Z');
 * clock.advance({ days: 8 });
 * ```
 */
export interface ManualClock extends Clock {
  /** Sets the current instant. */
  set(at: Date | string): void;
  /** Moves the clock forward by the given amount. */
  advance(by: { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number }): void;
}

/** Creates a {@link ManualClock} starting at `start` (default 2026-01-01T00:00:00Z). */
export function manualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: ({ days = 0, hours = 0, minutes = 0, seconds = 0, ms = 0 }) => {
      // Plain UTC milliseconds: a day is always 24 hours, whatever the host's time zone.
      current += (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000 + ms;
    },
  };
}

/**
 * Schema of an instant given as ISO 8601 with an offset (`2026-01-31T12:00:00+01:00`),
 * normalized to a UTC {@link Timestamp}. Instants outside the years 0000–9999 UTC are refused:
 * their ISO form (`+010000-…`) would not sort with the others in storage.
 */
export const TimestampSchema = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s).toISOString())
  .refine((s) => /^\d{4}-/.test(s), { message: 'must lie within the years 0000–9999 UTC' });
