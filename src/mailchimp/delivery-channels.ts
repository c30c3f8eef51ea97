import type { MailchimpHttp } from './http.js';
import type { TransactionalClient } from './transactional.js';
import { createTransactionalChannel } from './transactional.js';
import { createCampaignChannel } from './campaigns.js';
import type { DeliveryChannels } from './channel.js';

export interface DeliveryChannelOptions {
  /** The Marketing API; campaigns are the default way to send. */
  http?: MailchimpHttp;
  audienceId?: string;
  /** Set when the account has Mailchimp Transactional; new sends then go that way. */
  transactional?: TransactionalClient;
  fromName: string;
  replyTo: string;
  /** See TransactionalChannelSettings.settleMs. */
  transactionalSettleMs?: number;
}

/** The channels the send use-case may drive; rows already started finish on the channel they began on. */
export function createDeliveryChannels(options: DeliveryChannelOptions): DeliveryChannels {
  const campaign = options.http && options.audienceId
    ? createCampaignChannel(options.http, { listId: options.audienceId, fromName: options.fromName, replyTo: options.replyTo })
    : undefined;
  const transactional = options.transactional
    ? createTransactionalChannel(options.transactional, { fromName: options.fromName, fromEmail: options.replyTo, settleMs: options.transactionalSettleMs })
    : undefined;
  if (!campaign && !transactional) throw new Error('Report delivery needs the Mailchimp Marketing API (with an audience) or Mailchimp Transactional.');
  return { campaign, transactional, preferred: transactional ? 'transactional' : 'campaign' };
}
