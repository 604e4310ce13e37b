// Search in the web app (issue #16, contract section "Search"), in a real
// browser against the real stack: empty and hit-less searches say so, hits
// come page by page with "More results", and a hit opens its chat at the
// message (older history loaded until it is there), highlighted and in view.
// Every wait is for what the app must show.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import mqtt from 'mqtt';
import { artifactPath, chatItem, createUser, message, openBrowser, signIn, signInOverHttp, stack } from './harness.mjs';

const kTestTimeoutMs = 120_000;
const kFillers = 60; // more than the history's first page (50) and three search pages (20 each)

let ivy;
let jack;
let ivyBrowser;

before(async () => {
  ivy = await createUser('ivy');
  jack = await createUser('jack');
  // Jack, a TCP client (MQTT.js in node), writes the needle first, then the fillers.
  const session = await signInOverHttp(jack, 'tcp');
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${stack.mqttPort}`, {
    clientId: session.client_id, username: jack.username, password: session.token, reconnectPeriod: 0,
  });
  try {
    const publish = (id, text) => client.publishAsync(`dm/${ivy.uid}/msg/${jack.uid}`, JSON.stringify({ id, type: 'text', text }), { qos: 1 });
    await publish('needle', 'the old needle is here');
    for (let i = 1; i <= kFillers; i++) await publish(`f${i}`, `filler ${i} in the haystack`);
    await publish('last', 'last words');
  } finally {
    await client.endAsync();
  }
  ivyBrowser = await openBrowser();
  await signIn(ivyBrowser.page, ivy);
  // The list's preview is the stored last message: everything before it is stored too.
  await chatItem(ivyBrowser.page, 'jack').locator('.chat-preview', { hasText: 'last words' }).waitFor();
}, { timeout: kTestTimeoutMs });

let caseNumber = 0;
afterEach(async () => {
  caseNumber += 1;
  await ivyBrowser?.page.screenshot({ path: artifactPath(`search-${caseNumber}-ivy.png`) }).catch(() => undefined);
});

after(async () => {
  await ivyBrowser?.close();
});

async function search(page, query) {
  await page.getByLabel('Search messages').fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

test('an empty search and one without hits say so', { timeout: kTestTimeoutMs }, async () => {
  const i = ivyBrowser.page;
  await search(i, '   ');
  await i.locator('#search-status', { hasText: 'Type something to search for.' }).waitFor();
  await search(i, 'no such words anywhere');
  await i.locator('#search-status', { hasText: 'No messages found for “no such words anywhere”.' }).waitFor();
  assert.equal(await i.locator('.search-hit').count(), 0);
  await i.getByRole('button', { name: 'Close search' }).click();
  await i.locator('#search-results').waitFor({ state: 'hidden' });
  assert.deepEqual(ivyBrowser.errors, []);
});

test('hits come newest first, page by page with "More results"', { timeout: kTestTimeoutMs }, async () => {
  const i = ivyBrowser.page;
  const hits = i.locator('#search-hits .search-hit');
  await search(i, 'HAYSTACK'); // case-insensitive
  await i.locator('#search-status', { hasText: '20+ messages found for “HAYSTACK”.' }).waitFor();
  assert.equal(await hits.count(), 20);
  await hits.first().locator('.hit-snippet', { hasText: `jack: filler ${kFillers} in the haystack` }).waitFor();
  await hits.first().locator('.hit-where', { hasText: 'jack' }).waitFor();
  await i.getByRole('button', { name: 'More results' }).click();
  await i.locator('#search-status', { hasText: '40+ messages found' }).waitFor();
  await i.getByRole('button', { name: 'More results' }).click();
  await i.locator('#search-status', { hasText: `${kFillers} messages found for “HAYSTACK”.` }).waitFor();
  assert.equal(await hits.count(), kFillers);
  assert.equal(await i.locator('#search-more').count(), 0);
  // Newest first across pages: filler 60 down to filler 1.
  const snippets = await i.locator('#search-hits .hit-snippet').allTextContents();
  assert.deepEqual(snippets, Array.from({ length: kFillers }, (_, n) => `jack: filler ${kFillers - n} in the haystack`));
  await i.getByRole('button', { name: 'Close search' }).click();
});

test('a hit opens its chat at the message: older history loaded, the message highlighted and in view', { timeout: kTestTimeoutMs }, async () => {
  const i = ivyBrowser.page;
  await search(i, 'needle');
  await i.locator('#search-status', { hasText: '1 message found for “needle”.' }).waitFor();
  const hit = i.locator('.search-hit');
  await hit.locator('.hit-snippet', { hasText: 'jack: the old needle is here' }).waitFor();
  await hit.click();
  await i.locator('#chat-title', { hasText: 'jack' }).waitFor();
  const target = i.locator('li.msg.highlight');
  await target.locator('.text', { hasText: 'the old needle is here' }).waitFor();
  // The needle is older than the first page: the history between it and the newest is all there.
  const texts = await i.locator('li.msg .text').allTextContents();
  assert.equal(texts.length, kFillers + 2);
  assert.equal(texts[0], 'the old needle is here');
  assert.equal(texts.at(-1), 'last words');
  // Scrolled into the history's visible part.
  await i.waitForFunction(() => {
    const item = document.querySelector('li.msg.highlight');
    const scroller = document.querySelector('.messages-scroll');
    if (!item || !scroller) return false;
    const a = item.getBoundingClientRect();
    const b = scroller.getBoundingClientRect();
    return a.top >= b.top && a.bottom <= b.bottom;
  });
  assert.equal(await i.locator('li.msg.highlight').count(), 1);
  // It has the keyboard's focus (a screen reader reads it; the keys go on from there).
  await i.locator('li.msg.highlight:focus').waitFor();
  assert.deepEqual(ivyBrowser.errors, []);
});
