// What the app knows: the chats, their messages (deduplicated by sender and
// client id), the members' receipt cursors, typing, presence and profiles.
// Pure state with no I/O; ChatApp (app.ts) feeds it from the connection.
//
// Edits, deletions and reactions are messages of their own (with seqs) that
// are kept like any other, for deduplication and cursors, but not shown: each
// changes the state of its target (text and edited_at, deleted, reactions).
// Records from history and sync carry the target's current state already;
// replaying actions newer than a record over it converges to the same state
// (the latest edit wins, a user's emoji is on or off), so actions from sync,
// from the newest history page and live ones are applied, and those of an
// older history page (older than the state their targets were read with) are
// not.
import {
  isAction,
  type ChatId,
  type ChatListEntry,
  type ChatRecord,
  type Member,
  type MessageRecord,
  type Presence,
  type Uid,
} from './protocol';

export type DeliveryMark = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface MessageView extends MessageRecord {
  failed?: string; // nacked: why
}

export interface ChatState {
  id: ChatId;
  kind: 'direct' | 'group';
  title: string;
  owner: Uid | null;
  lastSeq: number;
  peer: Uid | null;
  unread: number;
  members: Map<Uid, { role: string; delivered: number; read: number }>;
  messages: MessageView[];
  keys: Set<string>;
  historyLoaded: boolean;
  hasOlder: boolean;
  typing: Map<Uid, number>; // until when (ms)
  mutedUntil: number; // the mute (ms) from chat.list's `muted_until`, chat.mute's answer or chat.muted; 0: not muted
}

const key = (from: Uid, id: string) => `${from}:${id}`;

export class Store {
  readonly chats = new Map<ChatId, ChatState>();
  readonly presence = new Map<Uid, Presence>();
  readonly names = new Map<Uid, string>();
  // The users this user blocks (user.blocked, then user.block/unblock answers).
  readonly blocked = new Set<Uid>();

  constructor(readonly self: Uid) {}

  chatWithPeer(peer: Uid): ChatState | undefined {
    for (const chat of this.chats.values()) if (chat.kind === 'direct' && chat.peer === peer) return chat;
    return undefined;
  }

  // Adds or updates a chat from a chat record or a chat list entry.
  upsertChat(record: ChatRecord | ChatListEntry): ChatState {
    let chat = this.chats.get(record.id);
    if (!chat) {
      chat = {
        id: record.id,
        kind: record.kind,
        title: record.title,
        owner: record.owner,
        lastSeq: record.last_seq,
        peer: null,
        unread: 0,
        members: new Map(),
        messages: [],
        keys: new Set(),
        historyLoaded: false,
        hasOlder: record.last_seq > 0,
        typing: new Map(),
        mutedUntil: 0,
      };
      this.chats.set(record.id, chat);
    }
    chat.title = record.title;
    chat.owner = record.owner;
    chat.lastSeq = Math.max(chat.lastSeq, record.last_seq);
    if ('unread' in record) {
      chat.unread = record.unread;
      // A chat list entry is the server's word on the mute (set on any of
      // the user's devices): no `muted_until` means not muted. A chat record
      // (membership events, chat.info) says nothing of it.
      chat.mutedUntil = record.muted_until ?? 0;
    }
    if ('peer' in record && record.peer) chat.peer = record.peer;
    if (record.members) this.setMembers(chat, record.members);
    return chat;
  }

  setMembers(chat: ChatState, members: Member[]): void {
    const next = new Map<Uid, { role: string; delivered: number; read: number }>();
    for (const member of members) {
      const known = chat.members.get(member.uid);
      next.set(member.uid, {
        role: member.role,
        delivered: Math.max(member.delivered_seq, known?.delivered ?? 0),
        read: Math.max(member.read_seq, known?.read ?? 0),
      });
      if (chat.kind === 'direct' && member.uid !== this.self) chat.peer = member.uid;
    }
    chat.members = next;
  }

