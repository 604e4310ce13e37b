// The signed-in app: joins the connection, the store and the view. Every
// rule of the contract the client must follow lives here: the outbox and the
// acks, receipts, typing, presence, the catch-up after a reconnect (chat.list,
// then sync until `more` is false, then the outbox again), membership events.
import { UserApi, type Session } from './api';
import { Connection, RequestFailed, type ConnectionState } from './connection';
import { Outbox } from './outbox';
import {
  isAction,
  kMuteForever,
  newMessageId,
  parseTopic,
  topics,
  type Address,
  type ChatId,
  type ChatListEntry,
  type ChatRecord,
  type MembershipEvent,
  type MessageRecord,
  type Presence,
  type Receipt,
  type SearchAnswer,
  type ServerEvent,
  type SyncAnswer,
  type Uid,
} from './protocol';
import { SearchResults, searchQueryProblem } from './search';
import { Store, type ChatState } from './store';

const kTypingShownMs = 6_000;
const kTypingSendEveryMs = 3_000;
const kHistoryPage = 50;
// Opening a search hit loads older pages until its message is held: bigger
// pages (the contract's most) get there in fewer round trips.
const kJumpHistoryPage = 200;
const kSearchPage = 20;
const kRejoinResyncMs = 2_000;
// The broker's queues may drop (docs/protocol.md, delivery rule); the
// database is the record: a connected app syncs now and then too.
const kPeriodicSyncMs = 60_000;
// A live message carries no seq (the bridge assigns it when storing), and a
// reply, an edit, a delete or a reaction names its target by seq: a `sync` of
// the chat shortly after live messages arrive gives them theirs, tried again
// (doubling) while some are still not stored.
const kLearnSeqsAfterMs = 250;
const kLearnSeqsAttempts = 6;

export interface AppView {
  render(): void;
  connectionChanged(state: ConnectionState, detail: string): void;
  notice(text: string): void;
  signedOut(reason: string): void;
}

export class ChatApp {
  readonly store: Store;
  readonly api: UserApi;
  readonly outbox: Outbox;
  // The search shown, if any (the latest query wins).
  search: SearchResults | null = null;
  private readonly connection: Connection;
  private view: AppView | null = null;
  openChat: ChatId | null = null;
  state: ConnectionState = 'connecting';
  catchingUp = false;
  private lastTypingSent = 0;
  private readonly profileRequests = new Set<Uid>();
  private resendTimer: ReturnType<typeof setInterval> | null = null;
  // Receipts that name our messages by id before their ack came (the other
  // side sees a message on the broker's fast path, before the bridge has
  // stored it): applied when the ack gives the seq. Keyed by message id.
  private readonly earlyReceipts = new Map<string, { chat: ChatId; from: Uid; type: 'delivered' | 'read' }[]>();
  // Chats with a seq-learning sync scheduled.
  private readonly learningSeqs = new Set<ChatId>();

  constructor(
    readonly session: Session,
    mqttUrl: string,
  ) {
    this.store = new Store(session.uid);
    this.store.names.set(session.uid, session.display_name || session.username);
    this.api = new UserApi(session.token);
    this.outbox = new Outbox(`chat.outbox.${session.uid}.${session.device}`);
    this.connection = new Connection(mqttUrl, session.uid, session.username, session.token, session.device, {
      onReady: () => void this.catchUp(),
      onMessage: (topic, payload) => this.onMessage(topic, payload),
      onState: (state, detail) => {
        this.state = state;
        this.view?.connectionChanged(state, detail);
        if (state === 'refused') this.view?.signedOut(detail);
      },
    });
  }

  start(view: AppView): void {
    this.view = view;
    this.connection.start();
    // Unacked messages are published again after 30 s while connected.
    this.resendTimer = setInterval(() => this.flushOutbox(false), 5_000);
    window.addEventListener('offline', () => this.connection.suspend());
    window.addEventListener('online', () => this.connection.resume());
    setInterval(() => {
      if (this.connection.connected && !this.catchingUp) void this.syncAll().catch(() => undefined);
    }, kPeriodicSyncMs);
    // Typing indicators fade out by themselves.
    setInterval(() => {
      const chat = this.current();
      if (chat && chat.typing.size > 0) this.view?.render();
    }, 1_000);
  }

