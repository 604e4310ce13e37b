// Unit tests of the app's pure state (src/store.ts): deduplication, order,
// delivery marks and receipt cursors. esbuild turns the TypeScript into a
// module in memory; no browser, no server.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { build } from 'esbuild';

const bundled = await build({
  entryPoints: [fileURLToPath(new URL('../src/store.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'error',
});
const { Store } = await import(`data:text/javascript,${encodeURIComponent(bundled.outputFiles[0].text)}`);

const ME = 1;
const PEER = 2;
const OTHER = 3;

function directChat(store) {
  return store.upsertChat({
    id: 10, kind: 'direct', title: '', owner: null, last_seq: 0,
    members: [
      { uid: ME, role: 'member', delivered_seq: 0, read_seq: 0 },
      { uid: PEER, role: 'member', delivered_seq: 0, read_seq: 0 },
    ],
  });
}

function groupChat(store) {
  return store.upsertChat({
    id: 20, kind: 'group', title: 'g', owner: ME, last_seq: 0,
    members: [
      { uid: ME, role: 'owner', delivered_seq: 0, read_seq: 0 },
      { uid: PEER, role: 'member', delivered_seq: 0, read_seq: 0 },
      { uid: OTHER, role: 'member', delivered_seq: 0, read_seq: 0 },
    ],
  });
}

test('a direct chat learns its peer from its members', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  assert.equal(chat.peer, PEER);
  assert.equal(store.chatWithPeer(PEER), chat);
});

test('a message is kept once by sender and id; a live copy learns its seq from the stored record', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  assert.equal(store.addMessages(chat, [{ from: PEER, id: 'a', type: 'text', text: 'hi', ts: 5 }]).length, 1);
  assert.equal(store.addMessages(chat, [{ from: PEER, id: 'a', type: 'text', text: 'hi', ts: 5 }]).length, 0);
  // The same id from another sender is another message.
  assert.equal(store.addMessages(chat, [{ from: ME, id: 'a', type: 'text', text: 'me', ts: 6 }]).length, 1);
  store.addMessages(chat, [{ chat: 10, seq: 7, from: PEER, id: 'a', type: 'text', text: 'hi', ts: 9 }]);
  assert.equal(chat.messages.length, 2);
  assert.equal(chat.messages.find((m) => m.from === PEER).seq, 7);
  assert.equal(store.highestSeq(chat), 7);
});

test('stored messages go by seq, the others by time among them', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  store.addMessages(chat, [
    { seq: 2, from: PEER, id: 'b', type: 'text', text: 'second', ts: 200 },
    { seq: 1, from: PEER, id: 'a', type: 'text', text: 'first', ts: 100 },
  ]);
  store.addMessages(chat, [{ from: ME, id: 'c', type: 'text', text: 'pending', ts: 300 }]);
  assert.deepEqual(chat.messages.map((m) => m.text), ['first', 'second', 'pending']);
  assert.equal(store.lowestSeq(chat), 1);
  // A live message (no seq) goes by its time, also before stored ones.
  store.addMessages(chat, [{ from: PEER, id: 'z', type: 'text', text: 'live, earlier', ts: 50 }]);
  assert.equal(chat.messages[0].text, 'live, earlier');
});

test('marks: waiting, sent on the ack, delivered and read from the other members’ cursors', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  store.addMessages(chat, [{ from: ME, id: 'm', type: 'text', text: 'x', ts: 1 }]);
  const message = chat.messages[0];
  assert.equal(store.mark(chat, message, true), 'pending');
  store.acked(chat, 'm', 4, 2);
  assert.equal(message.seq, 4);
  assert.equal(store.mark(chat, message, false), 'sent');
  store.receipt(chat, PEER, 'delivered', 4);
  assert.equal(store.mark(chat, message, false), 'delivered');
  store.receipt(chat, PEER, 'read', 4);
  assert.equal(store.mark(chat, message, false), 'read');
  // Cursors only move forward.
  store.receipt(chat, PEER, 'delivered', 1);
  assert.equal(store.mark(chat, message, false), 'read');
  message.failed = 'forbidden';
  assert.equal(store.mark(chat, message, false), 'failed');
});