  // Adds messages (history, sync, live) and returns the new ones. Known ones
  // get what they lacked (a live copy learns its seq from a record) and, from
  // a stored record, its current state. New actions are applied to their
  // targets unless `applyActions` is false (see above).
  addMessages(chat: ChatState, messages: MessageRecord[], applyActions = true): MessageView[] {
    const added: MessageView[] = [];
    for (const message of messages) {
      const k = key(message.from, message.id);
      if (chat.keys.has(k)) {
        const known = chat.messages.find((m) => m.from === message.from && m.id === message.id);
        if (known && message.seq) {
          if (!known.seq) Object.assign(known, { seq: message.seq, ts: message.ts });
          if (!isAction(message.type)) this.takeState(known, message);
        }
        continue;
      }
      chat.keys.add(k);
      const view: MessageView = { ...message };
      chat.messages.push(view);
      added.push(view);
      if (message.seq) chat.lastSeq = Math.max(chat.lastSeq, message.seq);
      if (!isAction(message.type)) chat.typing.delete(message.from);
    }
    this.sort(chat);
    if (applyActions) for (const message of added) if (isAction(message.type)) this.applyAction(chat, message);
    return added;
  }

  // A stored record's state replaces what was known of the message.
  private takeState(known: MessageView, record: MessageRecord): void {
    for (const field of ['text', 'media', 'edited_at', 'deleted', 'reactions', 'too_large'] as const) {
      if (record[field] === undefined) delete known[field];
      else (known as unknown as Record<string, unknown>)[field] = record[field];
    }
  }

  // The message of content with that seq, when held.
  bySeq(chat: ChatState, seq: number | undefined): MessageView | undefined {
    if (!seq) return undefined;
    return chat.messages.find((m) => m.seq === seq && !isAction(m.type));
  }

  // What an action does to its target, when the target is held and the rules
  // a client can check hold (docs/protocol.md: a live action may still be
  // refused by the bridge; sync and history are the record). True when applied.
  applyAction(chat: ChatState, action: MessageRecord): boolean {
    const target = this.bySeq(chat, action.target);
    if (!target || target.deleted) return false;
    switch (action.type) {
      case 'edit':
        if (target.type !== 'text' || action.from !== target.from || typeof action.text !== 'string') return false;
        target.text = action.text;
        target.edited_at = action.ts ?? Date.now();
        return true;
      case 'delete':
        if (action.from !== target.from && !(chat.kind === 'group' && action.from === chat.owner)) return false;
        target.deleted = true;
        for (const field of ['text', 'media', 'edited_at', 'reactions'] as const) delete target[field];
        return true;
      case 'reaction': {
        if (!action.emoji) return false;
        const reactions = { ...(target.reactions ?? {}) };
        const users = (reactions[action.emoji] ?? []).filter((uid) => uid !== action.from);
        if (!action.remove) users.push(action.from);
        users.sort((a, b) => a - b);
        if (users.length > 0) reactions[action.emoji] = users;
        else delete reactions[action.emoji];
        if (Object.keys(reactions).length > 0) target.reactions = reactions;
        else delete target.reactions;
        return true;
      }
      default:
        return false;
    }
  }

  // What the conversation shows: messages of content (actions are in their targets).
  shown(chat: ChatState): MessageView[] {
    return chat.messages.filter((m) => !isAction(m.type));
  }

  // Stored messages in seq order (the order every member sees). A message
  // whose seq is not known (received live, or ours not yet acked) goes by its
  // time among them, and by arrival among equals.
  private sort(chat: ChatState): void {
    const order = new Map(chat.messages.map((m, i) => [m, i]));
    chat.messages.sort((a, b) => {
      if (a.seq && b.seq) return a.seq - b.seq;
      const byTime = (a.ts ?? 0) - (b.ts ?? 0);
      if (a.ts && b.ts && byTime !== 0) return byTime;
      return (order.get(a) ?? 0) - (order.get(b) ?? 0);
    });
  }

