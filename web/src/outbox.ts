// Messages sent but not yet acked (the contract's delivery rule): kept until
// their id appears in an `acks` event, published again with the same id after
// every reconnect and after 30 s without an ack while connected. Kept in
// sessionStorage too, so that reloading the tab loses nothing.
import type { Address } from './protocol';

export interface OutgoingMessage {
  id: string;
  address: Address;
  chat: number | null;
  topic: string;
  payload: Record<string, unknown>;
  publishedAt: number; // 0: not published yet (offline)
}

export const kResendAfterMs = 30_000;

export class Outbox {
  private readonly messages = new Map<string, OutgoingMessage>();

  constructor(private readonly storageKey: string) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? '[]') as OutgoingMessage[];
      for (const message of saved) this.messages.set(message.id, message);
    } catch {
      // Nothing usable saved.
    }
  }

  add(message: OutgoingMessage): void {
    this.messages.set(message.id, message);
    this.save();
  }

  // True when the id was ours and waiting.
  acked(id: string): boolean {
    const had = this.messages.delete(id);
    if (had) this.save();
    return had;
  }

  // A nacked message is not stored and must not be resent.
  drop(id: string): OutgoingMessage | undefined {
    const message = this.messages.get(id);
    if (message) {
      this.messages.delete(id);
      this.save();
    }
    return message;
  }

  has(id: string): boolean {
    return this.messages.has(id);
  }

  all(): OutgoingMessage[] {
    return [...this.messages.values()];
  }

  // Those to publish now: all after a reconnect, else those waiting too long.
  due(now: number, afterReconnect: boolean): OutgoingMessage[] {
    return this.all().filter((m) => afterReconnect || m.publishedAt === 0 || now - m.publishedAt >= kResendAfterMs);
  }

  markPublished(id: string, now: number): void {
    const message = this.messages.get(id);
    if (message) {
      message.publishedAt = now;
      this.save();
    }
  }

  private save(): void {
    sessionStorage.setItem(this.storageKey, JSON.stringify(this.all()));
  }
}
