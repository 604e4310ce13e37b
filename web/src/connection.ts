// The MQTT connection through the WebSocket gateway, by the contract's rules
// (docs/protocol.md): client id {uid}:{device}, the token as password, the
// `offline` will on st/{uid}/{device} and `online` after CONNACK, the own
// subscriptions (MQTT 5, No Local), requests answered on u/{uid}/rsp/{device},
// and reconnects with a back-off (a connection closed without CONNACK means
// "server unavailable": retry; CONNACK "not authorized" means the token is
// no good: stop).
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type Uid } from './protocol';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'refused';

export interface ConnectionHandlers {
  // Called on every (re)connect once the subscriptions are in place.
  onReady(): void;
  onMessage(topic: string, payload: string): void;
  onState(state: ConnectionState, detail: string): void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RequestFailed extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const kFirstBackoffMs = 500;
const kMaxBackoffMs = 30_000;
const kRequestTimeoutMs = 20_000;
const kFirstSubscribeRetryMs = 100;
const kSubscribeAttempts = 7; // 100 ms doubling: about 6 s in all

export class Connection {
  private client: MqttClient | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextRequest = 1;
  private backoffMs = kFirstBackoffMs;
  private extraFilters = new Set<string>();
  private readonly following = new Map<string, Promise<void>>();
  private suspended = false;

  constructor(
    private readonly url: string,
    readonly uid: Uid,
    readonly username: string,
    private readonly token: string,
    readonly device: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    this.handlers.onState('connecting', 'Connecting…');
    const client = mqtt.connect(this.url, {
      protocolVersion: 5,
      clientId: `${this.uid}:${this.device}`,
      username: this.username,
      password: this.token,
      clean: true,
      keepalive: 30,
      reconnectPeriod: kFirstBackoffMs,
      connectTimeout: 10_000,
      resubscribe: false, // subscriptions are made on every connect (onConnect)
      will: { topic: topics.state(this.uid, this.device), payload: 'offline', qos: 1, retain: false },
    });
    this.client = client;
    client.on('connect', () => {
      this.backoffMs = kFirstBackoffMs;
      client.options.reconnectPeriod = kFirstBackoffMs;
      void this.onConnect(client);
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload.toString()));
    client.on('error', (error) => {
      const code = (error as { code?: number }).code;
      // 0x87 (MQTT 5) / 5 (3.1.1): the credentials are wrong or the account is disabled.
      if (code === 0x87 || code === 5 || code === 0x86) {
        this.handlers.onState('refused', 'Signed out: the server refused the sign-in.');
        client.end(true);
      }
    });
    client.on('close', () => {
      this.failPending('the connection dropped');
      if (this.suspended || this.client !== client) return;
      this.handlers.onState('offline', 'Offline: reconnecting… Messages you send wait in the outbox.');
      // A closed connection without CONNACK is "server unavailable": back off.
      client.options.reconnectPeriod = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, kMaxBackoffMs);
    });
    client.on('reconnect', () => this.handlers.onState('connecting', 'Reconnecting…'));
  }

  // The browser says the network is gone: drop the connection now rather than
  // wait for keep-alives, and reconnect when it says it is back.
  suspend(): void {
    if (!this.client || this.suspended) return;
    this.suspended = true;
    this.failPending('offline');
    this.client.end(true);
    this.handlers.onState('offline', 'Offline: no network. Messages you send wait in the outbox.');
  }

  resume(): void {
    if (!this.suspended || !this.client) return;
    this.suspended = false;
    this.handlers.onState('connecting', 'Reconnecting…');
    this.client.reconnect();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      // A clean goodbye publishes `offline` itself (the will fires only on a drop).
      await client.publishAsync(topics.state(this.uid, this.device), 'offline', { qos: 1 }).catch(() => undefined);
    }
    await client.endAsync();
  }

  // Subscribes (now and on every reconnect) to a group's or a user's topics;
  // resolves once the broker granted it (or at once when already held).
  async follow(filter: string): Promise<void> {
    const pending = this.following.get(filter);
    if (pending) return pending;
    const subscribed = this.subscribe(filter);
    this.following.set(filter, subscribed);
    this.extraFilters.add(filter);
    return subscribed.catch(() => {
      this.following.delete(filter);
    });
  }

  async unfollow(filter: string): Promise<void> {
    this.following.delete(filter);
    if (!this.extraFilters.delete(filter)) return;
    if (this.client?.connected) await this.client.unsubscribeAsync(filter);
  }

  publish(topic: string, payload: object, qos: 0 | 1 = 1): void {
    if (!this.client?.connected) return;
    this.client.publish(topic, JSON.stringify(payload), { qos });
  }

  // A request (section 4); rejects with RequestFailed on an error answer.
  request<T>(op: string, args: object): Promise<T> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected'));
    const id = `r${this.nextRequest++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${op}: no answer`));
      }, kRequestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer });
      client.publish(topics.request(this.uid, this.device), JSON.stringify({ id, op, args }), { qos: 1 });
    });
  }

  // A membership event (chat.added) can reach us before the broker's ACL has
  // heard of the change (the plugin follows the database within a second):
  // a refused subscription is tried again with a back-off.
  private async subscribe(filter: string): Promise<void> {
    for (let attempt = 1, delayMs = kFirstSubscribeRetryMs; ; attempt++, delayMs *= 2) {
      const client = this.client;
      // Not connected: the next connect subscribes every filter.
      if (!client?.connected) return;
      try {
        await client.subscribeAsync(filter, { qos: 1, nl: true });
        return;
      } catch (error) {
        if (attempt >= kSubscribeAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async onConnect(client: MqttClient): Promise<void> {
    try {
      const own = topics.own(this.uid, this.device);
      await client.subscribeAsync(Object.fromEntries(own.map((filter) => [filter, { qos: 1 as const, nl: true }])));
      // One by one: a group we were just removed from must not fail the others.
      await Promise.all(
        [...this.extraFilters].map((filter) =>
          this.subscribe(filter).catch((error) => console.warn(`chat: subscribing to ${filter} failed`, error)),
        ),
      );
      await client.publishAsync(topics.state(this.uid, this.device), 'online', { qos: 1 });
      this.handlers.onState('online', '');
      this.handlers.onReady();
    } catch (error) {
      // The connection went away meanwhile: the next connect starts over.
      console.warn('chat: setting up the connection failed', error);
    }
  }

  private onMessage(topic: string, payload: string): void {
    if (topic === `u/${this.uid}/rsp/${this.device}`) {
      this.onAnswer(payload);
      return;
    }
    this.handlers.onMessage(topic, payload);
  }

  private onAnswer(payload: string): void {
    let answer: { id?: string; ok?: boolean; result?: unknown; error?: { code: string; message: string } };
    try {
      answer = JSON.parse(payload);
    } catch {
      return;
    }
    const pending = answer.id ? this.pending.get(answer.id) : undefined;
    if (!pending || !answer.id) return;
    this.pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.ok) pending.resolve(answer.result);
    else pending.reject(new RequestFailed(answer.error?.code ?? 'internal', answer.error?.message ?? 'failed'));
  }

  private failPending(why: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(why));
      this.pending.delete(id);
    }
  }
}
