// The web app in a real browser (headless Debian chromium) against the real
// stack: PostgreSQL, mosquitto with the auth plugin, the bridge, chat-admin
// serving /app, and the WebSocket gateway. Every wait is for an element or
// an event the app must show; nothing sleeps.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, afterEach, before, test } from 'node:test';
import mqtt from 'mqtt';
import {
  accessibilityViolations,
  artifactPath,
  chatItem,
  createUser,
  message,
  openBrowser,
  send,
  signIn,
  signInOverHttp,
  spawnClient,
  stack,
  startDirectChat,
  waitConnected,
  waitForOutput,
  waitStatus,
} from './harness.mjs';

// A bound for each case, so that a hang fails the case instead of the run.
const kTestTimeoutMs = 120_000;

let alice;
let bob;
let aliceBrowser;
let bobBrowser;

before(async () => {
  alice = await createUser('alice');
  bob = await createUser('bob');
  aliceBrowser = await openBrowser();
  bobBrowser = await openBrowser({ width: 390, height: 780 }); // a phone-sized screen
  await signIn(aliceBrowser.page, alice);
  await signIn(bobBrowser.page, bob);
}, { timeout: kTestTimeoutMs });

// Both users' screens after each case, for whoever reads a failure.
let caseNumber = 0;
afterEach(async () => {
  caseNumber += 1;
  await aliceBrowser?.page.screenshot({ path: artifactPath(`case-${caseNumber}-alice.png`) }).catch(() => undefined);
  await bobBrowser?.page.screenshot({ path: artifactPath(`case-${caseNumber}-bob.png`) }).catch(() => undefined);
});

after(async () => {
  await aliceBrowser?.close();
  await bobBrowser?.close();
});

test('two browser users chat and each sees the other’s messages, receipts and typing', { timeout: kTestTimeoutMs }, async () => {
  const a = aliceBrowser.page;
  const b = bobBrowser.page;

  await startDirectChat(a, bob.username);
  await send(a, 'Hello Bob');
  // Stored by the bridge: the ack turns the clock into a tick.
  await waitStatus(a, 'Hello Bob', ['sent', 'delivered', 'read']);

  // Bob's chat list shows the new chat, its unread count and last message.
  const item = chatItem(b, 'alice');
  await item.locator('.unread', { hasText: '1' }).waitFor();
  await item.locator('.chat-preview', { hasText: 'Hello Bob' }).waitFor();
  // Delivered to Bob's device (his receipt reached Alice's browser).
  await waitStatus(a, 'Hello Bob', ['delivered', 'read']);

  await item.click();
  await message(b, 'Hello Bob').waitFor();
  // Bob read it: Alice's mark says so.
  await waitStatus(a, 'Hello Bob', ['read']);
  await item.locator('.unread').waitFor({ state: 'detached' });

  // Typing, both ways.
  await b.locator('#message-input').pressSequentially('Hi Al', { delay: 20 });
  await a.locator('#typing', { hasText: 'bob is typing' }).waitFor();
  await a.locator('#message-input').pressSequentially('And', { delay: 20 });
  await b.locator('#typing', { hasText: 'alice is typing' }).waitFor();

  await b.locator('#message-input').fill('Hi Alice');
  await b.locator('#message-input').press('Enter');
  await message(a, 'Hi Alice').waitFor();
  // A message from Bob ends his typing indicator; Alice has the chat open, so Bob sees it read.
  await a.locator('#typing', { hasText: /^$/ }).waitFor();
  await waitStatus(b, 'Hi Alice', ['read']);
  // Bob sees Alice online (presence) in the conversation's header.
  await b.locator('#chat-subtitle', { hasText: 'online' }).waitFor();

  assert.deepEqual(aliceBrowser.errors, []);
  assert.deepEqual(bobBrowser.errors, []);
});

