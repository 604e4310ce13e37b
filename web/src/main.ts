// Entry point: the sign-in form, or the app for the session kept in this
// tab's sessionStorage (never localStorage: the token lives for the tab).
import { ApiError, appConfig, signIn, type Session } from './api';
import { ChatApp } from './app';
import { clear, h } from './dom';
import { ChatView } from './view';

const kSessionKey = 'chat.session';

function savedSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(kSessionKey) ?? 'null') as Session | null;
    if (!session || session.expires_at <= Date.now() + 60_000) return null;
    return session;
  } catch {
    return null;
  }
}

// A device id per tab: each tab is one device of the user ({uid}:{device}).
function newDevice(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function mqttUrlFrom(configured: string | null): string {
  if (configured) return configured;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.hostname}:9001/mqtt`;
}

function showSignIn(root: HTMLElement, mqttUrl: string, reason = ''): void {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { id: 'signin-error', role: 'alert' }, reason);
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (event) => {
        event.preventDefault();
        submit.disabled = true;
        error.textContent = '';
        try {
          const session = await signIn(username.value.trim(), password.value, newDevice());
          sessionStorage.setItem(kSessionKey, JSON.stringify(session));
          showApp(root, session, mqttUrl);
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 429) {
            error.textContent = `Too many attempts: try again in ${failure.retryAfterS ?? 60} s.`;
          } else if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) {
            error.textContent = failure.status === 403 ? 'This account is disabled.' : 'Wrong username or password.';
          } else {
            error.textContent = `Cannot sign in right now (${failure instanceof Error ? failure.message : failure}).`;
          }
          submit.disabled = false;
          password.focus();
        }
      },
    },
    h('h1', {}, 'Chat'),
    h('label', { for: 'username' }, 'Username'),
    username,
    h('label', { for: 'password' }, 'Password'),
    password,
    submit,
    error,
  );
  clear(root);
  root.append(h('main', { class: 'signin-page' }, form));
  username.focus();
}

function showApp(root: HTMLElement, session: Session, mqttUrl: string): void {
  const app = new ChatApp(session, mqttUrl);
  const view = new ChatView(app, (reason) => {
    sessionStorage.removeItem(kSessionKey);
    void app.stop();
    showSignIn(root, mqttUrl, reason);
  });
  view.mount(root);
  app.start(view);
  // For the browser tests and for debugging from the console.
  (window as unknown as { chat: ChatApp }).chat = app;
}

async function main(): Promise<void> {
  const root = document.getElementById('app')!;
  const config = await appConfig();
  const mqttUrl = mqttUrlFrom(config.mqtt_url);
  const session = savedSession();
  if (session) showApp(root, session, mqttUrl);
  else showSignIn(root, mqttUrl);
}

void main();