  async stop(): Promise<void> {
    if (this.resendTimer) clearInterval(this.resendTimer);
    await this.connection.stop();
  }

  current(): ChatState | undefined {
    return this.openChat === null ? undefined : this.store.chats.get(this.openChat);
  }

  address(chat: ChatState): Address {
    return chat.kind === 'direct' ? { kind: 'direct', peer: chat.peer! } : { kind: 'group', chat: chat.id };
  }

  pending(id: string): boolean {
    return this.outbox.has(id);
  }

  // ---- catch-up after every (re)connect ---------------------------------------------

  private async catchUp(): Promise<void> {
    this.catchingUp = true;
    this.view?.render();
    try {
      await this.loadChatList();
      await this.loadBlocked();
      await this.syncAll();
      this.flushOutbox(true);
      const chat = this.current();
      if (chat) this.markRead(chat);
    } catch (error) {
      // The connection dropped meanwhile; the next connect starts over.
      console.warn('chat: catching up failed', error);
    } finally {
      this.catchingUp = false;
      this.view?.render();
    }
  }

  private async loadChatList(): Promise<void> {
    let after: number | undefined;
    const seen = new Set<ChatId>();
    for (;;) {
      const page = await this.connection.request<{ chats: ChatListEntry[]; more: boolean }>(
        'chat.list',
        after === undefined ? {} : { after },
      );
      for (const entry of page.chats) {
        seen.add(entry.id);
        this.adoptChat(entry);
      }
      if (!page.more || page.chats.length === 0) break;
      after = page.chats[page.chats.length - 1].id;
    }
    for (const id of [...this.store.chats.keys()]) if (!seen.has(id)) this.forgetChat(id);
  }

  // The users we block (one answer: at most 1000).
  private async loadBlocked(): Promise<void> {
    const answer = await this.connection.request<{ users: Uid[] }>('user.blocked', {});
    this.store.setBlocked(answer.users);
  }

  // sync from the cursors held: every message stored meanwhile arrives. A chat
  // whose history was never opened asks for its last message only (the chat
  // list shows it).
  private async syncAll(): Promise<void> {
    const cursors = new Map<ChatId, number>();
    const cursorOf = (chat: ChatState) =>
      chat.historyLoaded ? this.store.highestSeq(chat) : Math.max(this.store.highestSeq(chat), chat.lastSeq - 1, 0);
    for (const chat of this.store.chats.values()) cursors.set(chat.id, cursorOf(chat));
    for (let round = 0; round < 100; round++) {
      const answer = await this.connection.request<SyncAnswer>('sync', {
        cursors: Object.fromEntries([...cursors].map(([id, seq]) => [String(id), seq])),
      });
      for (const event of answer.membership) {
        this.onMembershipEvent(event);
        if (event.ev === 'chat.added') cursors.set(event.chat.id, Math.max(0, event.chat.last_seq - 1));
        else if (event.ev === 'chat.removed' || event.ev === 'chat.deleted') cursors.delete(event.chat.id);
      }
      for (const entry of answer.chats) {
        const chat = this.store.chats.get(entry.chat);
        if (!chat) continue;
        this.receiveStored(chat, entry.messages);
        for (const m of entry.messages) if (m.seq) cursors.set(chat.id, Math.max(cursors.get(chat.id) ?? 0, m.seq));
      }
      this.view?.render();
      if (!answer.more) break;
    }
  }

  private flushOutbox(afterReconnect: boolean): void {
    if (!this.connection.connected || (this.catchingUp && !afterReconnect)) return;
    const now = Date.now();
    for (const message of this.outbox.due(now, afterReconnect)) {
      this.connection.publish(message.topic, message.payload);
      this.outbox.markPublished(message.id, now);
    }
  }

  // ---- chats -------------------------------------------------------------------