test('a user who goes offline while messages arrive catches up when back', { timeout: kTestTimeoutMs }, async () => {
  const a = aliceBrowser.page;
  const b = bobBrowser.page;
  await bobBrowser.context.setOffline(true);
  await b.locator('#connection[data-state="offline"]').waitFor();
  // Alice sees Bob's last seen once his connection is gone (his will, then the bridge's presence).
  await a.locator('#chat-subtitle', { hasText: 'last seen' }).waitFor();

  for (const text of ['while you were away 1', 'while you were away 2', 'while you were away 3']) {
    await send(a, text);
    await waitStatus(a, text, ['sent']);
  }
  // Bob writes too while offline: it waits in his outbox.
  await send(b, 'written offline');
  await waitStatus(b, 'written offline', ['pending']);

  await bobBrowser.context.setOffline(false);
  await waitConnected(b);
  for (const text of ['while you were away 1', 'while you were away 2', 'while you were away 3']) {
    await message(b, text).waitFor();
  }
  const texts = await b.locator('li.msg .text').allTextContents();
  const away = texts.filter((t) => t.startsWith('while you were away'));
  assert.deepEqual(away, ['while you were away 1', 'while you were away 2', 'while you were away 3']);
  // His outbox went out after the reconnect and was stored once.
  await waitStatus(b, 'written offline', ['sent', 'delivered', 'read']);
  await message(a, 'written offline').waitFor();
  assert.equal(await message(a, 'written offline').count(), 1);
});

test('a browser user and a TCP client (mosquitto_pub/sub) talk to each other', { timeout: kTestTimeoutMs }, async () => {
  const a = aliceBrowser.page;
  const carol = await createUser('carol');
  const carolSession = await signInOverHttp(carol, 'tcp');
  const tcp = ['-h', '127.0.0.1', '-p', stack.mqttPort, '-u', carol.username, '-P', carolSession.token];

  // Carol listens on her inbox with the stock client over plain TCP.
  // stdbuf: line-buffered output, so that the SUBACK line shows as it happens.
  const sub = spawnClient('stdbuf', ['-oL', 'mosquitto_sub', ...tcp, '-i', `${carol.uid}:tcp-sub`, '-t', `dm/${carol.uid}/msg/+`, '-C', '1', '-W', '60', '-d']);
  await waitForOutput(sub, (out) => out.includes('SUBACK'), 'mosquitto_sub subscribing');

  await startDirectChat(a, carol.username);
  await send(a, 'hello over websocket');
  const out = await waitForOutput(sub, (text) => text.includes('hello over websocket'), 'mosquitto_sub receiving');
  const line = out.split('\n').find((l) => l.includes('hello over websocket'));
  const received = JSON.parse(line);
  assert.equal(received.type, 'text');
  assert.equal(received.text, 'hello over websocket');
  assert.match(received.id, /^[A-Za-z0-9_-]{1,64}$/);
  await sub.done;

  const pub = spawnClient('mosquitto_pub', [...tcp, '-i', `${carol.uid}:tcp-pub`, '-q', '1', '-t', `dm/${alice.uid}/msg/${carol.uid}`,
    '-m', JSON.stringify({ id: 'tcp-1', type: 'text', text: 'hello over tcp' })]);
  assert.equal(await pub.done, 0, pub.output);
  await message(a, 'hello over tcp').waitFor();
});

