import { z } from 'zod';

/** One page of a list, with the cursor of the next page or `null` at the end. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Paging input: at most `limit` items (1–500, default 50) after `cursor`. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Default and maximum page sizes. */
export const PAGE_DEFAULT = 50;
/** The largest page a list returns. */
export const PAGE_MAX = 500;

/** Schema of the paging fields shared by list queries. */
export const PageRequestSchema = z.object({
  limit: z.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT),
  cursor: z.string().min(1).max(200).optional(),
});