  private adoptChat(record: ChatRecord | ChatListEntry): ChatState {
    const chat = this.store.upsertChat(record);
    if (chat.kind === 'group') void this.connection.follow(topics.group(chat.id));
    if (chat.peer) this.watchUser(chat.peer, true);
    if (chat.kind === 'group' && chat.members.size === 0) void this.loadInfo(chat);
    return chat;
  }

  // A message published to the group just before our subscription, and
  // stored only after that sync was answered, would wait for the next
  // reconnect: a second sync a little later closes that gap.
  private async catchUpGroup(record: ChatRecord): Promise<void> {
    try {
      await this.connection.follow(topics.group(record.id));
      await this.syncChat(record.id, record.last_seq - 1);
      setTimeout(() => void this.syncChat(record.id, record.last_seq - 1).catch(() => undefined), kRejoinResyncMs);
    } catch (error) {
      // The next reconnect's sync covers it.
      console.warn('chat: catching up with a new group failed', error);
    }
  }

  private async syncChat(id: ChatId, floor: number): Promise<void> {
    const chat = this.store.chats.get(id);
    if (!chat || !this.connection.connected) return;
    const cursor = Math.max(this.store.highestSeq(chat), floor, 0);
    const answer = await this.connection.request<SyncAnswer>('sync', { cursors: { [String(id)]: cursor } });
    for (const entry of answer.chats) if (entry.chat === chat.id) this.receiveStored(chat, entry.messages);
    this.view?.render();
  }

  private forgetChat(id: ChatId): void {
    const chat = this.store.chats.get(id);
    if (!chat) return;
    if (chat.kind === 'group') void this.connection.unfollow(topics.group(id));
    this.store.chats.delete(id);
    if (this.openChat === id) this.openChat = null;
  }

  private async loadInfo(chat: ChatState): Promise<void> {
    try {
      const answer = await this.connection.request<{ chat: ChatRecord }>('chat.info', { chat: chat.id });
      this.store.upsertChat(answer.chat);
      for (const uid of chat.members.keys()) this.watchUser(uid, false);
      this.view?.render();
    } catch (error) {
      console.warn('chat: chat.info failed', error);
    }
  }

  // Names from /v1/users, presence from presence/{uid} (direct peers only).
  private watchUser(uid: Uid, presence: boolean): void {
    if (presence) void this.connection.follow(topics.presence(uid));
    if (this.store.names.has(uid) || this.profileRequests.has(uid)) return;
    this.profileRequests.add(uid);
    this.api
      .profile(uid)
      .then((profile) => {
        this.store.names.set(uid, profile.deleted ? 'Deleted account' : profile.display_name || profile.username);
        this.view?.render();
      })
      .catch(() => this.profileRequests.delete(uid));
  }

  async open(id: ChatId): Promise<void> {
    this.openChat = id;
    const chat = this.store.chats.get(id);
    this.view?.render();
    if (!chat) return;
    if (chat.members.size === 0) await this.loadInfo(chat);
    if (!chat.historyLoaded) await this.loadOlder(chat, true);
    this.markRead(chat);
  }

  close(): void {
    this.openChat = null;
    this.view?.render();
  }

  // history: the newest page first, then older pages as the user scrolls up.
  async loadOlder(chat: ChatState, newest = false, limit = kHistoryPage): Promise<void> {
    if (!this.connection.connected) return;
    const args: Record<string, number> = { chat: chat.id, limit };
    if (!newest) {
      const lowest = this.store.lowestSeq(chat);
      if (lowest === null || lowest <= 1) return;
      args.before_seq = lowest;
    }
    const answer = await this.connection.request<{ messages: MessageRecord[]; more: boolean }>('history', args);
    // An older page's actions are older than the state its targets were read with.
    this.store.addMessages(chat, answer.messages, newest);
    if (newest) chat.historyLoaded = true;
    // `more`: there are older messages than the page (newest page or before_seq).
    chat.hasOlder = answer.more;
    this.view?.render();
  }

