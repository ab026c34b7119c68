/**
 * The TradingView webhook's bot control (routes/webhooks.ts WebhookBotControl) over the server's BotService: bots
 * are found by symbol in the state store; resume → start (refused while one of its markets is disabled), pause →
 * pause, close → stop cancelling resting orders.
 */
import { prep } from '../state/db.ts';
import type { StateStore } from '../state/store.ts';
import type { BotService } from './bot-service.ts';
import type { WebhookBotControl, WebhookBotRef } from './routes/webhooks.ts';
import { assertMarketsEnabled } from './routes/markets.ts';

export function botServiceWebhookControl(bots: BotService, store: Pick<StateStore, 'db' | 'bots' | 'journal'>): WebhookBotControl {
  return {
    findBotsBySymbol(symbol: string): WebhookBotRef[] {
      return (prep(store.db, 'SELECT b.id, b.status FROM bots b WHERE EXISTS (SELECT 1 FROM json_each(b.symbols) s WHERE s.value = ?) ORDER BY b.created_at, b.id')
        .all(symbol) as { id: string; status: string }[]).map((r) => ({ id: r.id, status: r.status }));
    },
    resume: async (id, actor) => {
      const b = store.bots.require(id);
      assertMarketsEnabled(store, b.exchange, b.symbols, `bot '${id}'`);
      return bots.start(id, actor);
    },
    pause: (id, actor) => bots.pause(id, actor),
    stop: (id, actor) => bots.stop(id, 'cancel', actor),
  };
}
