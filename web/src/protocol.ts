// The wire contract's shapes (docs/protocol.md) as the app uses them, and the
// topic names it builds and parses.

export type Uid = number;
export type ChatId = number;

export interface MediaRef {
  id: string;
  mime?: string;
  size?: number;
}

export type ContentType = 'text' | 'image' | 'voice' | 'file';
// Messages that act on messages (docs/protocol.md, "Messages that act on messages").
export type ActionType = 'edit' | 'delete' | 'reaction';

// {"👍": [uid, …]}: who reacted with what (a record's current state).
export type Reactions = Record<string, Uid[]>;

// A message as stored (history/sync records) or as received live (no chat,
// no seq: the bridge assigns those when it stores the sender's payload).
export interface MessageRecord {
  chat?: ChatId;
  seq?: number;
  from: Uid;
  id: string;
  type: ContentType | ActionType;
  text?: string;
  media?: MediaRef;
  ts?: number;
  deleted?: boolean;
  too_large?: boolean;
  reply_to?: number; // any message: the seq it answers
  target?: number; // actions: the seq they act on
  emoji?: string; // reaction
  remove?: boolean; // reaction taken back
  edited_at?: number; // records: the latest edit's server time
  reactions?: Reactions; // records: left out when there are none
}

export function isAction(type: string): type is ActionType {
  return type === 'edit' || type === 'delete' || type === 'reaction';
}

export interface Member {
  uid: Uid;
  role: 'owner' | 'member';
  delivered_seq: number;
  read_seq: number;
}

export interface ChatRecord {
  id: ChatId;
  kind: 'direct' | 'group';
  title: string;
  owner: Uid | null;
  last_seq: number;
  members?: Member[];
}

export interface ChatListEntry extends ChatRecord {
  role: 'owner' | 'member';
  delivered_seq: number;
  read_seq: number;
  unread: number;
  peer?: Uid;
  // The caller's mute of the chat (chat.mute), server ms, only while it lasts.
  muted_until?: number;
}

export interface Ack {
  chat: ChatId;
  id: string;
  seq: number;
  ts: number;
}

export interface Receipt {
  type: 'delivered' | 'read';
  seq?: number;
  refs?: { from?: Uid; id: string }[];
}

export interface Presence {
  online: boolean;
  last_seen?: number | null;
}

// Live on u/{uid}/ev, and in sync's `membership`.
export type MembershipEvent = { ev: 'chat.added' | 'chat.updated' | 'chat.removed' | 'chat.deleted'; chat: ChatRecord };

export type ServerEvent =
  | { ev: 'acks'; acks: Ack[] }
  | { ev: 'ack'; chat: ChatId; id: string; seq: number; ts: number }
  | { ev: 'nack'; id: string | null; topic: string; error: string; detail?: string }
  | MembershipEvent
  // The user's mute of a chat, set on any of its devices (chat.mute): `until`
  // server ms, 0 for an unmute. `chat` is the chat's id, not a record.
  | { ev: 'chat.muted'; chat: ChatId; until: number };

export interface RequestError {
  code: string;
  message: string;
}

export interface SyncAnswer {
  chats: { chat: ChatId; messages: MessageRecord[]; more: boolean }[];
  membership: MembershipEvent[];
  more: boolean;
}

// Where a conversation's traffic goes: a direct chat by the peer's uid, a
// group by its id.
export type Address = { kind: 'direct'; peer: Uid } | { kind: 'group'; chat: ChatId };

export const topics = {
  message(address: Address, self: Uid): string {
    return address.kind === 'direct' ? `dm/${address.peer}/msg/${self}` : `g/${address.chat}/msg/${self}`;
  },
  receipt(address: Address, self: Uid): string {
    return address.kind === 'direct' ? `dm/${address.peer}/rcpt/${self}` : `g/${address.chat}/rcpt/${self}`;
  },
  typing(address: Address, self: Uid): string {
    return address.kind === 'direct' ? `dm/${address.peer}/typing/${self}` : `g/${address.chat}/typing/${self}`;
  },
  request(self: Uid, device: string): string {
    return `req/${self}/${device}`;
  },
  state(self: Uid, device: string): string {
    return `st/${self}/${device}`;
  },
  // The subscriptions every device holds (section 2), groups added per chat.
  own(self: Uid, device: string): string[] {
    return [`dm/${self}/#`, `dm/+/+/${self}`, `u/${self}/ev`, `u/${self}/rsp/${device}`];
  },
  group(chat: ChatId): string {
    return `g/${chat}/#`;
  },
  presence(uid: Uid): string {
    return `presence/${uid}`;
  },
};

// A received topic, parsed: what it is and who it concerns.
export type Incoming =
  | { what: 'msg' | 'rcpt' | 'typing'; address: Address; from: Uid; to?: Uid }
  | { what: 'event' }
  | { what: 'answer' }
  | { what: 'presence'; uid: Uid };

const id = (text: string | undefined): number | null => (text && /^[1-9][0-9]*$/.test(text) ? Number(text) : null);

export function parseTopic(topic: string, self: Uid): Incoming | null {
  const parts = topic.split('/');
  if (parts[0] === 'dm' && parts.length === 4) {
    const to = id(parts[1]);
    const from = id(parts[3]);
    const what = parts[2];
    if (to === null || from === null || (what !== 'msg' && what !== 'rcpt' && what !== 'typing')) return null;
    // Our own copy (another device of ours sent it) belongs to the chat with `to`.
    const peer = from === self ? to : from;
    return { what, address: { kind: 'direct', peer }, from, to };
  }
  if (parts[0] === 'g' && parts.length === 4) {
    const chat = id(parts[1]);
    const from = id(parts[3]);
    const what = parts[2];
    if (chat === null || from === null || (what !== 'msg' && what !== 'rcpt' && what !== 'typing')) return null;
    return { what, address: { kind: 'group', chat }, from };
  }
  if (parts[0] === 'u' && parts[2] === 'ev') return { what: 'event' };
  if (parts[0] === 'u' && parts[2] === 'rsp') return { what: 'answer' };
  if (parts[0] === 'presence' && parts.length === 2) {
    const uid = id(parts[1]);
    return uid === null ? null : { what: 'presence', uid };
  }
  return null;
}

// Client message ids: ^[A-Za-z0-9_-]{1,64}$, unique per sender.
export function newMessageId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'w' + Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
}

// search (docs/protocol.md, "Search"): a page of hits, newest first.
export interface SearchHit {
  chat: ChatId;
  seq: number;
  from: Uid;
  ts: number;
  snippet: string;
}

export interface SearchAnswer {
  hits: SearchHit[];
  more: boolean;
  next: string | null;
}

// The contract's bounds on `q`: 1 to 100 code points, not only spaces, no NUL.
export const kSearchQueryMaxCodePoints = 100;

// chat.mute's `until` (server ms): the largest the contract allows, for a mute
// with no end; 0 unmutes.
export const kMuteForever = 253_402_300_799_999;
