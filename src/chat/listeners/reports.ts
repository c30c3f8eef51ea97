/** Reports in chat: generate with progress, show the period's card, send (as confirmed), send a test, discard. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Actor, ConfirmedSend, ProgressUpdate, ReportSummary, SendOptions, SendOutcome } from '../../app/ports.js';
import { newestReportFor } from '../../app/report-for.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import { discardedView, errorView, missingReportView, noticeView, progressView, sentView, summaryView } from '../views/builders.js';
import type { ResendValue, SendValue, View } from '../views/view.js';
import { failureView, parseJson, periodOrExplain, refused, reportCard, reportOrExplain, show, type ListenerContext } from './context.js';
import { progressMessage } from './progress.js';

/** Pulls, computes and renders the report, showing progress on one message (`target`: the card the button sits on). */
export async function generate(ctx: ListenerContext, actor: Actor, client: { id: number; name: string }, periodText: string | undefined, surface: ChatSurface, target?: MessageRef) {
  const period = await periodOrExplain(ctx, periodText, surface);
  if (!period) return;
  await ctx.once(
    `generate|${client.id}|${period.key}`,
    async () => {
      const render = (update?: ProgressUpdate) => progressView(client.name, period.label, update);
      const message = await progressMessage(ctx, surface, render(), target);
      try {
        const report = await ctx.services.generateReport(actor, {
          clientId: client.id,
          period,
          onProgress: (update) => message.progress(update, render),
        });
        await message.finish(summaryView(report));
      } catch (error) {
        await message.finish({ ...failureView(ctx, error, 'generate', surface.commandPrefix), title: `${client.name}: ${period.label}` });
      }
    },
    () => surface.ephemeral(noticeView(`I'm already generating the ${period.label} report for ${client.name}; it will appear in the message above.`)),
  );
}

/**
 * The card of the client's newest report for the period: Send to client; once the period went out, a card
 * saying so with Send again (the card that was sent stays "Sent"). "Generate it first" when there is none.
 */
export async function showReportToSend(ctx: ListenerContext, client: { id: number; name: string }, periodText: string | undefined, surface: ChatSurface) {
  const period = await periodOrExplain(ctx, periodText, surface);
  if (!period) return;
  const report = await newestReportFor(ctx.services, client, period);
  if (!report) {
    await surface.ephemeral(missingReportView(surface.commandPrefix, client, period));
    return;
  }
  await surface.reply(report.periodSend && !sendUnderWay(report) ? summaryView(report) : reportCard(report));
}

/** A send button's value, when it is one that names what was confirmed. */
function parseSendValue(value: string): SendValue | undefined {
  const parsed = parseJson<SendValue>(value);
  return parsed && typeof parsed.reportId === 'string' && Number.isInteger(parsed.version) && Array.isArray(parsed.to) && parsed.to.every((address) => typeof address === 'string')
    ? parsed
    : undefined;
}

function parseResendValue(value: string): ResendValue | undefined {
  const parsed = parseSendValue(value) as ResendValue | undefined;
  return parsed && typeof parsed.after === 'string' ? parsed : undefined;
}

/** A press has started sending the report and it has not ended yet (neither sent nor failed). */
function sendUnderWay(report: ReportSummary): boolean {
  const status = report.send?.status;
  return status !== undefined && status !== 'sent' && status !== 'failed';
}

const SETTLE_POLL_MS = 250;
const PERIOD_ALREADY_SENT = 'Nothing was sent: this period already went to the client. Send again sends a second email.';

/**
 * The report once a send of it that is under way has ended (or `ctx.settleWaitMs` ran out), so that a card
 * answering a second press shows how the first one ended, never the Send button it had before.
 */
async function settledReport(ctx: ListenerContext, reportId: string): Promise<ReportSummary | undefined> {
  const deadline = Date.now() + ctx.settleWaitMs;
  for (;;) {
    const report = await ctx.services.getReport(reportId);
    if (!report || !sendUnderWay(report) || Date.now() >= deadline) return report;
    await delay(SETTLE_POLL_MS);
  }
}

/** The card after a send did not happen because the report, its contact or the period's sends changed: the period's report now. */
async function freshCard(ctx: ListenerContext, outcome: { reason: string; reportId: string }, shown: ReportSummary): Promise<View> {
  const fresh = (await ctx.services.getReport(outcome.reportId)) ?? shown;
  if (fresh.send?.status === 'sent') return sentView(fresh);
  const wentOutSince = fresh.periodSend && fresh.periodSend.sendId !== shown.periodSend?.sendId;
  return summaryView(fresh, wentOutSince ? PERIOD_ALREADY_SENT : `${outcome.reason} Check it and press ${fresh.periodSend ? 'Send again' : 'Send to client'}.`);
}

/** The card a send's press ends on: "Sent" whenever the report went out, whoever's press sent it. */
async function cardAfterSend(ctx: ListenerContext, outcome: SendOutcome, shown: ReportSummary, surface: ChatSurface): Promise<View> {
  if (outcome.kind === 'changed') return freshCard(ctx, outcome, shown);
  const fresh = (await settledReport(ctx, shown.id)) ?? shown;
  if (fresh.send?.status === 'sent') return sentView(fresh);
  switch (outcome.kind) {
    case 'sent':
    case 'already-sent':
      return sentView(fresh, outcome.send);
    case 'refused':
      await surface.ephemeral(errorView(outcome.reason));
      return summaryView(fresh);
    case 'failed':
      return summaryView(fresh, `Sending failed: ${outcome.reason}`);
  }
}