  // Opens a chat at one of its messages (a search hit): older pages are
  // loaded until it is held, so that the history stays whole from there to
  // the newest. False when the message is gone (deleted history, or a chat
  // we left).
  async openAt(id: ChatId, seq: number): Promise<boolean> {
    await this.open(id);
    const chat = this.store.chats.get(id);
    if (!chat) return false;
    while (!this.store.bySeq(chat, seq) && chat.hasOlder) {
      const lowest = this.store.lowestSeq(chat);
      await this.loadOlder(chat, false, kJumpHistoryPage);
      // No progress (offline, or nothing older after all): stop.
      if (this.store.lowestSeq(chat) === lowest) break;
    }
    return this.store.bySeq(chat, seq) !== undefined;
  }

  // ---- search ------------------------------------------------------------------

  // A new search replaces the one shown; an answer to an older one is dropped.
  async runSearch(query: string): Promise<void> {
    const results = new SearchResults(query);
    this.search = results;
    const problem = searchQueryProblem(query);
    if (problem) {
      results.failed(problem);
      this.view?.render();
      return;
    }
    this.view?.render();
    await this.searchPage(results);
  }

  async searchMore(): Promise<void> {
    const results = this.search;
    if (!results || !results.more || results.status === 'searching') return;
    results.status = 'searching';
    this.view?.render();
    await this.searchPage(results);
  }

  clearSearch(): void {
    this.search = null;
    this.view?.render();
  }

  private async searchPage(results: SearchResults): Promise<void> {
    if (!this.connection.connected) {
      results.failed('Offline: searching needs the connection.');
      this.view?.render();
      return;
    }
    try {
      const answer = await this.connection.request<SearchAnswer>('search', results.nextArgs(kSearchPage));
      results.addPage(answer);
      // Names of senders not met yet.
      for (const hit of answer.hits) this.watchUser(hit.from, false);
    } catch (error) {
      results.failed(error instanceof Error ? error.message : String(error));
    }
    if (this.search === results) this.view?.render();
  }

  // ---- blocking and muting ---------------------------------------------------------

  async setBlocked(uid: Uid, block: boolean): Promise<void> {
    await this.connection.request<object>(block ? 'user.block' : 'user.unblock', { user: uid });
    if (block) this.store.blocked.add(uid);
    else this.store.blocked.delete(uid);
    this.view?.render();
  }

  // No push for that chat while muted (server side); the mute has no end
  // until the user lifts it. Every device of the user, this one included,
  // follows it from the chat.muted event; the answer says the same.
  async setMuted(chat: ChatState, mute: boolean): Promise<void> {
    const answer = await this.connection.request<{ chat: ChatId; until: number }>('chat.mute', {
      chat: chat.id,
      until: mute ? kMuteForever : 0,
    });
    this.store.setMute(answer.chat, answer.until);
    this.view?.render();
  }

  async startDirect(username: string): Promise<void> {
    const profile = await this.api.profileByUsername(username.trim());
    if (profile.id === this.session.uid) throw new Error('That is you.');
    const answer = await this.connection.request<{ chat: ChatRecord }>('dm.open', { user: profile.id });
    this.store.names.set(profile.id, profile.display_name || profile.username);
    this.adoptChat(answer.chat);
    await this.open(answer.chat.id);
  }

  async resolveUsers(usernames: string[]): Promise<Uid[]> {
    const uids: Uid[] = [];
    for (const name of usernames.map((n) => n.trim()).filter(Boolean)) {
      const profile = await this.api.profileByUsername(name);
      this.store.names.set(profile.id, profile.display_name || profile.username);
      uids.push(profile.id);
    }
    return uids;
  }

  async createGroup(title: string, usernames: string[]): Promise<void> {
    const members = await this.resolveUsers(usernames);
    const answer = await this.connection.request<{ chat: ChatRecord }>('chat.create', { title, members });
    this.adoptChat(answer.chat);
    await this.open(answer.chat.id);
  }

  async addMembers(chat: ChatState, usernames: string[]): Promise<void> {
    const users = await this.resolveUsers(usernames);
    if (users.length === 0) return;
    const answer = await this.connection.request<{ chat: ChatRecord }>('chat.add', { chat: chat.id, users });
    this.store.upsertChat(answer.chat);
    this.view?.render();
  }

