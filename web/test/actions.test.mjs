// Messages that act on messages in the web app (issue #16, contract section
// "Messages that act on messages"), in real browsers against the real stack:
// reactions added and taken back by click, an edit with its "edited" mark, a
// delete for everyone leaving a placeholder, a reply quoting its target,
// unread counts that leave actions out, and a user offline meanwhile who gets
// every change on reconnecting. Every wait is for what the app must show.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { artifactPath, chatItem, createUser, message, openBrowser, send, signIn, startDirectChat, waitConnected, waitStatus } from './harness.mjs';

const kTestTimeoutMs = 120_000;

let erin;
let frank;
let erinBrowser;
let frankBrowser;

before(async () => {
  erin = await createUser('erin');
  frank = await createUser('frank');
  erinBrowser = await openBrowser();
  frankBrowser = await openBrowser({ width: 390, height: 780 }); // a phone-sized screen
  await signIn(erinBrowser.page, erin);
  await signIn(frankBrowser.page, frank);
  // Erin opens the chat and says hello; Frank opens it from his list.
  await startDirectChat(erinBrowser.page, frank.username);
  await send(erinBrowser.page, 'first words');
  await waitStatus(erinBrowser.page, 'first words', ['sent', 'delivered', 'read']);
  await chatItem(frankBrowser.page, 'erin').click();
  await message(frankBrowser.page, 'first words').waitFor();
}, { timeout: kTestTimeoutMs });

let caseNumber = 0;
afterEach(async () => {
  caseNumber += 1;
  await erinBrowser?.page.screenshot({ path: artifactPath(`actions-${caseNumber}-erin.png`) }).catch(() => undefined);
  await frankBrowser?.page.screenshot({ path: artifactPath(`actions-${caseNumber}-frank.png`) }).catch(() => undefined);
});

after(async () => {
  await erinBrowser?.close();
  await frankBrowser?.close();
});

// A stored message (its actions show once the ack gave it a seq).
async function stored(page, text) {
  const bubble = message(page, text);
  await bubble.locator('.msg-actions').waitFor();
  return bubble;
}

function reaction(bubble, emoji, count) {
  return bubble.locator(`.reaction[data-emoji="${emoji}"]`, { hasText: `${emoji} ${count}` });
}

test('reactions: added from the palette, shown to both, taken back by a click', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(e, 'react to this');
  const onFrank = await stored(f, 'react to this');
  await onFrank.getByRole('button', { name: 'React', exact: true }).click();
  await onFrank.getByRole('button', { name: 'React with 👍', exact: true }).click();
  // Frank's own reaction is pressed; Erin sees it with its count.
  await reaction(onFrank, '👍', 1).and(f.locator('[aria-pressed="true"]')).waitFor();
  const onErin = message(e, 'react to this');
  await reaction(onErin, '👍', 1).and(e.locator('[aria-pressed="false"]')).waitFor();
  // Erin adds hers by clicking the same emoji: two.
  await reaction(onErin, '👍', 1).click();
  await reaction(onFrank, '👍', 2).waitFor();
  // Frank takes his back: one, Erin's.
  await reaction(onFrank, '👍', 2).click();
  await reaction(onErin, '👍', 1).and(e.locator('[aria-pressed="true"]')).waitFor();
  await reaction(onFrank, '👍', 1).and(f.locator('[aria-pressed="false"]')).waitFor();
  assert.deepEqual(erinBrowser.errors, []);
  assert.deepEqual(frankBrowser.errors, []);
});

test('an edit replaces the text for both, marked "edited"', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(e, 'see you at 7');
  const mine = await stored(e, 'see you at 7');
  await message(f, 'see you at 7').waitFor();
  await mine.getByRole('button', { name: 'Edit', exact: true }).click();
  await e.locator('#composer-context', { hasText: 'Editing your message' }).waitFor();
  assert.equal(await e.locator('#message-input').inputValue(), 'see you at 7');
  await e.locator('#message-input').fill('see you at 8');
  await e.locator('#message-input').press('Enter');
  await message(e, 'see you at 8').locator('.edited').waitFor();
  await message(f, 'see you at 8').locator('.edited', { hasText: 'edited' }).waitFor();
  assert.equal(await message(f, 'see you at 7').count(), 0);
  // Only one's own text messages offer Edit.
  assert.equal(await message(f, 'see you at 8').getByRole('button', { name: 'Edit', exact: true }).count(), 0);
});

test('a delete for everyone leaves a placeholder in its place', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(e, 'sent by mistake');
  const mine = await stored(e, 'sent by mistake');
  const seq = await mine.getAttribute('data-seq');
  await message(f, 'sent by mistake').waitFor();
  await mine.getByRole('button', { name: 'Delete for everyone' }).click();
  for (const page of [e, f]) {
    const placeholder = page.locator(`li.msg[data-seq="${seq}"][data-deleted="true"]`);
    await placeholder.locator('.text', { hasText: 'This message was deleted.' }).waitFor();
    assert.equal(await message(page, 'sent by mistake').count(), 0);
  }
});

