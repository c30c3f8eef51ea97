import { createHash } from 'node:crypto';
import type { SandboxAudienceMember } from '../types.js';
import type { SegmentOpts } from './marketing/segments.js';

/** A campaign as the simulated Marketing API stores it: the public Campaign object plus its content. */
export interface SandboxCampaign {
  id: string;
  web_id: number;
  type: 'regular' | 'plaintext' | 'absplit' | 'rss' | 'variate';
  create_time: string;
  archive_url: string;
  long_archive_url: string;
  status: 'save' | 'paused' | 'schedule' | 'sending' | 'sent' | 'canceled' | 'canceling' | 'archived';
  emails_sent: number;
  send_time: string;
  content_type: 'template' | 'multichannel';
  needs_block_refresh: boolean;
  resendable: boolean;
  recipients: {
    list_id: string;
    list_is_active: boolean;
    list_name: string;
    segment_text: string;
    recipient_count: number;
    segment_opts?: SegmentOpts;
  };
  settings: CampaignSettings;
  tracking: { opens: boolean; html_clicks: boolean; text_clicks: boolean; goal_tracking: boolean; ecomm360: boolean };
  /** Sandbox-only: the content set with PUT /content (not part of the public Campaign object). */
  content?: { html: string; plain_text: string };
}

export interface CampaignSettings {
  subject_line: string;
  preview_text: string;
  title: string;
  from_name: string;
  reply_to: string;
  use_conversation: boolean;
  to_name: string;
  folder_id: string;
  authenticate: boolean;
  auto_footer: boolean;
  inline_css: boolean;
  auto_tweet: boolean;
  fb_comments: boolean;
  timewarp: boolean;
  template_id: number;
  drag_and_drop: boolean;
}

export interface OutboxEmail {
  id: string;
  kind: 'campaign' | 'test' | 'transactional';
  campaignId?: string;
  messageId?: string;
  to: string[];
  subject: string;
  fromName: string;
  replyTo: string;
  html: string;
  sentAt: string;
  metadata?: Record<string, string>;
  /** Files sent with a Transactional message: name, type and decoded size (the bytes are not kept). */
  attachments?: Array<{ name: string; type: string; size: number }>;
}

/** One recipient of one Transactional send, as /messages/search and /messages/info report it. */
export interface TransactionalMessage {
  _id: string;
  ts: number;
  email: string;
  sender: string;
  subject: string;
  tags: string[];
  metadata: Record<string, string>;
  state: 'sent' | 'queued' | 'rejected' | 'invalid';
  reject_reason: string | null;
  /** The metadata keys that were indexed (active) when it was sent: only these can find it through `u_<key>:`. */
  indexed?: string[];
}

/** A custom metadata field indexed for search (`/metadata/add`); its state turns from `index` to `active` at `activeAt`. */
export interface MetadataField {
  name: string;
  view_template: string;
  activeAt: string;
}

/** A static segment (`POST /lists/{id}/segments` with `static_segment`), usable as `saved_segment_id`. */
export interface StaticSegment {
  id: number;
  name: string;
  /** Lowercased addresses of audience members; addresses not on the list are ignored, as Mailchimp does. */
  emails: string[];
  created_at: string;
  updated_at: string;
}

/** A file uploaded to the File Manager (`POST /file-manager/files`), hosted at `/files/{id}/{name}`. */
export interface HostedFile {
  id: number;
  folder_id: number;
  type: 'image' | 'file';
  name: string;
  size: number;
  width: number;
  height: number;
  /** Sandbox-only: what is served at the hosted address. */
  content_type: string;
  data: string;
  created_at: string;
}

export interface MailchimpState {
  version: 1;
  listId: string;
  members: SandboxAudienceMember[];
  segments: StaticSegment[];
  campaigns: SandboxCampaign[];
  outbox: OutboxEmail[];
  transactionalMessages: TransactionalMessage[];
  /** The File Manager's files (report logos), base64 in `data`. */
  files: HostedFile[];
  /** Custom metadata fields indexed for `/messages/search` (at most 10). */
  metadataFields: MetadataField[];
  /** When the `/messages/search` calls of the last minute were made (ms), for the 20-a-minute limit. */
  recentSearches: number[];
  /** Addresses the Transactional side rejects as `unsub` even when they are not in the audience. */
  suppressions: string[];
  /** Monotonic counter behind every generated id, so ids are repeatable and survive a restart. */
  sequence: number;
}

export function initialState(listId: string, members: SandboxAudienceMember[]): MailchimpState {
  return {
    version: 1,
    listId,
    members: structuredClone(members),
    segments: [],
    campaigns: [],
    outbox: [],
    transactionalMessages: [],
    files: [],
    metadataFields: [],
    recentSearches: [],
    suppressions: [],
    sequence: 0,
  };
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function subscriberHash(email: string): string {
  return md5(email.trim().toLowerCase());
}

/** Next repeatable id of `length` hex digits (Mailchimp campaign ids are 10, Transactional ids 32). */
export function nextId(state: MailchimpState, kind: string, length: number): string {
  state.sequence += 1;
  return md5(`${kind}:${state.sequence}`).slice(0, length);
}

/** Mailchimp writes times as `2026-11-25T12:00:00+00:00`. */
export function mailchimpTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function findMember(state: MailchimpState, hash: string): SandboxAudienceMember | undefined {
  return state.members.find((member) => subscriberHash(member.email_address) === hash);
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
}

export function isValidEmail(email: unknown): email is string {
  return typeof email === 'string' && /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[A-Za-z]{2,}$/.test(email.trim());
}