test('a group is created, gets messages, and members are added, removed and leave', { timeout: kTestTimeoutMs }, async () => {
  const a = aliceBrowser.page;
  const b = bobBrowser.page;
  const dave = await createUser('dave');
  const title = `Climbing ${Date.now().toString(36)}`;

  await a.getByRole('button', { name: 'New group' }).click();
  await a.getByLabel('Group name').fill(title);
  await a.getByLabel('Members (usernames, comma-separated)').fill(`${bob.username}, ${dave.username}`);
  await a.getByRole('button', { name: 'Create group' }).click();
  await a.locator('#chat-title', { hasText: title }).waitFor();
  await a.locator('#chat-subtitle', { hasText: '3 members' }).waitFor();
  await send(a, 'group hello');
  await waitStatus(a, 'group hello', ['sent', 'delivered', 'read']);

  // Bob learns of the group from its chat.added event and sees the message with its author.
  await b.locator('.back').click();
  const group = chatItem(b, title);
  await group.locator('.chat-preview', { hasText: 'alice: group hello' }).waitFor();
  await group.click();
  await message(b, 'group hello').locator('.author', { hasText: 'alice' }).waitFor();

  // The owner removes Dave: Bob's view follows (chat.updated).
  await a.getByRole('button', { name: 'Members' }).click();
  await a.getByRole('button', { name: 'Remove dave' }).click();
  await a.locator('#members-panel li', { hasText: 'dave' }).waitFor({ state: 'detached' });
  await b.locator('#chat-subtitle', { hasText: '2 members' }).waitFor();
  // And adds him back.
  await a.getByLabel('Add members (usernames)').fill(dave.username);
  await a.getByRole('button', { name: 'Add', exact: true }).click();
  await a.locator('#members-panel li', { hasText: 'dave' }).waitFor();
  await b.locator('#chat-subtitle', { hasText: '3 members' }).waitFor();

  // Bob leaves: the group is gone from his list, and Alice sees two members.
  await b.getByRole('button', { name: 'Members' }).click();
  await b.getByRole('button', { name: 'Leave group' }).click();
  await group.waitFor({ state: 'detached' });
  await a.locator('#chat-subtitle', { hasText: '2 members' }).waitFor();
});

