import type { Timestamp } from '../core/clock.js';
import type { ResourceId, WorkspaceId } from '../core/ids.js';

/** The kinds of resource a workspace keeps track of (WS-2). Secret blocks are their own kind. */
export const RESOURCE_KINDS = [
  'flow',
  'flow-run',
  'task-run',
  'deployment',
  'work-pool',
  'work-queue',
  'worker',
  'block',
  'secret-block',
  'automation',
  'notification',
  'variable',
  'artifact',
  'concurrency-limit',
  'log',
  'saved-search',
] as const;

/** A kind of tracked resource (WS-2). */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Run states; the last four are terminal (RET-1). */
export const RUN_STATES = ['scheduled', 'pending', 'running', 'paused', 'completed', 'failed', 'crashed', 'cancelled'] as const;
/** The state of a flow or task run. */
export type RunState = (typeof RUN_STATES)[number];

/** True for the states in which a run has ended: completed, failed, crashed, cancelled (RET-1). */
export function isTerminal(state: RunState): boolean {
  return state === 'completed' || state === 'failed' || state === 'crashed' || state === 'cancelled';
}

/**
 * One resource in a workspace's inventory. The library is not an orchestrator: it keeps just
 * enough to count, delete, keep on transfer and prune by retention. Runs (`flow-run`,
 * `task-run`) carry a state and, once terminal, the time they ended.
 */
export interface TrackedResource {
  readonly id: ResourceId;
  readonly workspaceId: WorkspaceId;
  readonly kind: ResourceKind;
  readonly name: string;
  readonly createdAt: Timestamp;
  /** Runs only. */
  readonly state: RunState | null;
  /** Runs only: when the run reached a terminal state. */
  readonly endedAt: Timestamp | null;
  /** Subflow and task runs: the parent flow run, if any. Retention treats it independently. */
  readonly parentRunId: ResourceId | null;
}

/** Counts of tracked resources by kind; kinds with none are omitted. */
export type ResourceCounts = Readonly<Partial<Record<ResourceKind, number>>>;
