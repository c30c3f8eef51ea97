import { MailchimpError, type MailchimpHttp } from './http.js';
import { LeaseLostError } from '../store/sends.js';
import { MAX_PASSES, NOT_RESUMED, type ChannelResult, type DeliveryChannel, type DeliveryJob, type TestEmail } from './channel.js';

/** The fields of a Mailchimp campaign this module reads. */
export interface CampaignInfo {
  id: string;
  status: 'save' | 'paused' | 'schedule' | 'sending' | 'sent' | 'canceled' | 'canceling' | 'archived';
  create_time?: string;
  send_time?: string;
  emails_sent?: number;
  settings?: { title?: string };
}

interface ChecklistItem {
  type: 'success' | 'warning' | 'error';
  heading: string;
  details: string;
}

export interface CampaignSettings {
  listId: string;
  fromName: string;
  replyTo: string;
}

const LIST_FIELDS = 'campaigns.id,campaigns.status,campaigns.settings.title,campaigns.emails_sent,campaigns.send_time,campaigns.create_time,total_items';
const PAGE_SIZE = 1000;

/** A one-off segment of the audience: these addresses only (`any` when there is more than one). */
function segmentFor(emails: string[]): { match: 'any' | 'all'; conditions: Array<{ condition_type: 'EmailAddress'; field: 'EMAIL'; op: 'is'; value: string }> } {
  return {
    match: emails.length > 1 ? 'any' : 'all',
    conditions: emails.map((value) => ({ condition_type: 'EmailAddress', field: 'EMAIL', op: 'is', value })),
  };
}

/** Campaign API calls used for report delivery. */
function campaignApi(http: MailchimpHttp, listId: string) {
  return {
    /** Every campaign on the audience titled exactly `title`, created since `since` (Mailchimp has no title filter). */
    async findByTitle(title: string, since: string): Promise<CampaignInfo[]> {
      const found: CampaignInfo[] = [];
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const page = await http.get<{ campaigns: CampaignInfo[]; total_items: number }>('/campaigns', {
          list_id: listId,
          since_create_time: since,
          sort_field: 'create_time',
          sort_dir: 'DESC',
          count: PAGE_SIZE,
          offset,
          fields: LIST_FIELDS,
        });
        found.push(...page.campaigns.filter((campaign) => campaign.settings?.title === title));
        if (offset + PAGE_SIZE >= page.total_items || page.campaigns.length === 0) return found;
      }
    },
    async get(id: string): Promise<CampaignInfo | undefined> {
      try {
        return await http.get<CampaignInfo>(`/campaigns/${id}`, { fields: 'id,status,emails_sent,send_time,create_time,settings.title' });
      } catch (error) {
        if (error instanceof MailchimpError && error.status === 404) return undefined;
        throw error;
      }
    },
    create: (body: unknown) => http.post<CampaignInfo>('/campaigns', body),
    update: (id: string, body: unknown) => http.patch<CampaignInfo>(`/campaigns/${id}`, body),
    setContent: (id: string, html: string) => http.put<unknown>(`/campaigns/${id}/content`, { html }),
    checklist: (id: string) => http.get<{ is_ready: boolean; items: ChecklistItem[] }>(`/campaigns/${id}/send-checklist`),
    send: (id: string) => http.post<void>(`/campaigns/${id}/actions/send`),
    test: (id: string, emails: string[]) => http.post<void>(`/campaigns/${id}/actions/test`, { test_emails: emails, send_type: 'html' }),
  };
}

/** Mailchimp may have acted: no answer, a 5xx, throttling without a body, or a garbled answer. */
function isUncertain(error: unknown): boolean {
  return !(error instanceof MailchimpError) || error.transient;
}

/** Sending, sent or scheduled: the email has gone (or will) and must not be sent again. */
function isDelivered(campaign: CampaignInfo): boolean {
  return campaign.status === 'sending' || campaign.status === 'sent' || campaign.status === 'schedule';
}