  acked(chat: ChatState, id: string, seq: number, ts: number): void {
    const message = chat.messages.find((m) => m.from === this.self && m.id === id);
    if (message) Object.assign(message, { seq, ts, chat: chat.id });
    chat.lastSeq = Math.max(chat.lastSeq, seq);
    this.sort(chat);
  }

  highestSeq(chat: ChatState): number {
    let highest = 0;
    for (const m of chat.messages) if (m.seq && m.seq > highest) highest = m.seq;
    return highest;
  }

  lowestSeq(chat: ChatState): number | null {
    let lowest: number | null = null;
    for (const m of chat.messages) if (m.seq && (lowest === null || m.seq < lowest)) lowest = m.seq;
    return lowest;
  }

  // A member's receipt: cursors only move forward.
  receipt(chat: ChatState, from: Uid, type: 'delivered' | 'read', seq: number): void {
    const member = chat.members.get(from) ?? { role: 'member', delivered: 0, read: 0 };
    member.delivered = Math.max(member.delivered, seq);
    if (type === 'read') member.read = Math.max(member.read, seq);
    chat.members.set(from, member);
  }

  // The seq that refs of a receipt name (the newest of ours it can find).
  seqOfRefs(chat: ChatState, refs: { from?: Uid; id: string }[], defaultFrom: Uid): number {
    let seq = 0;
    for (const ref of refs) {
      const from = ref.from ?? defaultFrom;
      const message = chat.messages.find((m) => m.from === from && m.id === ref.id);
      if (message?.seq && message.seq > seq) seq = message.seq;
    }
    return seq;
  }

  mark(chat: ChatState, message: MessageView, pending: boolean): DeliveryMark {
    if (message.failed) return 'failed';
    if (pending || !message.seq) return 'pending';
    const others = [...chat.members.entries()].filter(([uid]) => uid !== this.self).map(([, cursor]) => cursor);
    if (others.length === 0) return 'sent';
    if (others.every((c) => c.read >= message.seq!)) return 'read';
    if (others.every((c) => c.delivered >= message.seq!)) return 'delivered';
    return 'sent';
  }

  // The newest message of content (the chat list's preview).
  lastMessage(chat: ChatState): MessageView | undefined {
    for (let i = chat.messages.length - 1; i >= 0; i--) if (!isAction(chat.messages[i].type)) return chat.messages[i];
    return undefined;
  }

  typingNow(chat: ChatState, now: number): Uid[] {
    return [...chat.typing.entries()].filter(([uid, until]) => until > now && uid !== this.self).map(([uid]) => uid);
  }

  name(uid: Uid): string {
    return this.names.get(uid) ?? `user ${uid}`;
  }

  title(chat: ChatState): string {
    if (chat.kind === 'group') return chat.title;
    return chat.peer ? this.name(chat.peer) : 'Direct chat';
  }

  // A direct chat whose peer this user blocks.
  blocksPeer(chat: ChatState): boolean {
    return chat.kind === 'direct' && chat.peer !== null && this.blocked.has(chat.peer);
  }

  setBlocked(users: Uid[]): void {
    this.blocked.clear();
    for (const uid of users) this.blocked.add(uid);
  }

  // chat.mute's answer or a chat.muted event (the mute set on any of the
  // user's devices): the chat takes its `until` (0: unmuted). A chat not held
  // yet gets it from the chat list entry that brings it.
  setMute(chatId: ChatId, until: number): ChatState | undefined {
    const chat = this.chats.get(chatId);
    if (chat) chat.mutedUntil = until;
    return chat;
  }

  // A mute lasts while `until` is ahead of the clock (docs/protocol.md).
  isMuted(chat: ChatState, now: number): boolean {
    return chat.mutedUntil > now;
  }

  sortedChats(): ChatState[] {
    const recency = (chat: ChatState) => this.lastMessage(chat)?.ts ?? 0;
    return [...this.chats.values()].sort((a, b) => recency(b) - recency(a) || b.id - a.id);
  }
}
