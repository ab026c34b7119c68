import { describe, expect, it, vi } from 'vitest';
import { backoffMs, LiveConnection, topicMatches, type SocketLike } from './live.svelte.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  sent: string[] = [];
  send(d: string) { this.sent.push(d); }
  close() { this.onclose?.({}); }
}

describe('live connection', () => {
  it('matches topics like the server', () => {
    expect(topicMatches('*', 'order.filled')).toBe(true);
    expect(topicMatches('order.*', 'order.filled')).toBe(true);
    expect(topicMatches('order.*', 'bot.state')).toBe(false);
    expect(topicMatches('bot.state', 'bot.state')).toBe(true);
  });

  it('backs off exponentially with jitter, capped at 30 s', () => {
    expect(backoffMs(0, () => 0.5)).toBe(500);
    expect(backoffMs(3, () => 0.5)).toBe(4000);
    expect(backoffMs(20, () => 0.5)).toBe(30_000);
    expect(backoffMs(0, () => 0)).toBe(400);
    expect(backoffMs(0, () => 1)).toBe(600);
  });

  it('subscribes on open, dispatches events by topic, reconnects after the server goes away', () => {
    vi.useFakeTimers();
    try {
      const sockets: FakeSocket[] = [];
      const c = new LiveConnection(() => { const s = new FakeSocket(); sockets.push(s); return s; }, () => 'ws://x/ws');
      const fills: unknown[] = [];
      c.on('order.*', (e) => fills.push(e.data));
      let reconnected = 0;
      c.onReconnect(() => { reconnected += 1; });
      c.start();
      expect(c.status).toBe('connecting');
      sockets[0].onopen?.({});
      expect(c.status).toBe('open');
      expect(JSON.parse(sockets[0].sent[0])).toEqual({ op: 'subscribe', topics: ['*'] });
      sockets[0].onmessage?.({ data: JSON.stringify({ topic: 'order.filled', ts: 1, botId: 'b1', data: { price: 10 } }) });
      sockets[0].onmessage?.({ data: JSON.stringify({ topic: 'bot.state', ts: 2, data: { status: 'running' } }) });
      sockets[0].onmessage?.({ data: 'not json' });
      expect(fills).toEqual([{ price: 10 }]);
      // The server restarts: the socket closes, the client waits and tries again.
      sockets[0].onclose?.({});
      expect(c.status).toBe('reconnecting');
      expect(sockets).toHaveLength(1);
      vi.advanceTimersByTime(700);
      expect(sockets).toHaveLength(2);
      sockets[1].onclose?.({});
      vi.advanceTimersByTime(700);
      expect(sockets).toHaveLength(2);
      vi.advanceTimersByTime(600);
      expect(sockets).toHaveLength(3);
      sockets[2].onopen?.({});
      expect(c.status).toBe('open');
      expect(reconnected).toBe(1);
      c.stop();
      expect(c.status).toBe('idle');
      vi.advanceTimersByTime(60_000);
      expect(sockets).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
