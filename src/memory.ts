// workspace-kit/memory: the in-memory storage adapter.
export { createMemoryStore } from './adapters/memory/memory-store.js';
export type { MemoryStore, MemoryStoreSnapshot } from './adapters/memory/memory-store.js';