/** Checks shared by Send to client and Send again: false when the card was answered already. */
async function sendable(ctx: ListenerContext, actor: Actor, report: ReportSummary, surface: ChatSurface): Promise<boolean> {
  if (sendUnderWay(report)) {
    // Another press is sending it: show how that ends.
    await show(surface, reportCard((await settledReport(ctx, report.id)) ?? report));
    return false;
  }
  if (report.discarded) {
    await show(surface, discardedView(report));
    return false;
  }
  return !(await refused(ctx, actor, 'send', surface));
}

/** Sends as confirmed on the card, showing "Sending…" on it, then how it ended. */
async function sendFromCard(ctx: ListenerContext, actor: Actor, report: ReportSummary, options: SendOptions & { confirmed: ConfirmedSend }, surface: ChatSurface, sending: string) {
  const target = surface.origin && !surface.origin.ephemeral ? surface.origin : undefined;
  const message = await progressMessage(ctx, surface, { ...summaryView(report), buttons: [], tone: 'info', text: sending }, target);
  try {
    const outcome = await ctx.services.sendReport(actor, report.id, { ...options, card: surface.addressOf?.(message.ref) });
    await message.finish(await cardAfterSend(ctx, outcome, report, surface));
  } catch (error) {
    await message.finish(summaryView(report, failureView(ctx, error, 'send', surface.commandPrefix).text));
  }
}

/** Send to client: only an approver, only once, only the version and addresses the card named, never after the period went out. */
export async function send(ctx: ListenerContext, actor: Actor, value: string, surface: ChatSurface) {
  const shown = parseSendValue(value);
  // Cards posted before sends carried what they named hold just the report id.
  const report = await reportOrExplain(ctx, shown?.reportId ?? value, surface);
  if (!report) return;
  if (report.send?.status === 'sent') {
    await show(surface, sentView(report));
    return;
  }
  if (report.periodSend) {
    // An older card's Send to client after the period went out (with any version): only Send again sends.
    await show(surface, summaryView(report, PERIOD_ALREADY_SENT));
    return;
  }
  if (!(await sendable(ctx, actor, report, surface))) return;
  if (!shown) {
    await show(surface, summaryView(report, 'This card does not say whom it was confirmed for. Check the recipients and press Send to client.'));
    return;
  }
  await sendFromCard(ctx, actor, report, { confirmed: { version: shown.version, to: shown.to } }, surface, `Sending to ${shown.to[0] ?? 'the client'}…`);
}

/** Send again: a second email on purpose, by an approver, after the period's send the card showed. */
export async function resend(ctx: ListenerContext, actor: Actor, value: string, surface: ChatSurface) {
  const shown = parseResendValue(value);
  if (!shown) {
    await surface.ephemeral(errorView('That button is from an older version of the bot.', 'Run the command again to get a fresh message.'));
    return;
  }
  const report = await reportOrExplain(ctx, shown.reportId, surface);
  if (!report || !(await sendable(ctx, actor, report, surface))) return;
  await sendFromCard(ctx, actor, report, { resendOf: shown.after, confirmed: { version: shown.version, to: shown.to } }, surface, `Sending again to ${shown.to[0] ?? 'the client'}…`);
}

/** Send test to me: to the address the platform reports for the approver who pressed it. */
export async function sendTest(ctx: ListenerContext, actor: Actor, reportId: string, surface: ChatSurface) {
  if (await refused(ctx, actor, 'test', surface)) return;
  if (!actor.email) {
    await surface.ephemeral(errorView('I can\'t see your email address, so I don\'t know where to send the test.', 'Add an email to your profile (or ask an admin to grant the bot users:read.email) and try again.'));
    return;
  }
  const report = await reportOrExplain(ctx, reportId, surface);
  if (!report) return;
  const outcome = await ctx.services.sendTest(actor, reportId, actor.email);
  if (outcome.kind === 'sent' || outcome.kind === 'already-sent') {
    await surface.ephemeral(noticeView(`Test of the ${report.period.label} report for ${report.client.name} sent to ${actor.email}. Only you received it.`, 'success'));
  } else {
    await surface.ephemeral(errorView(`The test was not sent: ${outcome.reason}`));
  }
}

export async function discard(ctx: ListenerContext, actor: Actor, reportId: string, surface: ChatSurface) {
  if (await refused(ctx, actor, 'discard', surface)) return;
  const report = await reportOrExplain(ctx, reportId, surface);
  if (!report) return;
  if (report.send && report.send.status !== 'failed') {
    await show(surface, sentView(report));
    await surface.ephemeral(errorView('This report was already sent, so it can\'t be discarded.'));
    return;
  }
  const discarded = await ctx.services.discardReport(actor, reportId);
  await show(surface, discardedView(discarded, actor.name));
}
