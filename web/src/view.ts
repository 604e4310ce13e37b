// The signed-in screen: chat list, conversation, composer, group members.
// Built once, updated by render() (coalesced to one per animation frame).
// No innerHTML: message text only ever becomes text nodes.
import { ApiError } from './api';
import type { AppView, ChatApp } from './app';
import type { ConnectionState } from './connection';
import { clear, h, timeText } from './dom';
import type { SearchHit } from './protocol';
import type { ChatState, MessageView } from './store';

const kMarkText: Record<string, [string, string]> = {
  pending: ['○', 'waiting to be sent'],
  sent: ['✓', 'sent'],
  delivered: ['✓✓', 'delivered'],
  read: ['✓✓', 'read'],
  failed: ['!', 'not sent'],
};

const kToggledForms = '#new-chat-form, #new-group-form';

// The quick reactions offered under a message (any single grapheme is allowed).
const kQuickReactions = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

function errorText(error: unknown): string {
  if (error instanceof ApiError && error.status === 404) return 'No such user.';
  if (error instanceof Error) return error.message;
  return String(error);
}

export class ChatView implements AppView {
  private readonly root: HTMLElement;
  private readonly connectionLine: HTMLElement;
  private readonly chatList: HTMLUListElement;
  private readonly conversation: HTMLElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly membersButton: HTMLButtonElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly blockButton: HTMLButtonElement;
  private readonly blockedNote: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly searchResults: HTMLElement;
  private readonly membersPanel: HTMLElement;
  private readonly messages: HTMLOListElement;
  private readonly olderButton: HTMLButtonElement;
  private readonly typingLine: HTMLElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly imageInput: HTMLInputElement;
  private readonly noticeLine: HTMLElement;
  // Above the composer: what the next send does (a reply, an edit) and its cancel.
  private readonly composerContext: HTMLElement;
  private replyTo: number | null = null; // seq of the message answered
  private editing: number | null = null; // seq of our message being edited
  private reactingTo: number | null = null; // seq whose reaction palette is open
  private readonly imageUrls = new Map<string, Promise<string>>();
  private scheduled = false;
  private renderedChat: number | null = null;
  private loadingOlder = false;
  // The message a search hit opened: highlighted, and scrolled to once.
  private highlight: { chat: number; seq: number } | null = null;
  private scrollToHighlight = false;