test('in a group a mark needs every other member; read moves delivered too', () => {
  const store = new Store(ME);
  const chat = groupChat(store);
  store.addMessages(chat, [{ seq: 3, from: ME, id: 'g', type: 'text', text: 'x', ts: 1 }]);
  const message = chat.messages[0];
  store.receipt(chat, PEER, 'read', 3);
  assert.equal(store.mark(chat, message, false), 'sent');
  store.receipt(chat, OTHER, 'delivered', 3);
  assert.equal(store.mark(chat, message, false), 'delivered');
  store.receipt(chat, OTHER, 'read', 5);
  assert.equal(store.mark(chat, message, false), 'read');
});

test('a receipt’s refs name the newest of our messages they can find', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  store.addMessages(chat, [
    { seq: 1, from: ME, id: 'a', type: 'text', text: '1', ts: 1 },
    { seq: 2, from: ME, id: 'b', type: 'text', text: '2', ts: 2 },
    { seq: 3, from: PEER, id: 'b', type: 'text', text: '3', ts: 3 },
  ]);
  assert.equal(store.seqOfRefs(chat, [{ id: 'a' }, { id: 'b' }], ME), 2);
  assert.equal(store.seqOfRefs(chat, [{ id: 'b', from: PEER }], ME), 3);
  assert.equal(store.seqOfRefs(chat, [{ id: 'unknown' }], ME), 0);
});

test('typing shows others only, until its time is up or their message arrives', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  chat.typing.set(PEER, 1_000);
  chat.typing.set(ME, 1_000);
  assert.deepEqual(store.typingNow(chat, 500), [PEER]);
  assert.deepEqual(store.typingNow(chat, 1_500), []);
  store.addMessages(chat, [{ from: PEER, id: 't', type: 'text', text: 'done', ts: 1 }]);
  assert.deepEqual(store.typingNow(chat, 500), []);
});

// ---- messages that act on messages (docs/protocol.md, "Messages that act on messages")

function withStored(store, chat) {
  store.addMessages(chat, [
    { seq: 1, from: PEER, id: 'p1', type: 'text', text: 'original', ts: 1 },
    { seq: 2, from: ME, id: 'm2', type: 'image', media: { id: 'x' }, text: 'caption', ts: 2 },
  ]);
}

test('actions change their target and are not shown themselves', () => {
  const store = new Store(ME);
  const chat = groupChat(store);
  withStored(store, chat);
  store.addMessages(chat, [
    { seq: 3, from: PEER, id: 'e', type: 'edit', target: 1, text: 'corrected', ts: 30 },
    { seq: 4, from: ME, id: 'r1', type: 'reaction', target: 1, emoji: '👍', ts: 40 },
    { seq: 5, from: OTHER, id: 'r2', type: 'reaction', target: 1, emoji: '👍', ts: 41 },
    { seq: 6, from: OTHER, id: 'r3', type: 'reaction', target: 1, emoji: '❤️', ts: 42 },
    { seq: 7, from: OTHER, id: 'r4', type: 'reaction', target: 1, emoji: '❤️', remove: true, ts: 43 },
  ]);
  const target = store.bySeq(chat, 1);
  assert.equal(target.text, 'corrected');
  assert.equal(target.edited_at, 30);
  assert.deepEqual(target.reactions, { '👍': [ME, OTHER] });
  assert.deepEqual(store.shown(chat).map((m) => m.seq), [1, 2]);
  assert.equal(store.lastMessage(chat).seq, 2); // the list's preview is a message of content
  assert.equal(store.highestSeq(chat), 7); // cursors count actions
});

test('only what the sender may do is applied: the author edits, the author or the owner deletes', () => {
  const store = new Store(PEER); // PEER is not the group's owner (ME is)
  const chat = groupChat(store);
  withStored(store, chat);
  const applied = (action) => store.applyAction(chat, action);
  assert.equal(applied({ from: OTHER, id: 'x1', type: 'edit', target: 1, text: 'not yours' }), false);
  assert.equal(applied({ from: ME, id: 'x2', type: 'edit', target: 2, text: 'an image has no text to edit' }), false);
  assert.equal(applied({ from: PEER, id: 'x3', type: 'reaction', target: 99, emoji: '👍' }), false); // not held
  assert.equal(applied({ from: OTHER, id: 'x4', type: 'delete', target: 1 }), false);
  assert.equal(store.bySeq(chat, 1).text, 'original');
  assert.equal(applied({ from: ME, id: 'x5', type: 'delete', target: 1 }), true); // the owner
  const deleted = store.bySeq(chat, 1);
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.text, undefined);
  assert.equal(applied({ from: PEER, id: 'x6', type: 'reaction', target: 1, emoji: '👍' }), false);
});