  async removeMember(chat: ChatState, uid: Uid): Promise<void> {
    const answer = await this.connection.request<{ chat: ChatRecord }>('chat.remove', { chat: chat.id, users: [uid] });
    if (uid === this.session.uid) this.forgetChat(chat.id);
    else this.store.upsertChat(answer.chat);
    this.view?.render();
  }

  // ---- sending -----------------------------------------------------------------

  sendText(chat: ChatState, text: string, replyTo?: number): void {
    this.send(chat, replyTo ? { type: 'text', text, reply_to: replyTo } : { type: 'text', text });
    // Sending ends this bout of typing: the next keystroke tells the others at once.
    this.lastTypingSent = 0;
  }

  async sendImage(chat: ChatState, file: File, caption: string): Promise<void> {
    const media = await this.api.upload(file);
    if (!media.mime.startsWith('image/')) throw new Error(`That file is not an image (${media.mime}).`);
    const payload: Record<string, unknown> = { type: 'image', media };
    if (caption) payload.text = caption;
    this.send(chat, payload);
  }

  // Messages that act on messages: applied to their target when acked (the
  // bridge may refuse them: a nack leaves the target as it was).
  editMessage(chat: ChatState, target: number, text: string): void {
    this.send(chat, { type: 'edit', target, text });
  }

  deleteMessage(chat: ChatState, target: number): void {
    this.send(chat, { type: 'delete', target });
  }

  react(chat: ChatState, target: number, emoji: string, remove: boolean): void {
    this.send(chat, remove ? { type: 'reaction', target, emoji, remove: true } : { type: 'reaction', target, emoji });
  }

  private send(chat: ChatState, content: Record<string, unknown>): void {
    const address = this.address(chat);
    const id = newMessageId();
    // `id` first: a refusal's nack names the message from the first bytes.
    const payload = { id, ...content, ts: Date.now() };
    const topic = topics.message(address, this.session.uid);
    this.outbox.add({ id, address, chat: chat.id, topic, payload, publishedAt: 0 });
    this.store.addMessages(chat, [{ ...(payload as unknown as MessageRecord), from: this.session.uid }], false);
    if (this.connection.connected && !this.catchingUp) {
      this.connection.publish(topic, payload);
      this.outbox.markPublished(id, Date.now());
    }
    this.view?.render();
  }

  typing(chat: ChatState): void {
    const now = Date.now();
    if (now - this.lastTypingSent < kTypingSendEveryMs) return;
    this.lastTypingSent = now;
    this.connection.publish(topics.typing(this.address(chat), this.session.uid), { typing: true }, 0);
  }

  // Read receipts for what the user now sees: by seq for stored messages,
  // by refs for live ones whose seq the app does not know.
  markRead(chat: ChatState): void {
    if (!this.connection.connected || document.visibilityState === 'hidden') return;
    const address = this.address(chat);
    const self = this.session.uid;
    const highest = this.store.highestSeq(chat);
    const me = chat.members.get(self);
    if (highest > 0 && (!me || me.read < highest)) {
      this.connection.publish(topics.receipt(address, self), { type: 'read', seq: highest });
      this.store.receipt(chat, self, 'read', highest);
    }
    const live = chat.messages.filter((m) => !m.seq && m.from !== self).slice(-1000);
    if (live.length > 0) {
      const refs = live.map((m) => (chat.kind === 'group' ? { from: m.from, id: m.id } : { id: m.id }));
      this.connection.publish(topics.receipt(address, self), { type: 'read', refs });
    }
    if (chat.unread !== 0) {
      chat.unread = 0;
      this.view?.render();
    }
  }

  // ---- receiving ---------------------------------------------------------------

