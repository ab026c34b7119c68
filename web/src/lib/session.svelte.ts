/**
 * Who is logged in, and what their role may do. The token lives in localStorage so a reload keeps the session;
 * `me()` asks the server (on a loopback server without users, it answers as the local admin without a token).
 * Roles: viewer (read) < operator (run bots, jobs, cancel orders, kill) < admin (users, settings, live promotion).
 */
export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const KEY = 'tradelab.token';

function readToken(): string | null {
  try { return globalThis.localStorage?.getItem(KEY) ?? null; } catch { return null; }
}

class Session {
  token = $state<string | null>(readToken());
  user = $state<string | null>(null);
  role = $state<Role | null>(null);
  /** True once the server answered who we are (or that we must log in). */
  checked = $state(false);

  set(token: string | null, user: string, role: Role): void {
    this.token = token;
    this.user = user;
    this.role = role;
    this.checked = true;
    try {
      if (token) globalThis.localStorage?.setItem(KEY, token);
      else globalThis.localStorage?.removeItem(KEY);
    } catch { /* private mode: session lasts until reload */ }
  }

  clear(): void {
    this.token = null;
    this.user = null;
    this.role = null;
    this.checked = true;
    try { globalThis.localStorage?.removeItem(KEY); } catch { /* ignore */ }
  }

  /** May the current user do what `role` may do? */
  can(role: Role): boolean {
    return this.role !== null && RANK[this.role] >= RANK[role];
  }

  /** The reason shown on a disabled control, or undefined when allowed. */
  denied(role: Role, what: string): string | undefined {
    if (this.can(role)) return undefined;
    return `${what} needs the ${role} role; you are ${this.role ?? 'not logged in'}`;
  }
}

export const session = new Session();
