// What the browser tests share: the running stack (started by
// tests/browser/run, reached through the environment it sets), users made
// through the admin API, and headless Debian chromium driven by
// playwright-core, one fresh profile per user.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/browser/run`);
  return value;
}

export const stack = {
  appUrl: required('CHAT_APP_URL'),
  adminUrl: required('CHAT_ADMIN_URL'),
  adminToken: readFileSync(required('CHAT_ADMIN_TOKEN_FILE'), 'utf8').trim(),
  mqttPort: required('CHAT_MQTT_PORT'),
  artifacts: required('CHAT_BROWSER_ARTIFACTS'),
};

const runTag = Date.now().toString(36).slice(-5);
let userCount = 0;

// A user with a password, through the admin API; the name is unique per run.
export async function createUser(prefix) {
  const username = `${prefix}_${runTag}${++userCount}`;
  const password = `password of ${username}`;
  const response = await fetch(`${stack.adminUrl}/v1/admin/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, display_name: prefix }),
  });
  if (response.status !== 201) throw new Error(`creating ${username}: ${response.status} ${await response.text()}`);
  const record = await response.json();
  return { uid: record.id, username, password, displayName: prefix };
}

// Signs a user in through the user-facing endpoint (as a TCP client would
// get its token): { token, uid, client_id }.
export async function signInOverHttp(user, device) {
  const response = await fetch(`${stack.adminUrl}/v1/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password, device }),
  });
  if (response.status !== 200) throw new Error(`signin ${user.username}: ${response.status} ${await response.text()}`);
  return response.json();
}

// One headless chromium per user, with a fresh profile: its own
// sessionStorage, its own network state (setOffline).
// `bypassCSP` only for the accessibility check, which injects axe-core: every
// other case runs under the app's Content-Security-Policy.
export async function openBrowser(viewport = { width: 1100, height: 760 }, { bypassCSP = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'chat-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    bypassCSP,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  // The app's warnings go to the test's output (a failed request, a dropped connection).
  page.on('console', (entry) => {
    if (entry.type() === 'warning' || entry.type() === 'error') console.log(`[browser ${entry.type()}] ${entry.text()}`);
    // Something the page's policy blocked is a defect, like an uncaught error.
    if (entry.text().includes('Content Security Policy')) errors.push(entry.text());
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Signs in through the form, as a person would, and waits until connected
// and caught up.
export async function signIn(page, user) {
  await page.goto(stack.appUrl);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitConnected(page);
}

export async function waitConnected(page) {
  await page.locator('#connection[data-state="online"]').waitFor();
  await page.locator('.layout[data-catching-up="false"]').waitFor();
}

export async function startDirectChat(page, username) {
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.locator('#new-chat-username').fill(username);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await page.locator('#chat-title').filter({ hasText: username.split('_')[0] }).waitFor();
}

export function chatItem(page, title) {
  return page.locator('.chat-item').filter({ has: page.locator('.chat-name', { hasText: title }) });
}

export async function send(page, text) {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
}

// A message bubble by its text.
export function message(page, text) {
  return page.locator('li.msg').filter({ has: page.locator('.text', { hasText: text }) });
}

export async function waitStatus(page, text, statuses) {
  const selector = statuses.map((s) => `li.msg.mine[data-status="${s}"]`).join(', ');
  await page.locator(selector).filter({ has: page.locator('.text', { hasText: text }) }).waitFor();
}

export function artifactPath(name) {
  mkdirSync(stack.artifacts, { recursive: true });
  return join(stack.artifacts, name);
}

// A stock command-line MQTT client as a running process; `lines` fills as it prints.
export function spawnClient(command, args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { child, output: '', exited: null };
  child.stdout.on('data', (chunk) => (state.output += chunk));
  child.stderr.on('data', (chunk) => (state.output += chunk));
  state.done = new Promise((resolve) => child.on('close', (code) => resolve((state.exited = code))));
  return state;
}

// Resolves when `predicate(output)` holds; rejects when the process ends first.
export function waitForOutput(client, predicate, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate(client.output)) {
        cleanup();
        resolve(client.output);
      }
    };
    const onExit = () => {
      if (predicate(client.output)) resolve(client.output);
      else reject(new Error(`${what}: the client exited (${client.exited}) with: ${client.output}`));
      cleanup();
    };
    const cleanup = () => {
      client.child.stdout.off('data', check);
      client.child.stderr.off('data', check);
      client.child.off('close', onExit);
    };
    client.child.stdout.on('data', check);
    client.child.stderr.on('data', check);
    client.child.on('close', onExit);
    check();
  });
}

// axe-core's WCAG 2 A/AA rules (labels, names, roles, contrast, ...) on the
// page as it is now: the violations, as "rule: target" lines.
export async function accessibilityViolations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

// One value from the stack's database, for checking what the server keeps
// (psql, as scripts/stack uses it). Only for queries the test writes itself.
export function databaseValue(query) {
  const url = required('CHAT_DATABASE_URL');
  return execFileSync('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' }).trim();
}