  private onMessage(topic: string, raw: string): void {
    const incoming = parseTopic(topic, this.session.uid);
    if (!incoming) return;
    if (incoming.what === 'presence') {
      try {
        this.store.presence.set(incoming.uid, JSON.parse(raw) as Presence);
        this.view?.render();
      } catch {
        // Not ours to fix.
      }
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return;
    }
    if (incoming.what === 'event') {
      this.onEvent(body as ServerEvent);
      return;
    }
    if (incoming.what === 'answer') return;
    const chat = this.chatFor(incoming.address);
    if (!chat) {
      // A direct chat we did not know yet (its first message): learn its id.
      if (incoming.address.kind === 'direct' && incoming.what === 'msg') void this.discoverDirect(incoming.address.peer, topic, raw);
      return;
    }
    if (incoming.what === 'msg') this.receiveLive(chat, { ...(body as MessageRecord), from: incoming.from });
    else if (incoming.what === 'rcpt') this.onReceipt(chat, incoming.from, body as Receipt);
    else if (incoming.what === 'typing' && incoming.from !== this.session.uid) {
      chat.typing.set(incoming.from, Date.now() + kTypingShownMs);
      if (chat.id === this.openChat) this.view?.render();
    }
  }

  private chatFor(address: Address): ChatState | undefined {
    return address.kind === 'direct' ? this.store.chatWithPeer(address.peer) : this.store.chats.get(address.chat);
  }

  private async discoverDirect(peer: Uid, topic: string, raw: string): Promise<void> {
    try {
      const answer = await this.connection.request<{ chat: ChatRecord }>('dm.open', { user: peer });
      this.adoptChat(answer.chat);
      this.onMessage(topic, raw);
    } catch (error) {
      console.warn('chat: dm.open failed', error);
    }
  }

  private learnSeqs(chat: ChatState, attempt = 0): void {
    if (this.learningSeqs.has(chat.id) || attempt >= kLearnSeqsAttempts) return;
    this.learningSeqs.add(chat.id);
    setTimeout(() => {
      // A chat not opened yet holds no history: from its last known message on.
      void this.syncChat(chat.id, chat.historyLoaded ? 0 : chat.lastSeq - 1)
        .catch(() => undefined)
        .finally(() => {
          this.learningSeqs.delete(chat.id);
          const self = this.session.uid;
          const waiting = chat.messages.some((m) => !m.seq && !(m.from === self && this.outbox.has(m.id)) && !m.failed);
          if (waiting && this.store.chats.get(chat.id) === chat) this.learnSeqs(chat, attempt + 1);
        });
    }, kLearnSeqsAfterMs * 2 ** attempt);
  }

  private receiveLive(chat: ChatState, message: MessageRecord): void {
    const added = this.store.addMessages(chat, [message]);
    if (added.length > 0) this.learnSeqs(chat);
    if (added.length === 0 || message.from === this.session.uid) {
      this.view?.render();
      return;
    }
    const reading = chat.id === this.openChat && document.visibilityState !== 'hidden';
    // Unread counts messages of content, as chat.list's `unread` does.
    if (!reading && !isAction(message.type)) chat.unread += 1;
    const ref = chat.kind === 'group' ? { from: message.from, id: message.id } : { id: message.id };
    this.connection.publish(topics.receipt(this.address(chat), this.session.uid), {
      type: reading ? 'read' : 'delivered',
      refs: [ref],
    });
    this.view?.render();
  }

  // Stored messages from sync: delivered receipts by seq; unread counted.
  private receiveStored(chat: ChatState, messages: MessageRecord[]): void {
    const added = this.store.addMessages(chat, messages);
    const fromOthers = added.filter((m) => m.from !== this.session.uid);
    for (const m of added) if (m.from === this.session.uid) this.outbox.acked(m.id);
    if (fromOthers.length === 0) return;
    const me = chat.members.get(this.session.uid);
    const newestSeq = Math.max(...fromOthers.map((m) => m.seq ?? 0));
    const unreadNow = fromOthers.filter((m) => !isAction(m.type) && (m.seq ?? 0) > (me?.read ?? 0)).length;
    if (chat.id !== this.openChat) chat.unread = Math.max(chat.unread, unreadNow);
    if (newestSeq > 0 && (!me || me.delivered < newestSeq)) {
      this.connection.publish(topics.receipt(this.address(chat), this.session.uid), { type: 'delivered', seq: newestSeq });
      this.store.receipt(chat, this.session.uid, 'delivered', newestSeq);
    }
  }