  constructor(
    private readonly app: ChatApp,
    private readonly onSignOut: (reason: string) => void,
  ) {
    const me = app.store.name(app.session.uid);
    this.connectionLine = h('p', { id: 'connection', role: 'status', 'aria-live': 'polite', 'data-state': 'connecting' });
    this.noticeLine = h('p', { id: 'notice', role: 'alert' });
    this.chatList = h('ul', { id: 'chat-list', 'aria-label': 'Chats', onkeydown: (e) => this.listKeys(e as KeyboardEvent) });
    this.title = h('h2', { id: 'chat-title' });
    this.subtitle = h('p', { id: 'chat-subtitle' });
    this.membersButton = h('button', { type: 'button', id: 'members-button', 'aria-expanded': 'false', onclick: () => this.toggleMembers() }, 'Members');
    this.muteButton = h('button', { type: 'button', id: 'mute-button', class: 'header-toggle', 'aria-pressed': 'false', onclick: () => void this.toggleMute() }, 'Mute');
    this.blockButton = h('button', { type: 'button', id: 'block-button', class: 'header-toggle', 'aria-pressed': 'false', onclick: () => void this.toggleBlock() }, 'Block');
    this.blockedNote = h('p', { id: 'blocked-note', hidden: true });
    this.searchInput = h('input', { id: 'search-input', type: 'search', name: 'q', autocomplete: 'off', maxlength: 200 });
    this.searchResults = h('section', { id: 'search-results', 'aria-label': 'Search results', hidden: true });
    this.membersPanel = h('section', { id: 'members-panel', 'aria-label': 'Members', hidden: true });
    this.olderButton = h('button', { type: 'button', id: 'older', onclick: () => void this.loadOlder() }, 'Load older messages');
    this.messages = h('ol', { id: 'messages', 'aria-label': 'Messages' });
    this.typingLine = h('p', { id: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', { id: 'message-input', rows: 1, placeholder: 'Message', autocomplete: 'off', onkeydown: (e) => this.composerKeys(e as KeyboardEvent), oninput: () => this.onTyping() });
    this.imageInput = h('input', { type: 'file', id: 'image-input', accept: 'image/*', class: 'visually-hidden', tabindex: -1, 'aria-hidden': 'true', onchange: () => void this.sendImage() });
    this.composerContext = h('div', { id: 'composer-context', hidden: true });
    this.composer = h(
      'form',
      { id: 'composer', onsubmit: (e) => this.submit(e) },
      h('label', { for: 'message-input', class: 'visually-hidden' }, 'Message'),
      this.input,
      // A button (a label cannot take keyboard focus) that opens the file picker.
      h('button', { type: 'button', class: 'attach', 'aria-label': 'Send an image', onclick: () => this.imageInput.click() }, 'Image'),
      this.imageInput,
      h('button', { type: 'submit', id: 'send' }, 'Send'),
    );
    this.conversation = h(
      'main',
      { class: 'conversation', 'aria-labelledby': 'chat-title' },
      h('header', { class: 'chat-header' },
        h('button', { type: 'button', class: 'back', 'aria-label': 'Back to chats', onclick: () => this.app.close() }, '←'),
        h('div', { class: 'chat-heading' }, this.title, this.subtitle),
        this.muteButton,
        this.blockButton,
        this.membersButton),
      this.blockedNote,
      this.membersPanel,
      // The scroller takes focus so that the keyboard can scroll the history (and load older pages).
      h('div', { class: 'messages-scroll', role: 'log', tabindex: 0, 'aria-label': 'Message history', onscroll: () => this.onScroll() }, this.olderButton, this.messages),
      this.typingLine,
      this.composerContext,
      this.composer,
    );
    const sidebar = h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Chats' },
      h('div', { class: 'sidebar-actions' },
        h('button', { type: 'button', id: 'new-chat', onclick: () => this.showForm('new-chat-form') }, 'New chat'),
        h('button', { type: 'button', id: 'new-group', onclick: () => this.showForm('new-group-form') }, 'New group')),
      this.newChatForm(),
      this.newGroupForm(),
      this.searchForm(),
      this.searchResults,
      this.chatList,
    );
    this.root = h(
      'div',
      { class: 'layout', 'data-view': 'list', onkeydown: (e) => { if ((e as KeyboardEvent).key === 'Escape' && this.app.openChat !== null) this.app.close(); } },
      h('header', { class: 'topbar' },
        h('h1', {}, 'Chat'),
        h('span', { class: 'me' }, `Signed in as ${me}`),
        h('button', { type: 'button', id: 'sign-out', onclick: () => this.onSignOut('') }, 'Sign out')),
      this.connectionLine,
      this.noticeLine,
      sidebar,
      this.conversation,
    );
    document.addEventListener('visibilitychange', () => {
      const chat = this.app.current();
      if (chat) this.app.markRead(chat);
    });
  }

  mount(parent: HTMLElement): void {
    clear(parent);
    parent.append(this.root);
    this.render();
  }

  // ---- AppView --------------------------------------------------------------------

  render(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.renderNow();
    });
  }

  connectionChanged(state: ConnectionState, detail: string): void {
    this.connectionLine.dataset.state = state;
    this.connectionLine.textContent = state === 'online' ? 'Connected' : detail;
    this.root.dataset.connection = state;
  }

  notice(text: string): void {
    this.noticeLine.textContent = text;
  }

  signedOut(reason: string): void {
    this.onSignOut(reason);
  }

  // ---- rendering ------------------------------------------------------------------

  private renderNow(): void {
    this.root.dataset.view = this.app.openChat === null ? 'list' : 'chat';
    this.root.dataset.catchingUp = String(this.app.catchingUp);
    this.renderList();
    this.renderSearch();
    this.renderConversation();
  }

  private renderList(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.chatId;
    clear(this.chatList);
    const store = this.app.store;
    for (const chat of store.sortedChats()) {
      const last = store.lastMessage(chat);
      const preview = last ? `${last.from === this.app.session.uid ? 'You: ' : chat.kind === 'group' ? `${store.name(last.from)}: ` : ''}${this.previewOf(last)}` : 'No messages yet';
      const online = chat.peer ? store.presence.get(chat.peer)?.online : undefined;
      const button = h(
        'button',
        { type: 'button', class: 'chat-item', 'data-chat-id': chat.id, 'aria-current': chat.id === this.app.openChat ? 'true' : undefined, onclick: () => void this.guard(() => this.app.open(chat.id)) },
        h('span', { class: 'chat-name' }, store.title(chat),
          online ? h('span', { class: 'online-dot', title: 'online' }, h('span', { class: 'visually-hidden' }, ' (online)')) : null,
          store.isMuted(chat, Date.now()) ? h('span', { class: 'muted-icon', title: 'muted' }, h('span', { 'aria-hidden': 'true' }, '🔕'), h('span', { class: 'visually-hidden' }, ' (muted)')) : null,
          store.blocksPeer(chat) ? h('span', { class: 'blocked-label' }, 'blocked') : null),
        h('span', { class: 'chat-preview' }, preview),
        chat.unread > 0 ? h('span', { class: 'unread', 'aria-label': `${chat.unread} unread` }, String(chat.unread)) : null,
      );
      this.chatList.append(h('li', {}, button));
      if (focused === String(chat.id)) button.focus();
    }
    if (store.chats.size === 0) this.chatList.append(h('li', { class: 'empty' }, this.app.catchingUp ? 'Loading chats…' : 'No chats yet: start one with “New chat”.'));
  }

  private previewOf(message: MessageView | undefined): string {
    if (!message) return '';
    if (message.deleted) return 'Message deleted';
    if (message.type === 'image') return message.text ? `Photo: ${message.text}` : 'Photo';
    if (message.type !== 'text') return `[${message.type}]`;
    return message.text ?? '';
  }

  private renderConversation(): void {
    const chat = this.app.current();
    this.conversation.hidden = !chat;
    if (!chat) {
      this.renderedChat = null;
      return;
    }
    const store = this.app.store;
    this.title.textContent = store.title(chat);
    this.subtitle.textContent = this.subtitleOf(chat);
    this.membersButton.hidden = chat.kind !== 'group';
    this.renderHeaderToggles(chat);
    const switched = this.renderedChat !== chat.id;
    if (switched || chat.kind !== 'group') {
      this.membersPanel.hidden = true;
      this.membersButton.setAttribute('aria-expanded', 'false');
    }
    if (switched) this.cancelContext();
    if (switched && this.highlight?.chat !== chat.id) this.highlight = null;
    this.renderComposerContext(chat);
    if (!this.membersPanel.hidden) this.renderMembers(chat);

    const list = this.messages;
    const scroller = list.parentElement!;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    // The list is built anew: a highlighted message that had the focus keeps it.
    const highlightFocused = (document.activeElement as HTMLElement | null)?.classList.contains('highlight') ?? false;
    clear(list);
    for (const message of store.shown(chat)) list.append(this.messageItem(chat, message));
    this.olderButton.hidden = !chat.hasOlder;
    if (switched || atBottom) scroller.scrollTop = scroller.scrollHeight;
    // A conversation that just opened takes the keyboard in its composer when
    // the focus was lost (the list is hidden on a phone); in the list on a
    // desktop it stays, for the arrow keys.
    const active = document.activeElement as HTMLElement | null;
    if (switched && (!active || active === document.body || active.offsetParent === null)) this.input.focus();
    else scroller.scrollTop = scroller.scrollHeight - fromBottom;
    this.renderedChat = chat.id;
    if (highlightFocused) list.querySelector<HTMLElement>('li.msg.highlight')?.focus({ preventScroll: true });
    this.showHighlight(chat);

    const typing = store.typingNow(chat, Date.now());
    this.typingLine.textContent = typing.length === 0 ? '' : `${typing.map((uid) => store.name(uid)).join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`;
  }

  private subtitleOf(chat: ChatState): string {
    if (chat.kind === 'group') return `${chat.members.size} members`;
    const presence = chat.peer ? this.app.store.presence.get(chat.peer) : undefined;
    if (!presence) return '';
    if (presence.online) return 'online';
    return presence.last_seen ? `last seen ${timeText(presence.last_seen)}` : 'offline';
  }

  private messageItem(chat: ChatState, message: MessageView): HTMLLIElement {
    const self = this.app.session.uid;
    const mine = message.from === self;
    const mark = mine ? this.app.store.mark(chat, message, this.app.pending(message.id)) : null;
    const body: (Node | null)[] = [];
    if (message.deleted) body.push(h('p', { class: 'text deleted' }, 'This message was deleted.'));
    else if (message.too_large) body.push(h('p', { class: 'text deleted' }, 'This message is too large to show.'));
    else {
      if (message.type === 'image' && message.media) body.push(this.image(message, chat));
      else if (message.type !== 'text') body.push(h('p', { class: 'text' }, `[${message.type}]`));
      if (message.text) body.push(h('p', { class: 'text' }, message.text));
    }
    const [markText, markLabel] = mark ? kMarkText[mark] : ['', ''];
    const edited = message.edited_at && !message.deleted;
    return h(
      'li',
      { class: `msg ${mine ? 'mine' : 'theirs'}${this.isHighlighted(chat, message) ? ' highlight' : ''}`, tabindex: this.isHighlighted(chat, message) ? -1 : undefined, 'data-id': message.id, 'data-from': message.from, 'data-seq': message.seq, 'data-status': mark ?? undefined, 'data-deleted': message.deleted ? 'true' : undefined },
      chat.kind === 'group' && !mine ? h('span', { class: 'author' }, this.app.store.name(message.from)) : null,
      message.reply_to ? this.quote(chat, message.reply_to) : null,
      ...body,
      this.reactionsOf(chat, message),
      message.failed ? h('p', { class: 'failed-note' }, `Not sent: ${message.failed}`) : null,
      h('span', { class: 'meta' },
        edited ? h('span', { class: 'edited', title: `edited ${timeText(message.edited_at)}` }, 'edited') : null,
        h('time', { datetime: message.ts ? new Date(message.ts).toISOString() : undefined }, timeText(message.ts)),
        mark ? h('span', { class: `mark mark-${mark}`, title: message.failed ?? markLabel }, h('span', { 'aria-hidden': 'true' }, markText), h('span', { class: 'visually-hidden' }, markLabel)) : null),
      this.actionsOf(chat, message),
    );
  }

  // A reply shows the message it answers (as it is now: edited, or deleted).
  private quote(chat: ChatState, seq: number): HTMLElement {
    const target = this.app.store.bySeq(chat, seq);
    const text = !target ? 'an earlier message' : target.deleted ? 'Message deleted' : this.previewOf(target);
    return h('blockquote', { class: 'reply-quote', 'data-reply-to': seq },
      target ? h('span', { class: 'quote-author' }, this.app.store.name(target.from)) : null,
      h('span', { class: 'quote-text' }, text));
  }

  // Reactions under a message: each emoji with its count; ours pressed, a
  // click takes ours back or adds it.
  private reactionsOf(chat: ChatState, message: MessageView): HTMLElement | null {
    const reactions = Object.entries(message.reactions ?? {});
    if (reactions.length === 0 || message.deleted) return null;
    const self = this.app.session.uid;
    return h('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' },
      ...reactions.map(([emoji, users]) => {
        const mine = users.includes(self);
        const names = users.map((uid) => (uid === self ? 'you' : this.app.store.name(uid))).join(', ');
        return h('button', { type: 'button', class: 'reaction', 'data-emoji': emoji, 'aria-pressed': String(mine), title: names,
          'aria-label': `${emoji} ${users.length}: ${names}${mine ? ' (remove yours)' : ''}`,
          onclick: () => this.app.react(chat, message.seq!, emoji, mine) },
        `${emoji} ${users.length}`);
      }));
  }

  // Reply, react, and for our own (or, for a group's owner, anyone's) edit and delete.
  private actionsOf(chat: ChatState, message: MessageView): HTMLElement | null {
    if (!message.seq || message.deleted || message.too_large || message.failed) return null;
    const self = this.app.session.uid;
    const mine = message.from === self;
    const seq = message.seq;
    const canDelete = mine || (chat.kind === 'group' && chat.owner === self);
    const palette = this.reactingTo === seq
      ? h('div', { class: 'palette', role: 'group', 'aria-label': 'Choose a reaction' },
        ...kQuickReactions.map((emoji) => {
          const held = (message.reactions?.[emoji] ?? []).includes(self);
          return h('button', { type: 'button', class: 'palette-emoji', 'aria-label': `React with ${emoji}`, 'aria-pressed': String(held),
            onclick: () => { this.reactingTo = null; this.app.react(chat, seq, emoji, held); this.render(); } }, emoji);
        }))
      : null;
    return h('div', { class: 'msg-actions' },
      h('button', { type: 'button', class: 'act reply', 'aria-label': 'Reply', onclick: () => this.startReply(seq) }, 'Reply'),
      h('button', { type: 'button', class: 'act react', 'aria-label': 'React', 'aria-expanded': String(this.reactingTo === seq),
        onclick: () => { this.reactingTo = this.reactingTo === seq ? null : seq; this.render(); } }, 'React'),
      mine && message.type === 'text' ? h('button', { type: 'button', class: 'act edit', 'aria-label': 'Edit', onclick: () => this.startEdit(message) }, 'Edit') : null,
      canDelete ? h('button', { type: 'button', class: 'act delete', 'aria-label': 'Delete for everyone', onclick: () => this.app.deleteMessage(chat, seq) }, 'Delete') : null,
      palette);
  }

  private startReply(seq: number): void {
    this.editing = null;
    this.replyTo = seq;
    this.render();
    this.input.focus();
  }

  private startEdit(message: MessageView): void {
    this.replyTo = null;
    this.editing = message.seq ?? null;
    this.input.value = message.text ?? '';
    this.render();
    this.input.focus();
  }

  private cancelContext(): void {
    if (this.editing !== null) this.input.value = '';
    this.replyTo = null;
    this.editing = null;
    this.reactingTo = null;
  }

  private renderComposerContext(chat: ChatState): void {
    clear(this.composerContext);
    const seq = this.editing ?? this.replyTo;
    const target = this.app.store.bySeq(chat, seq ?? undefined);
    this.composerContext.hidden = seq === null;
    if (seq === null) return;
    const what = this.editing !== null ? 'Editing your message' : `Replying to ${target ? this.app.store.name(target.from) : 'a message'}`;
    this.composerContext.append(
      h('span', { class: 'context-text' }, `${what}: ${target ? this.previewOf(target) : ''}`),
      h('button', { type: 'button', class: 'cancel', onclick: () => { this.cancelContext(); this.render(); this.input.focus(); } }, 'Cancel'));
  }

  private image(message: MessageView, chat: ChatState): HTMLElement {
    const media = message.media!;
    const img = h('img', { class: 'inline-image', alt: message.text ? `Image: ${message.text}` : `Image from ${this.app.store.name(message.from)}`, 'data-media-id': media.id });
    let url = this.imageUrls.get(media.id);
    if (!url) {
      url = this.app.api.mediaUrl(media.id);
      this.imageUrls.set(media.id, url);
      url.catch(() => this.imageUrls.delete(media.id));
    }
    url
      .then((src) => {
        img.src = src;
        img.addEventListener('load', () => {
          if (this.renderedChat === chat.id) this.render();
        }, { once: true });
      })
      .catch(() => img.replaceWith(h('p', { class: 'text deleted' }, 'Image not available.')));
    return img;
  }

  private renderMembers(chat: ChatState): void {
    clear(this.membersPanel);
    const self = this.app.session.uid;
    const owner = chat.owner === self;
    const list = h('ul', { class: 'members' });
    for (const [uid, member] of chat.members) {
      const canRemove = owner ? uid !== self : uid === self;
      list.append(
        h('li', { 'data-uid': uid },
          h('span', {}, `${this.app.store.name(uid)}${uid === self ? ' (you)' : ''}${member.role === 'owner' ? ' · owner' : ''}`),
          canRemove ? h('button', { type: 'button', class: 'remove', onclick: () => void this.guard(() => this.app.removeMember(chat, uid)) }, uid === self ? 'Leave group' : `Remove ${this.app.store.name(uid)}`) : null),
      );
    }
    this.membersPanel.append(h('h3', {}, 'Members'), list);
    if (owner) {
      const input = h('input', { id: 'add-members', name: 'usernames', autocomplete: 'off', placeholder: 'username, username' });
      this.membersPanel.append(
        h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); void this.guard(async () => { await this.app.addMembers(chat, input.value.split(',')); input.value = ''; }); } },
          h('label', { for: 'add-members' }, 'Add members (usernames)'), input, h('button', { type: 'submit' }, 'Add')),
      );
    }
  }

  // Mute (any chat) and block (a direct chat's peer): toggles with their state
  // in aria-pressed and their text.
  private renderHeaderToggles(chat: ChatState): void {
    const store = this.app.store;
    const muted = store.isMuted(chat, Date.now());
    this.muteButton.textContent = muted ? 'Unmute' : 'Mute';
    this.muteButton.setAttribute('aria-pressed', String(muted));
    this.muteButton.setAttribute('aria-label', muted ? 'Unmute this chat' : 'Mute this chat');
    const blocked = store.blocksPeer(chat);
    this.blockButton.hidden = chat.kind !== 'direct' || chat.peer === null;
    this.blockButton.textContent = blocked ? 'Unblock' : 'Block';
    this.blockButton.setAttribute('aria-pressed', String(blocked));
    this.blockButton.setAttribute('aria-label', `${blocked ? 'Unblock' : 'Block'} ${store.title(chat)}`);
    this.blockedNote.hidden = !blocked;
    this.blockedNote.textContent = blocked ? `You blocked ${store.title(chat)}: their messages, typing and receipts do not reach you, and they do not see when you are online.` : '';
  }

  private async toggleMute(): Promise<void> {
    const chat = this.app.current();
    if (!chat) return;
    await this.guard(() => this.app.setMuted(chat, !this.app.store.isMuted(chat, Date.now())));
  }

  private async toggleBlock(): Promise<void> {
    const chat = this.app.current();
    if (!chat || chat.peer === null) return;
    const peer = chat.peer;
    await this.guard(() => this.app.setBlocked(peer, !this.app.store.blocked.has(peer)));
  }

  // ---- search ---------------------------------------------------------------------

  private searchForm(): HTMLFormElement {
    return h('form', { id: 'search-form', class: 'inline-form', role: 'search', onsubmit: (e) => { e.preventDefault(); void this.app.runSearch(this.searchInput.value); } },
      h('label', { for: 'search-input' }, 'Search messages'),
      h('div', { class: 'search-row' }, this.searchInput, h('button', { type: 'submit', id: 'search-button' }, 'Search')));
  }

  private renderSearch(): void {
    const results = this.app.search;
    this.searchResults.hidden = !results;
    if (!results) return;
    clear(this.searchResults);
    const count = results.hits.length;
    const status = results.status === 'failed' ? results.error
      : results.status === 'searching' && count === 0 ? 'Searching…'
        : count === 0 ? `No messages found for “${results.query}”.`
          : `${count}${results.more ? '+' : ''} ${count === 1 ? 'message' : 'messages'} found for “${results.query}”.`;
    this.searchResults.append(
      h('div', { class: 'search-head' },
        h('p', { id: 'search-status', role: 'status', 'data-status': results.status }, status),
        h('button', { type: 'button', id: 'search-close', class: 'cancel', onclick: () => { this.app.clearSearch(); this.searchInput.focus(); } }, 'Close search')));
    if (count > 0) this.searchResults.append(h('ul', { id: 'search-hits', 'aria-label': 'Found messages' }, ...results.hits.map((hit) => h('li', {}, this.hitButton(hit)))));
    if (results.more) {
      this.searchResults.append(h('button', { type: 'button', id: 'search-more', disabled: results.status === 'searching', onclick: () => void this.app.searchMore() },
        results.status === 'searching' ? 'Loading…' : 'More results'));
    }
  }

  private hitButton(hit: SearchHit): HTMLButtonElement {
    const store = this.app.store;
    const chat = store.chats.get(hit.chat);
    const who = hit.from === this.app.session.uid ? 'You' : store.name(hit.from);
    return h('button', { type: 'button', class: 'search-hit', 'data-chat-id': hit.chat, 'data-seq': hit.seq, onclick: () => void this.openHit(hit) },
      h('span', { class: 'hit-where' }, chat ? store.title(chat) : 'A chat'),
      h('time', { class: 'hit-time', datetime: new Date(hit.ts).toISOString() }, timeText(hit.ts)),
      h('span', { class: 'hit-snippet' }, `${who}: ${hit.snippet}`));
  }

  private async openHit(hit: SearchHit): Promise<void> {
    this.highlight = { chat: hit.chat, seq: hit.seq };
    this.scrollToHighlight = true;
    await this.guard(async () => {
      const found = await this.app.openAt(hit.chat, hit.seq);
      if (!found) {
        this.highlight = null;
        this.notice('That message is no longer there.');
      }
      this.render();
    });
  }

  private isHighlighted(chat: ChatState, message: MessageView): boolean {
    return this.highlight !== null && this.highlight.chat === chat.id && message.seq === this.highlight.seq;
  }

  // Scrolls to the highlighted message once it is in the list, and gives it
  // the focus (so that a screen reader reads it and the keyboard goes on from there).
  private showHighlight(chat: ChatState): void {
    if (!this.scrollToHighlight || this.highlight?.chat !== chat.id) return;
    const item = this.messages.querySelector<HTMLElement>(`li.msg[data-seq="${this.highlight.seq}"]`);
    if (!item) return;
    this.scrollToHighlight = false;
    item.scrollIntoView({ block: 'center' });
    item.focus({ preventScroll: true });
  }

  // ---- forms and keys ------------------------------------------------------------

  private newChatForm(): HTMLFormElement {
    const input = h('input', { id: 'new-chat-username', name: 'username', required: true, autocomplete: 'off' });
    return h('form', { id: 'new-chat-form', class: 'inline-form', hidden: true, onsubmit: (e) => { e.preventDefault(); void this.guard(async () => { await this.app.startDirect(input.value); input.value = ''; this.hideForms(); this.input.focus(); }); } },
      h('label', { for: 'new-chat-username' }, 'Username'), input, h('button', { type: 'submit' }, 'Start chat'));
  }

  private newGroupForm(): HTMLFormElement {
    const title = h('input', { id: 'new-group-title', name: 'title', required: true, maxlength: 128, autocomplete: 'off' });
    const members = h('input', { id: 'new-group-members', name: 'members', autocomplete: 'off', placeholder: 'username, username' });
    return h('form', { id: 'new-group-form', class: 'inline-form', hidden: true, onsubmit: (e) => { e.preventDefault(); void this.guard(async () => { await this.app.createGroup(title.value, members.value.split(',')); title.value = ''; members.value = ''; this.hideForms(); this.input.focus(); }); } },
      h('label', { for: 'new-group-title' }, 'Group name'), title,
      h('label', { for: 'new-group-members' }, 'Members (usernames, comma-separated)'), members,
      h('button', { type: 'submit' }, 'Create group'));
  }

  // The forms the sidebar's buttons open, one at a time (the search form stays).
  private showForm(id: string): void {
    for (const form of this.root.querySelectorAll<HTMLFormElement>(kToggledForms)) form.hidden = form.id !== id ? true : !form.hidden;
    this.root.querySelector<HTMLInputElement>(`#${id} input`)?.focus();
  }

  private hideForms(): void {
    for (const form of this.root.querySelectorAll<HTMLFormElement>(kToggledForms)) form.hidden = true;
  }

  private toggleMembers(): void {
    const chat = this.app.current();
    this.membersPanel.hidden = !this.membersPanel.hidden;
    this.membersButton.setAttribute('aria-expanded', String(!this.membersPanel.hidden));
    if (chat && !this.membersPanel.hidden) this.renderMembers(chat);
  }

  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      this.notice('');
      await action();
    } catch (error) {
      this.notice(errorText(error));
    }
  }

  private submit(event: Event): void {
    event.preventDefault();
    const chat = this.app.current();
    const text = this.input.value.trim();
    if (!chat || !text) return;
    if (this.editing !== null) this.app.editMessage(chat, this.editing, text);
    else this.app.sendText(chat, text, this.replyTo ?? undefined);
    this.replyTo = null;
    this.editing = null;
    this.input.value = '';
    this.input.focus();
    this.render();
  }

  private composerKeys(event: KeyboardEvent): void {
    // Escape leaves a reply or an edit first, the conversation next.
    if (event.key === 'Escape' && (this.editing !== null || this.replyTo !== null)) {
      event.stopPropagation();
      this.cancelContext();
      this.render();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.composer.requestSubmit();
    }
  }

  private onTyping(): void {
    const chat = this.app.current();
    // Editing is not writing a new message: nobody is told.
    if (chat && this.input.value && this.editing === null) this.app.typing(chat);
  }

  private async sendImage(): Promise<void> {
    const chat = this.app.current();
    const file = this.imageInput.files?.[0];
    this.imageInput.value = '';
    if (!chat || !file) return;
    await this.guard(() => this.app.sendImage(chat, file, this.input.value.trim()).then(() => { this.input.value = ''; }));
  }

  // Arrow keys move between chats; Escape goes back to the list.
  private listKeys(event: KeyboardEvent): void {
    const items = [...this.chatList.querySelectorAll<HTMLButtonElement>('.chat-item')];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    if (event.key === 'ArrowDown') items[Math.min(index + 1, items.length - 1)].focus();
    else if (event.key === 'ArrowUp') items[Math.max(index - 1, 0)].focus();
    else return;
    event.preventDefault();
  }

  private onScroll(): void {
    if ((this.messages.parentElement?.scrollTop ?? 1) < 40) void this.loadOlder();
  }

  private async loadOlder(): Promise<void> {
    const chat = this.app.current();
    if (!chat || !chat.hasOlder || this.loadingOlder) return;
    this.loadingOlder = true;
    try {
      await this.app.loadOlder(chat);
    } catch (error) {
      this.notice(errorText(error));
    } finally {
      this.loadingOlder = false;
    }
  }
}
