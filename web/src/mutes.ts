// The mutes this browser set (chat.mute's `until` per chat), remembered in
// localStorage per user. The server keeps each mute (no push until then), but
// the contract has no way to read one back (chat.list and chat.info leave it
// out), so this is how a reload, or a later sign-in in the same browser, still
// shows a chat as muted. A mute set or lifted on another device is not seen
// here. Not a credential: the token stays in sessionStorage.
import type { ChatId, Uid } from './protocol';

export class MuteMemory {
  private readonly key: string;
  private readonly untils: Map<ChatId, number>;

  constructor(self: Uid) {
    this.key = `chat.mutes.${self}`;
    this.untils = new Map();
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) ?? '{}') as Record<string, number>;
      for (const [chat, until] of Object.entries(saved)) if (typeof until === 'number') this.untils.set(Number(chat), until);
    } catch {
      // Nothing usable saved.
    }
  }

  until(chat: ChatId): number {
    return this.untils.get(chat) ?? 0;
  }

  set(chat: ChatId, until: number): void {
    if (until > 0) this.untils.set(chat, until);
    else this.untils.delete(chat);
    try {
      localStorage.setItem(this.key, JSON.stringify(Object.fromEntries(this.untils)));
    } catch {
      // Storage full or refused: the mute holds on the server all the same.
    }
  }
}