  private onReceipt(chat: ChatState, from: Uid, receipt: Receipt): void {
    if (receipt.type !== 'delivered' && receipt.type !== 'read') return;
    let seq = receipt.seq ?? 0;
    if (receipt.refs) {
      // In a direct chat refs may leave out `from`: the receipt's sender
      // confirms the other side's messages.
      const defaultFrom = from !== this.session.uid ? this.session.uid : (chat.peer ?? 0);
      seq = Math.max(seq, this.store.seqOfRefs(chat, receipt.refs, defaultFrom));
      for (const ref of receipt.refs) {
        if ((ref.from ?? defaultFrom) !== this.session.uid || !this.outbox.has(ref.id)) continue;
        const early = this.earlyReceipts.get(ref.id) ?? [];
        early.push({ chat: chat.id, from, type: receipt.type });
        this.earlyReceipts.set(ref.id, early);
      }
    }
    if (seq <= 0) {
      // Refs naming messages whose ack has not come yet: the sync after the
      // next reconnect or the member cursors of chat.info will tell.
      return;
    }
    this.store.receipt(chat, from, receipt.type, seq);
    this.view?.render();
  }

  private onEvent(event: ServerEvent): void {
    switch (event.ev) {
      case 'acks':
        for (const ack of event.acks) this.onAck(ack.chat, ack.id, ack.seq, ack.ts);
        break;
      case 'ack':
        this.onAck(event.chat, event.id, event.seq, event.ts);
        break;
      case 'nack': {
        if (!event.id) break;
        const message = this.outbox.drop(event.id);
        const chat = message?.chat ? this.store.chats.get(message.chat) : undefined;
        const shown = chat?.messages.find((m) => m.from === this.session.uid && m.id === event.id);
        const why = `${event.error}${event.detail ? `: ${event.detail}` : ''}`;
        if (shown) shown.failed = why;
        this.view?.notice(shown && isAction(shown.type) ? `That change was refused (${why}).` : `A message was refused (${event.error}).`);
        this.view?.render();
        break;
      }
      case 'chat.muted':
        if (this.store.setMute(event.chat, event.until)) this.view?.render();
        break;
      default:
        this.onMembershipEvent(event);
        this.view?.render();
    }
  }

  private onAck(chatId: ChatId, id: string, seq: number, ts: number): void {
    const mine = this.outbox.acked(id);
    const chat = this.store.chats.get(chatId);
    if (!chat) return;
    if (mine || chat.keys.has(`${this.session.uid}:${id}`)) this.store.acked(chat, id, seq, ts);
    if (mine) {
      const sent = chat.messages.find((m) => m.from === this.session.uid && m.id === id);
      if (sent && isAction(sent.type)) this.store.applyAction(chat, sent);
    }
    for (const early of this.earlyReceipts.get(id) ?? []) this.store.receipt(chat, early.from, early.type, seq);
    this.earlyReceipts.delete(id);
    this.view?.render();
  }

  private onMembershipEvent(event: MembershipEvent): void {
    if (event.ev === 'chat.added' || event.ev === 'chat.updated') {
      const known = this.store.chats.has(event.chat.id);
      this.adoptChat(event.chat);
      // Messages sent to a group before our subscription to it was in place
      // never reach us live: once subscribed, fetch what is newer than the
      // event's last_seq (and the last message, for the list).
      if (!known && !this.catchingUp && event.chat.kind === 'group') void this.catchUpGroup(event.chat);
      for (const uid of this.store.chats.get(event.chat.id)?.members.keys() ?? []) this.watchUser(uid, false);
    } else if (event.ev === 'chat.removed' || event.ev === 'chat.deleted') {
      const title = this.store.chats.get(event.chat.id)?.title;
      this.forgetChat(event.chat.id);
      if (title) this.view?.notice(event.ev === 'chat.deleted' ? `“${title}” was deleted.` : `You left “${title}”.`);
    }
  }
}

export { RequestFailed };
