import type { AuditEvent } from '../audit/audit-event.js';

/** Receives every audit event after its command committed. May be async; it is not awaited. */
export type EventListener = (event: AuditEvent) => void | Promise<void>;

/** Called when a listener throws or rejects. The command has committed regardless. */
export type ListenerErrorHandler = (error: unknown, event: AuditEvent) => void;

/** Fan-out of committed events to host subscribers; a failing listener cannot affect others. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly onError: ListenerErrorHandler) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(event: AuditEvent): void {
    for (const listener of this.listeners) {
      try {
        const pending = listener(event);
        if (pending && typeof pending.then === 'function') {
          pending.then(undefined, (error: unknown) => this.report(error, event));
        }
      } catch (error) {
        this.report(error, event);
      }
    }
  }

  private report(error: unknown, event: AuditEvent): void {
    try {
      this.onError(error, event);
    } catch {
      // An error handler that itself fails must not break the command that already committed.
    }
  }
}
