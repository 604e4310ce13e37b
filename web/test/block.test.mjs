// Blocking in the web app (issue #16, contract section "Blocking"), in real
// browsers against the real stack: a block from a direct chat's header, its
// visible state (kept across a reload: user.blocked), the blocked user's
// message shown as not sent (the broker's nack `forbidden`) and not kept in
// the outbox, and messages flowing again after an unblock. Every wait is for
// what the app must show.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { artifactPath, chatItem, createUser, message, openBrowser, send, signIn, startDirectChat, waitConnected, waitStatus } from './harness.mjs';

const kTestTimeoutMs = 120_000;

let kim;
let liam;
let kimBrowser;
let liamBrowser;

before(async () => {
  kim = await createUser('kim');
  liam = await createUser('liam');
  kimBrowser = await openBrowser();
  liamBrowser = await openBrowser({ width: 390, height: 780 }); // a phone-sized screen
  await signIn(kimBrowser.page, kim);
  await signIn(liamBrowser.page, liam);
  await startDirectChat(kimBrowser.page, liam.username);
  await send(kimBrowser.page, 'hello liam');
  await waitStatus(kimBrowser.page, 'hello liam', ['sent', 'delivered', 'read']);
  await chatItem(liamBrowser.page, 'kim').click();
  await message(liamBrowser.page, 'hello liam').waitFor();
}, { timeout: kTestTimeoutMs });

let caseNumber = 0;
afterEach(async () => {
  caseNumber += 1;
  await kimBrowser?.page.screenshot({ path: artifactPath(`block-${caseNumber}-kim.png`) }).catch(() => undefined);
  await liamBrowser?.page.screenshot({ path: artifactPath(`block-${caseNumber}-liam.png`) }).catch(() => undefined);
});

after(async () => {
  await kimBrowser?.close();
  await liamBrowser?.close();
});

// What the outbox holds in that tab (sessionStorage), every message id.
async function outboxIds(page) {
  return page.evaluate(() => Object.keys(sessionStorage)
    .filter((key) => key.startsWith('chat.outbox.'))
    .flatMap((key) => JSON.parse(sessionStorage.getItem(key) ?? '[]').map((m) => m.id)));
}

test('a block from the header: shown, kept across a reload, and the blocked user’s message fails', { timeout: kTestTimeoutMs }, async () => {
  const k = kimBrowser.page;
  const l = liamBrowser.page;
  await l.getByRole('button', { name: 'Block kim', exact: true }).click();
  await l.locator('#blocked-note', { hasText: 'You blocked kim' }).waitFor();
  await l.locator('#block-button[aria-pressed="true"]', { hasText: 'Unblock' }).waitFor();

  // Kim's message is refused by the broker: failed with the reason, not waiting in the outbox.
  await send(k, 'are you there?');
  const refused = message(k, 'are you there?');
  await refused.and(k.locator('[data-status="failed"]')).waitFor();
  await refused.locator('.failed-note', { hasText: 'Not sent: forbidden' }).waitFor();
  await k.locator('#notice', { hasText: 'A message was refused (forbidden).' }).waitFor();
  const id = await refused.getAttribute('data-id');
  assert.ok(!(await outboxIds(k)).includes(id), 'the refused message left the outbox');

  // The block is the server's: a reload (user.blocked) shows it again.
  await l.reload();
  await waitConnected(l);
  const item = chatItem(l, 'kim');
  await item.locator('.blocked-label', { hasText: 'blocked' }).waitFor();
  await item.click();
  await l.locator('#blocked-note', { hasText: 'You blocked kim' }).waitFor();
  assert.deepEqual(kimBrowser.errors, []);
  assert.deepEqual(liamBrowser.errors, []);
});

test('after an unblock messages flow again; the refused one never arrived', { timeout: kTestTimeoutMs }, async () => {
  const k = kimBrowser.page;
  const l = liamBrowser.page;
  await l.getByRole('button', { name: 'Unblock kim', exact: true }).click();
  await l.locator('#blocked-note').waitFor({ state: 'hidden' });
  await l.locator('#block-button[aria-pressed="false"]', { hasText: 'Block' }).waitFor();
  await chatItem(l, 'kim').locator('.blocked-label').waitFor({ state: 'detached' });
  // The marker: sent after the refused one, it must arrive; the refused one must not be there.
  await send(k, 'after the unblock');
  await waitStatus(k, 'after the unblock', ['sent', 'delivered', 'read']);
  await message(l, 'after the unblock').waitFor();
  assert.equal(await message(l, 'are you there?').count(), 0);
  // Liam writes back, as he could all along.
  await send(l, 'here now');
  await message(k, 'here now').waitFor();
  assert.deepEqual(kimBrowser.errors, []);
  assert.deepEqual(liamBrowser.errors, []);
});
