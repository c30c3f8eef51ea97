/**
 * Sends that start-up finished (the process had stopped mid-send) are shown where they were pressed: the
 * card on Slack or Teams, and the client's row of the period's digest.
 */
import type { BotServices } from '../app/ports.js';
import type { Logger } from '../logger.js';
import type { CardAddress, SendRecord } from '../store/sends.js';
import { sentView, summaryView } from './views/builders.js';
import type { View } from './views/view.js';

/** Replaces a message the bot posted earlier, outside any request. */
export type CardUpdater = (address: CardAddress, view: View) => Promise<void>;

export interface ResumedSendsDeps {
  services: Pick<BotServices, 'getReport'>;
  updaters: Partial<Record<CardAddress['platform'], CardUpdater>>;
  /** Refreshes the client's row (and the header) of the period's digest, wherever it was posted. */
  refreshDigestRow?(periodKey: string, clientId: number): Promise<void>;
  logger: Logger;
}

export async function showResumedSends(deps: ResumedSendsDeps, sends: readonly SendRecord[]): Promise<void> {
  for (const send of sends) {
    try {
      const report = await deps.services.getReport(send.reportId);
      const update = send.card && deps.updaters[send.card.platform];
      if (report && send.card && update) {
        const view = !report.send ? summaryView(report) : report.send.status === 'failed' ? summaryView(report, `Sending failed: ${report.send.error ?? 'see the bot\'s log.'}`) : sentView(report);
        await update(send.card, view);
      }
      await deps.refreshDigestRow?.(send.periodKey, send.clientId);
    } catch (error) {
      deps.logger.warn({ err: error, sendId: send.id }, 'could not show a send finished at start-up');
    }
  }
}