test('a reply quotes its target, for both', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(e, 'pizza or sushi?');
  const question = await stored(f, 'pizza or sushi?');
  await question.getByRole('button', { name: 'Reply', exact: true }).click();
  await f.locator('#composer-context', { hasText: 'Replying to erin: pizza or sushi?' }).waitFor();
  await send(f, 'sushi, please');
  for (const page of [e, f]) {
    const quote = message(page, 'sushi, please').locator('.reply-quote');
    await quote.locator('.quote-text', { hasText: 'pizza or sushi?' }).waitFor();
    await quote.locator('.quote-author', { hasText: 'erin' }).waitFor();
  }
  await f.locator('#composer-context').waitFor({ state: 'hidden' });
});

// Unread counts messages of content: a reaction and an edit arriving while
// the chat is closed add nothing, the message after them adds one, and the
// server's count (chat.list, after a reload) agrees.
test('unread counts messages, not reactions or edits', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(f, 'frank was here');
  const franks = await stored(e, 'frank was here');
  await send(e, 'erin typo');
  const erins = await stored(e, 'erin typo');
  await message(f, 'erin typo').waitFor();
  // Frank's read cursor on the newest seq: after a reload the app knows the
  // seqs (sync), and opening the chat sends a read receipt by seq.
  await f.reload();
  await waitConnected(f);
  const item = chatItem(f, 'erin');
  await item.click();
  await stored(f, 'erin typo');
  await f.getByRole('button', { name: 'Back to chats' }).click();
  await item.locator('.chat-preview', { hasText: 'erin typo' }).waitFor();
  assert.equal(await item.locator('.unread').count(), 0);

  await franks.getByRole('button', { name: 'React', exact: true }).click();
  await franks.getByRole('button', { name: 'React with ❤️', exact: true }).click();
  await reaction(franks, '❤️', 1).waitFor();
  await erins.getByRole('button', { name: 'Edit', exact: true }).click();
  await e.locator('#message-input').fill('erin, no typo');
  await e.locator('#message-input').press('Enter');
  await message(e, 'erin, no typo').locator('.edited').waitFor();
  await send(e, 'a new message');
  await item.locator('.chat-preview', { hasText: 'a new message' }).waitFor();
  assert.equal(await item.locator('.unread').textContent(), '1');

  // The server counts the same (chat.list's unread after a reload).
  await f.reload();
  await waitConnected(f);
  await item.locator('.chat-preview', { hasText: 'a new message' }).waitFor();
  assert.equal(await item.locator('.unread').textContent(), '1');
  await item.click();
  await reaction(message(f, 'frank was here'), '❤️', 1).waitFor();
  await message(f, 'erin, no typo').locator('.edited').waitFor();
});

// The case in the browser: offline during an edit, a reaction and a
// delete, and all three are there after the reconnect's sync.
test('a user offline meanwhile gets the edit, the reaction and the delete when back', { timeout: kTestTimeoutMs }, async () => {
  const e = erinBrowser.page;
  const f = frankBrowser.page;
  await send(e, 'to be edited');
  await send(e, 'to be reacted to');
  await send(e, 'to be deleted');
  const toEdit = await stored(e, 'to be edited');
  const toReact = await stored(e, 'to be reacted to');
  const toDelete = await stored(e, 'to be deleted');
  const deletedSeq = await toDelete.getAttribute('data-seq');
  await message(f, 'to be deleted').waitFor();

  await frankBrowser.context.setOffline(true);
  await f.locator('#connection[data-state="offline"]').waitFor();
  await toEdit.getByRole('button', { name: 'Edit', exact: true }).click();
  await e.locator('#message-input').fill('edited while you were away');
  await e.locator('#message-input').press('Enter');
  await message(e, 'edited while you were away').locator('.edited').waitFor();
  await toReact.getByRole('button', { name: 'React', exact: true }).click();
  await toReact.getByRole('button', { name: 'React with 😂', exact: true }).click();
  await reaction(toReact, '😂', 1).waitFor();
  await toDelete.getByRole('button', { name: 'Delete for everyone' }).click();
  await e.locator(`li.msg[data-seq="${deletedSeq}"][data-deleted="true"]`).waitFor();

  await frankBrowser.context.setOffline(false);
  await waitConnected(f);
  await message(f, 'edited while you were away').locator('.edited').waitFor();
  await reaction(message(f, 'to be reacted to'), '😂', 1).waitFor();
  await f.locator(`li.msg[data-seq="${deletedSeq}"][data-deleted="true"]`).waitFor();
  assert.equal(await message(f, 'to be deleted').count(), 0);
  assert.equal(await message(f, 'to be edited').count(), 0);
  assert.deepEqual(frankBrowser.errors, []);
});
