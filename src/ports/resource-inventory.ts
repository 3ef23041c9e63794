import type { Timestamp } from '../core/clock.js';
import type { WorkspaceId } from '../core/ids.js';
import type { ResourceCounts, TrackedResource } from '../workspace/resource.js';

/**
 * The inventory of a workspace's tracked resources (WS-2), behind its own port so a host can
 * keep them (flow runs above all) in a store of its own. It never loads a workspace's whole
 * inventory: counting and deleting work by workspace, in the storage.
 */
export interface ResourceInventory {
  /** Adds resources; their ids are new. */
  insertMany(resources: readonly TrackedResource[]): Promise<void>;
  /** Counts a workspace's resources by kind without loading them. */
  countByWorkspace(workspaceId: WorkspaceId): Promise<ResourceCounts>;
  /** Deletes every resource of a workspace and returns how many there were. */
  deleteByWorkspace(workspaceId: WorkspaceId): Promise<number>;
  /**
   * Counts the workspace's runs (resources with an `endedAt`) that ended strictly before
   * `cutoff` (RET-1, XFER-4). This is how a transfer plan counts the runs the target's
   * retention removes, so it must not grow with the workspace's history: adapters keep counts
   * of runs per workspace and end day, sum the days before the cutoff's day, and count only
   * that one day's runs in the storage.
   */
  countEndedBefore(workspaceId: WorkspaceId, cutoff: Timestamp): Promise<number>;
  /**
   * Deletes up to `limit` runs of the workspace that ended strictly before `cutoff` and returns
   * how many it deleted (RET-2): pruning in bounded batches, never loading the history. Runs
   * without an end are never deleted; a run's parent does not matter (subflows are independent).
   */
  deleteEndedBefore(workspaceId: WorkspaceId, cutoff: Timestamp, limit: number): Promise<number>;
}
