/** Reports in chat: generate with progress, show the period's card, send (as confirmed), send a test, discard. */
import type { Actor, ProgressUpdate, ReportSummary } from '../../app/ports.js';
import { reportFor } from '../../app/report-for.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import { discardedView, errorView, missingReportView, noticeView, progressView, sentView, summaryView } from '../views/builders.js';
import type { SendValue, View } from '../views/view.js';
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

/** The card of the client's report for the period (the sent one, else the newest draft), with its Send button. */
export async function showReportToSend(ctx: ListenerContext, client: { id: number; name: string }, periodText: string | undefined, surface: ChatSurface) {
  const period = await periodOrExplain(ctx, periodText, surface);
  if (!period) return;
  const report = await reportFor(ctx.services, client, period);
  if (!report) {
    await surface.ephemeral(missingReportView(client, period));
    return;
  }
  await surface.reply(reportCard(report));
}

/** A send button's value, when it is one that names what was confirmed. */
function parseSendValue(value: string): SendValue | undefined {
  const parsed = parseJson<SendValue>(value);
  return parsed && typeof parsed.reportId === 'string' && Number.isInteger(parsed.version) && Array.isArray(parsed.to) && parsed.to.every((address) => typeof address === 'string')
    ? parsed
    : undefined;
}

/** The card to show after a send did not happen because the report or its contact changed: the period's report now. */
async function freshCard(ctx: ListenerContext, outcome: { reason: string; reportId: string }, shown: ReportSummary): Promise<View> {
  const fresh = (await ctx.services.getReport(outcome.reportId)) ?? shown;
  return fresh.send?.status === 'sent' ? sentView(fresh) : summaryView(fresh, `${outcome.reason} Check it and press Send again.`);
}

/** Send to client: only an approver, only once, and only the version and addresses the card named. */
export async function send(ctx: ListenerContext, actor: Actor, value: string, surface: ChatSurface) {
  const shown = parseSendValue(value);
  // Cards posted before sends carried what they named hold just the report id.
  const report = await reportOrExplain(ctx, shown?.reportId ?? value, surface);
  if (!report) return;
  if (report.send && report.send.status !== 'failed') {
    await show(surface, sentView(report));
    return;
  }
  if (report.discarded) {
    await show(surface, discardedView(report));
    return;
  }
  if (await refused(ctx, actor, 'send', surface)) return;
  if (!shown) {
    await show(surface, summaryView(report, 'This card does not say whom it was confirmed for. Check the recipients and press Send again.'));
    return;
  }
  const target = surface.origin && !surface.origin.ephemeral ? surface.origin : undefined;
  const message = await progressMessage(ctx, surface, { ...summaryView(report), buttons: [], tone: 'info', text: `Sending to ${shown.to[0] ?? 'the client'}…` }, target);
  try {
    const outcome = await ctx.services.sendReport(actor, report.id, { confirmed: { version: shown.version, to: shown.to } });
    switch (outcome.kind) {
      case 'changed':
        await message.finish(await freshCard(ctx, outcome, report));
        return;
      case 'sent':
      case 'already-sent':
        await message.finish(sentView(report, outcome.send));
        return;
      case 'refused':
        await message.finish(summaryView(report));
        await surface.ephemeral(errorView(outcome.reason));
        return;
      case 'failed':
        await message.finish(summaryView(report, `Sending failed: ${outcome.reason}`));
        return;
    }
  } catch (error) {
    await message.finish(summaryView(report, failureView(ctx, error, 'send', surface.commandPrefix).text));
  }
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
