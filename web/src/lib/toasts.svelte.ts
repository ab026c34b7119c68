/** Toast notifications: alerts from the server's websocket and results of the user's own actions. */
export type ToastKind = 'info' | 'success' | 'warning' | 'error';
export interface Toast { readonly id: number; readonly kind: ToastKind; readonly title: string; readonly text?: string }

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  push(kind: ToastKind, title: string, text?: string, ttlMs = kind === 'error' ? 10_000 : 5_000): number {
    const id = this.#next++;
    this.items = [...this.items, { id, kind, title, text }].slice(-5);
    if (ttlMs > 0) setTimeout(() => this.dismiss(id), ttlMs);
    return id;
  }
  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