function describe(error: unknown): string {
  if (error instanceof MailchimpError) return `Mailchimp said: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The already-sent campaign among those found, else the oldest draft (so every attempt picks the same one). */
function pick(campaigns: CampaignInfo[]): CampaignInfo | undefined {
  const delivered = campaigns.find(isDelivered);
  if (delivered) return delivered;
  return [...campaigns].sort((a, b) => (a.create_time ?? '').localeCompare(b.create_time ?? ''))[0];
}

/**
 * Delivery as a one-off `regular` campaign segmented to the client (plus the internal copy), titled
 * with the ledger key. Each pass first locates the campaign (by id, else by exact title) and continues
 * from what Mailchimp says: sent → done; draft → reuse; none → create. The send call is never repeated
 * without that read, and a campaign can be sent only once, so one key yields at most one email.
 */
export function createCampaignChannel(http: MailchimpHttp, settings: CampaignSettings): DeliveryChannel {
  const api = campaignApi(http, settings.listId);

  const campaignBody = (title: string, subject: string, to: string[]) => ({
    recipients: { list_id: settings.listId, segment_opts: segmentFor(to) },
    settings: { subject_line: subject, title, from_name: settings.fromName, reply_to: settings.replyTo, auto_footer: true, inline_css: true },
  });

  /** `refusedSend`: Mailchimp refused an earlier send of this campaign; report it rather than sending again. */
  async function pass(job: DeliveryJob, refusedSend: MailchimpError | undefined): Promise<ChannelResult> {
    const record = job.record;
    const found = record.campaignId ? await api.get(record.campaignId) : undefined;
    const campaign = found ?? pick(await api.findByTitle(record.key, record.searchSince));
    if (campaign && isDelivered(campaign)) {
      return { kind: 'sent', campaignId: campaign.id, sentAt: campaign.send_time || undefined, already: true };
    }
    if (campaign && campaign.status !== 'save' && campaign.status !== 'paused') {
      return { kind: 'failed', campaignId: campaign.id, reason: `Campaign ${campaign.id} is "${campaign.status}" in Mailchimp; look at it there before sending again.` };
    }
    if (!job.mayAct) return { kind: 'failed', campaignId: campaign?.id, reason: NOT_RESUMED };
    if (campaign && refusedSend) return { kind: 'failed', campaignId: campaign.id, reason: describe(refusedSend) };
    let campaignId: string;
    if (campaign) {
      campaignId = campaign.id;
      await api.update(campaignId, campaignBody(record.key, record.subject, record.to));
    } else {
      campaignId = (await api.create({ type: 'regular', ...campaignBody(record.key, record.subject, record.to) })).id;
    }
    await job.progress({ status: 'campaign-created', campaignId });
    await api.setContent(campaignId, job.html);
    const checklist = await api.checklist(campaignId);
    if (!checklist.is_ready) {
      const reasons = checklist.items.filter((item) => item.type === 'error').map((item) => `${item.heading}: ${item.details}`);
      return { kind: 'refused', campaignId, reason: `Mailchimp is not ready to send it. ${reasons.join(' ') || 'The send checklist is not complete.'}` };
    }
    await job.progress({ status: 'content-set' });
    await api.send(campaignId);
    return { kind: 'sent', campaignId };
  }

  return {
    name: 'campaign',
    marksTestSubjects: true,
    async deliver(job) {
      let lastProblem = 'Mailchimp did not answer.';
      let refusedSend: MailchimpError | undefined;
      for (let attempt = 0; attempt < MAX_PASSES; attempt += 1) {
        try {
          return await pass(job, refusedSend);
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          const sendCall = error instanceof MailchimpError && error.path.endsWith('/actions/send');
          if (!isUncertain(error) && !sendCall) return { kind: 'failed', reason: describe(error) };
          // A refused send is re-read too: "already sent" means an earlier unanswered send went through.
          if (!isUncertain(error)) refusedSend = error as MailchimpError;
          lastProblem = describe(error);
          job.record = await job.progress({});
        }
      }
      return { kind: 'uncertain', reason: lastProblem, campaignId: job.record.campaignId };
    },
    async sendTest(email: TestEmail) {
      const created = await api.create({ type: 'regular', ...campaignBody(`${email.key}:test`, email.subject, [email.to]) });
      await api.setContent(created.id, email.html);
      await api.test(created.id, [email.to]);
      return { campaignId: created.id };
    },
  };
}