test('history loads older pages as the user scrolls up', { timeout: kTestTimeoutMs }, async () => {
  const erin = await createUser('erin');
  const frank = await createUser('frank');
  // Frank, a TCP client (MQTT.js in node), writes 70 messages before Erin signs in.
  const session = await signInOverHttp(frank, 'tcp');
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${stack.mqttPort}`, {
    clientId: session.client_id, username: frank.username, password: session.token, reconnectPeriod: 0,
  });
  try {
    for (let i = 1; i <= 70; i++) {
      await client.publishAsync(`dm/${erin.uid}/msg/${frank.uid}`,
        JSON.stringify({ id: `h${i}`, type: 'text', text: `history ${i}` }), { qos: 1 });
    }
  } finally {
    await client.endAsync();
  }

  const erinBrowser = await openBrowser();
  try {
    const e = erinBrowser.page;
    await signIn(e, erin);
    const item = chatItem(e, 'frank');
    await item.locator('.chat-preview', { hasText: 'history 70' }).waitFor();
    await item.locator('.unread', { hasText: '70' }).waitFor();
    await item.click();
    await message(e, 'history 70').waitFor();
    // The newest page only: the oldest are not there until the user scrolls up.
    await message(e, 'history 21').waitFor();
    assert.equal(await message(e, /^history 1$/).count(), 0);
    await e.locator('.messages-scroll').evaluate((scroller) => { scroller.scrollTop = 0; });
    await message(e, /^history 1$/).waitFor();
    const texts = await e.locator('li.msg .text').allTextContents();
    assert.deepEqual(texts, Array.from({ length: 70 }, (_, i) => `history ${i + 1}`));
    await e.locator('#older').waitFor({ state: 'hidden' });
    assert.deepEqual(erinBrowser.errors, []);
  } finally {
    await erinBrowser.close();
  }
});

test('an image is sent and shown inline', { timeout: kTestTimeoutMs }, async () => {
  const a = aliceBrowser.page;
  const b = bobBrowser.page;
  await chatItem(a, 'bob').click();
  await a.locator('#chat-title', { hasText: 'bob' }).waitFor();
  await chatItem(b, 'alice').click();
  await b.locator('#chat-title', { hasText: 'alice' }).waitFor();
  // A real PNG: a small screenshot of the page itself.
  const png = await a.screenshot({ clip: { x: 0, y: 0, width: 64, height: 48 } });
  await a.locator('#message-input').fill('a picture');
  await a.locator('#image-input').setInputFiles({ name: 'picture.png', mimeType: 'image/png', buffer: png });
  await waitStatus(a, 'a picture', ['sent', 'delivered', 'read']);

  const image = b.locator('li.msg img.inline-image[alt="Image: a picture"]');
  await image.waitFor();
  await b.waitForFunction(() => {
    const img = document.querySelector('li.msg img.inline-image[alt="Image: a picture"]');
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth === 64 && img.naturalHeight === 48;
  });
});

test('the app is usable with the keyboard alone and passes axe-core’s WCAG 2 AA checks', { timeout: kTestTimeoutMs }, async () => {
  const gina = await createUser('gina');
  const browser = await openBrowser(undefined, { bypassCSP: true });
  try {
    const g = browser.page;
    await g.goto(stack.appUrl);
    assert.deepEqual(await accessibilityViolations(g), [], 'the sign-in page');
    // The username field has the focus; Tab to the password, Enter signs in.
    await g.keyboard.type(gina.username);
    await g.keyboard.press('Tab');
    await g.keyboard.type(gina.password);
    await g.keyboard.press('Enter');
    await waitConnected(g);

    // New chat with Alice: the form takes the focus, Enter starts it, the composer gets the keyboard.
    await g.getByRole('button', { name: 'New chat' }).focus();
    await g.keyboard.press('Enter');
    await g.keyboard.type(alice.username);
    await g.keyboard.press('Enter');
    await g.locator('#chat-title', { hasText: 'alice' }).waitFor();
    await g.locator('#message-input:focus').waitFor();
    await g.keyboard.type('typed with the keyboard');
    await g.keyboard.press('Enter');
    await waitStatus(g, 'typed with the keyboard', ['sent', 'delivered', 'read']);
    assert.deepEqual(await accessibilityViolations(g), [], 'the conversation');

    // A second chat, then Escape back to the list and the arrow keys between chats.
    await g.getByRole('button', { name: 'New chat' }).focus();
    await g.keyboard.press('Enter');
    await g.keyboard.type(bob.username);
    await g.keyboard.press('Enter');
    await g.locator('#chat-title', { hasText: 'bob' }).waitFor();
    await g.keyboard.press('Escape');
    await g.locator('.layout[data-view="list"]').waitFor();
    await g.locator('.chat-item').first().focus();
    const first = await g.evaluate(() => document.activeElement?.textContent);
    await g.keyboard.press('ArrowDown');
    const second = await g.evaluate(() => document.activeElement?.textContent);
    assert.notEqual(first, second);
    assert.match(`${first} ${second}`, /alice/);
    assert.match(`${first} ${second}`, /bob/);
    await g.keyboard.press('Enter');
    await g.locator('.layout[data-view="chat"]').waitFor();

    // A search from the keyboard: its field by its label, Enter runs it; its results pass axe too.
    // Still there after the New chat form opened and closed.
    await g.getByLabel('Search messages').waitFor();
    await g.getByLabel('Search messages').focus();
    await g.keyboard.type('typed with');
    await g.keyboard.press('Enter');
    await g.locator('.search-hit .hit-snippet', { hasText: 'You: typed with the keyboard' }).waitFor();
    assert.deepEqual(await accessibilityViolations(g), [], 'the search results');
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test('a screenshot of the chat view is saved as a test artifact', { timeout: kTestTimeoutMs }, async () => {
  const desktop = artifactPath('chat-view-desktop.png');
  const phone = artifactPath('chat-view-phone.png');
  await aliceBrowser.page.screenshot({ path: desktop });
  await bobBrowser.page.screenshot({ path: phone });
  assert.ok(statSync(desktop).size > 10_000, desktop);
  assert.ok(statSync(phone).size > 10_000, phone);
  console.log(`screenshots: ${desktop} ${phone}`);
});
