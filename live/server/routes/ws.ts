/**
 * Websocket `/ws` (viewer): runtime events from BotService.subscribe and deps.eventSources (alerts), filtered per client by topic (and bot).
 * Client → server: `{"op":"subscribe","topics":["order.*","bot.state"],"botIds":["b1"]}` (topics '*' = all; no
 * botIds = every bot), `{"op":"unsubscribe","topics":[...]}`, `{"op":"ping"}`. Server → client: `{"topic","ts",
 * "botId","data"}`, `{"op":"subscribed","topics":[...]}`, `{"op":"pong"}`, `{"op":"error","message"}`. A new client
 * is subscribed to nothing. A client that does not read (1 MiB buffered) misses events rather than growing memory.
 */
import type { FastifyInstance } from 'fastify';
import { EVENT_TOPICS, type LiveEvent } from '../bot-service.ts';
import type { ServerContext } from '../context.ts';

const MAX_BUFFERED = 1 << 20;

/** A source of events besides the bot runtime (the background jobs). */
export interface EventSource { subscribe(listener: (e: LiveEvent) => void): () => void }

/** The part of a `ws` WebSocket used here (ws ships no types of its own). */
interface Socket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  on(event: 'message', f: (data: Buffer) => void): void;
  on(event: 'close' | 'error', f: () => void): void;
}

export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

function validPattern(p: unknown): p is string {
  return typeof p === 'string' && (p === '*' || EVENT_TOPICS.some((t) => topicMatches(p, t)));
}

export function wsRoutes(app: FastifyInstance, ctx: ServerContext, more: readonly EventSource[] = []): void {
  app.get('/ws', { websocket: true, config: { access: 'viewer' }, schema: { tags: ['websocket'], summary: 'Live events (see the module comment for the protocol); auth by header or ?token=' } }, (socket: Socket) => {
    const topics = new Set<string>();
    let botIds: Set<string> | null = null;
    const send = (o: unknown) => { if (socket.readyState === socket.OPEN && socket.bufferedAmount < MAX_BUFFERED) socket.send(JSON.stringify(o)); };
    const onEvent = (e: LiveEvent) => {
      try {
        if (![...topics].some((p) => topicMatches(p, e.topic))) return;
        if (botIds && e.botId !== undefined && !botIds.has(e.botId)) return;
        send({ topic: e.topic, ts: e.ts, botId: e.botId ?? null, data: e.data });
      } catch {
        // a listener never throws back into the runtime
      }
    };
    const offs = [ctx.deps.bots, ...(ctx.deps.eventSources ?? []), ...more].map((src) => src.subscribe(onEvent));
    const unsubscribe = () => { for (const off of offs.splice(0)) off(); };
    socket.on('message', (raw: Buffer) => {
      let msg: { op?: unknown; topics?: unknown; botIds?: unknown };
      try { msg = JSON.parse(raw.toString('utf8')) as typeof msg; } catch { return send({ op: 'error', message: 'messages must be JSON objects' }); }
      if (typeof msg !== 'object' || msg === null) return send({ op: 'error', message: 'messages must be JSON objects' });
      if (msg.op === 'ping') return send({ op: 'pong' });
      if (msg.op !== 'subscribe' && msg.op !== 'unsubscribe') return send({ op: 'error', message: "op must be 'subscribe', 'unsubscribe' or 'ping'" });
      const list = msg.topics;
      if (!Array.isArray(list) || list.length > 50 || !list.every(validPattern)) {
        return send({ op: 'error', message: `topics must be a list of: *, ${EVENT_TOPICS.join(', ')} (or a prefix like order.*)` });
      }
      if (msg.op === 'subscribe') {
        for (const t of list) topics.add(t);
        if (msg.botIds !== undefined) {
          if (!Array.isArray(msg.botIds) || !msg.botIds.every((b) => typeof b === 'string')) return send({ op: 'error', message: 'botIds must be a list of bot ids' });
          botIds = new Set(msg.botIds as string[]);
        }
      } else for (const t of list) topics.delete(t);
      send({ op: 'subscribed', topics: [...topics], botIds: botIds ? [...botIds] : null });
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });
}
