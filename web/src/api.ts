// chat-admin's HTTP routes for users (docs/admin-api.md): sign-in, profiles,
// media. Same origin as the app, so no CORS.

export interface Session {
  token: string;
  uid: number;
  username: string;
  display_name: string;
  expires_at: number;
  device: string;
}

export interface Profile {
  id: number;
  username: string;
  display_name: string;
  deleted: boolean;
}

export interface UploadedMedia {
  id: string;
  mime: string;
  size: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<ApiError> {
  let code = 'unknown';
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    code = body?.error?.code ?? code;
    message = body?.error?.message ?? message;
  } catch {
    // Not JSON: the status says enough.
  }
  const retry = response.headers.get('Retry-After');
  return new ApiError(response.status, code, message, retry ? Number(retry) : null);
}

export async function appConfig(): Promise<{ mqtt_url: string | null }> {
  const response = await fetch('/app/config.json', { cache: 'no-store' });
  if (!response.ok) return { mqtt_url: null };
  return response.json();
}

export async function signIn(username: string, password: string, device: string): Promise<Session> {
  const response = await fetch('/v1/signin', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, device }),
  });
  if (!response.ok) throw await failure(response);
  const body = await response.json();
  return {
    token: body.token,
    uid: body.uid,
    username: body.username,
    display_name: body.display_name ?? '',
    expires_at: body.expires_at,
    device,
  };
}

export class UserApi {
  constructor(private readonly token: string) {}

  private headers(): HeadersInit {
    return { Authorization: `Bearer ${this.token}` };
  }

  async profile(uid: number): Promise<Profile> {
    const response = await fetch(`/v1/users/${uid}`, { headers: this.headers() });
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  async profileByUsername(username: string): Promise<Profile> {
    const response = await fetch(`/v1/users/by-username/${encodeURIComponent(username)}`, { headers: this.headers() });
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  async upload(file: Blob): Promise<UploadedMedia> {
    const response = await fetch('/v1/media', { method: 'PUT', headers: this.headers(), body: file });
    if (!response.ok) throw await failure(response);
    const body = await response.json();
    return { id: body.id, mime: body.mime, size: body.size };
  }

  // A blob: URL for an <img>: media needs the Authorization header, which an
  // <img src> cannot send. A message reaches its recipients on the broker's
  // fast path before the bridge has stored it, and its media is readable by
  // them only once it is stored: a 404 is retried for a few seconds.
  async mediaUrl(id: string): Promise<string> {
    for (let delayMs = 250; ; delayMs *= 2) {
      const response = await fetch(`/v1/media/${encodeURIComponent(id)}`, { headers: this.headers() });
      if (response.ok) return URL.createObjectURL(await response.blob());
      if (response.status !== 404 || delayMs > 4_000) throw await failure(response);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
