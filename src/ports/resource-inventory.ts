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
}