test('a stored record’s state replaces a live copy’s; an older history page’s actions are not replayed', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  store.addMessages(chat, [{ from: PEER, id: 'p1', type: 'text', text: 'live', ts: 1 }]);
  store.addMessages(chat, [
    { seq: 1, from: PEER, id: 'p1', type: 'text', text: 'latest', edited_at: 9, reactions: { '😂': [ME] }, ts: 1 },
  ]);
  const target = chat.messages[0];
  assert.equal(target.text, 'latest');
  assert.deepEqual(target.reactions, { '😂': [ME] });
  // An older page holds an earlier edit: its target already has the latest state.
  store.addMessages(chat, [{ seq: 2, from: PEER, id: 'e-old', type: 'edit', target: 1, text: 'stale', ts: 2 }], false);
  assert.equal(target.text, 'latest');
});

test('our own action is applied once acked, not before', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  withStored(store, chat);
  store.addMessages(chat, [{ from: ME, id: 'mine', type: 'reaction', target: 1, emoji: '🎉', ts: 5 }], false);
  assert.equal(store.bySeq(chat, 1).reactions, undefined);
  store.acked(chat, 'mine', 3, 6);
  assert.equal(store.applyAction(chat, chat.messages.find((m) => m.id === 'mine')), true);
  assert.deepEqual(store.bySeq(chat, 1).reactions, { '🎉': [ME] });
});

test('blocking: a direct chat blocks its peer while the peer is in the blocked set; groups never', () => {
  const store = new Store(ME);
  const direct = directChat(store);
  const group = groupChat(store);
  assert.equal(store.blocksPeer(direct), false);
  store.setBlocked([PEER, 99]);
  assert.equal(store.blocksPeer(direct), true);
  assert.equal(store.blocksPeer(group), false);
  // user.blocked's answer replaces what was known.
  store.setBlocked([99]);
  assert.equal(store.blocksPeer(direct), false);
});

test('a mute lasts while its end is ahead of the clock; 0 is not muted', () => {
  const store = new Store(ME);
  const chat = directChat(store);
  assert.equal(chat.mutedUntil, 0);
  assert.equal(store.isMuted(chat, 1000), false);
  chat.mutedUntil = 5000;
  assert.equal(store.isMuted(chat, 4999), true);
  assert.equal(store.isMuted(chat, 5000), false);
});

test("the mute is the server's: a chat list entry sets it or, without muted_until, lifts it; a chat record keeps it", () => {
  const store = new Store(ME);
  const chat = directChat(store);
  const entry = { id: 10, kind: 'direct', title: '', owner: null, last_seq: 3, role: 'member', delivered_seq: 0, read_seq: 0, unread: 0, peer: PEER };
  store.upsertChat({ ...entry, muted_until: 9000 });
  assert.equal(chat.mutedUntil, 9000);
  assert.equal(store.isMuted(chat, 8999), true);
  // A chat record (chat.updated, chat.info) says nothing of the mute.
  store.upsertChat({ id: 10, kind: 'direct', title: '', owner: null, last_seq: 4 });
  assert.equal(chat.mutedUntil, 9000);
  // Unmuted or run out on the server (another device): the entry leaves it out.
  store.upsertChat(entry);
  assert.equal(chat.mutedUntil, 0);
  assert.equal(store.isMuted(chat, 1000), false);
});

test("a mute set on any of the user's devices (chat.muted, chat.mute's answer) sets or lifts the chat's; an unknown chat is left alone", () => {
  const store = new Store(ME);
  const chat = directChat(store);
  assert.equal(store.setMute(10, 9000), chat);
  assert.equal(store.isMuted(chat, 8999), true);
  // An unmute says 0.
  store.setMute(10, 0);
  assert.equal(chat.mutedUntil, 0);
  assert.equal(store.isMuted(chat, 1000), false);
  // A chat not held yet: its chat list entry will bring the mute.
  assert.equal(store.setMute(77, 9000), undefined);
  assert.equal(store.chats.has(77), false);
});
