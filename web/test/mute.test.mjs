// Per-chat mute in the web app (issue #16, contract: chat.mute), in a real
// browser against the real stack: a toggle in the chat header, a muted icon
// in the chat list, the mute kept by the server (the chat_members row the
// notifier reads) and read back from it (chat.list's muted_until): shown
// again after a reload and in a second browser of the same user (its own
// profile: nothing shared but the server); then, with both open, a change
// on either shows on the other at once (the chat.muted event), no reload.
// Every wait is for what the app must show.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { artifactPath, chatItem, createUser, databaseValue, openBrowser, send, signIn, startDirectChat, waitConnected, waitStatus } from './harness.mjs';

const kTestTimeoutMs = 120_000;

let mia;
let noah;
let miaBrowser;
let miaOtherBrowser;

before(async () => {
  mia = await createUser('mia');
  noah = await createUser('noah');
  miaBrowser = await openBrowser();
  await signIn(miaBrowser.page, mia);
  await startDirectChat(miaBrowser.page, noah.username);
  await send(miaBrowser.page, 'about to mute you');
  await waitStatus(miaBrowser.page, 'about to mute you', ['sent', 'delivered', 'read']);
}, { timeout: kTestTimeoutMs });

afterEach(async () => {
  await miaBrowser?.page.screenshot({ path: artifactPath('mute-mia.png') }).catch(() => undefined);
  await miaOtherBrowser?.page.screenshot({ path: artifactPath('mute-mia-other.png') }).catch(() => undefined);
});

after(async () => {
  await miaBrowser?.close();
  await miaOtherBrowser?.close();
});

// The mute the server keeps for Mia in that chat: '' when none.
function mutedUntil(chatId) {
  return databaseValue(`SELECT coalesce(muted_until::text, '') FROM chat_members WHERE chat_id = ${Number(chatId)} AND user_id = ${Number(mia.uid)}`);
}

test('mute from the header: a muted icon in the list, kept by the server, after a reload and on another device, which follows an unmute and a mute at once', { timeout: kTestTimeoutMs }, async () => {
  const m = miaBrowser.page;
  const item = chatItem(m, 'noah');
  const chatId = await item.getAttribute('data-chat-id');
  assert.equal(mutedUntil(chatId), '');

  await m.getByRole('button', { name: 'Mute this chat', exact: true }).click();
  await m.locator('#mute-button[aria-pressed="true"]', { hasText: 'Unmute' }).waitFor();
  await item.locator('.muted-icon', { hasText: '(muted)' }).waitFor();
  // The button shows the mute once chat.mute was answered: the row holds it.
  assert.notEqual(mutedUntil(chatId), '');

  await m.reload();
  await waitConnected(m);
  await item.locator('.muted-icon').waitFor();
  await item.click();
  await m.locator('#mute-button[aria-pressed="true"]').waitFor();

  // Another device of Mia's (a browser with its own storage) reads the mute
  // from its chat list: the icon, and the header's toggle pressed.
  miaOtherBrowser = await openBrowser();
  const o = miaOtherBrowser.page;
  await signIn(o, mia);
  const otherItem = chatItem(o, 'noah');
  await otherItem.locator('.muted-icon', { hasText: '(muted)' }).waitFor();
  await otherItem.click();
  await o.locator('#mute-button[aria-pressed="true"]', { hasText: 'Unmute' }).waitFor();

  // An unmute on the first device: the second, open on the same chat, lifts
  // it in its list and its header without a reload.
  await m.getByRole('button', { name: 'Unmute this chat', exact: true }).click();
  await m.locator('#mute-button[aria-pressed="false"]', { hasText: 'Mute' }).waitFor();
  await item.locator('.muted-icon').waitFor({ state: 'detached' });
  assert.equal(mutedUntil(chatId), '');
  await otherItem.locator('.muted-icon').waitFor({ state: 'detached' });
  await o.locator('#mute-button[aria-pressed="false"]', { hasText: 'Mute' }).waitFor();

  // And a mute on the second device appears on the first.
  await o.getByRole('button', { name: 'Mute this chat', exact: true }).click();
  await o.locator('#mute-button[aria-pressed="true"]', { hasText: 'Unmute' }).waitFor();
  await item.locator('.muted-icon', { hasText: '(muted)' }).waitFor();
  await m.locator('#mute-button[aria-pressed="true"]', { hasText: 'Unmute' }).waitFor();
  assert.notEqual(mutedUntil(chatId), '');
  assert.deepEqual(miaBrowser.errors, []);
  assert.deepEqual(miaOtherBrowser.errors, []);
});
