import { describe, expect, it } from 'vitest';
import { approvalRefusal, isApprover, NotAllowedError, parseApprovers, requireApprover } from '../src/approvers.js';

const { approvers } = parseApprovers('slack:U0BOSS0001, teams:6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b, alice@msp.example', { sandbox: false });

describe('who is an approver', () => {
  it('matches an id only on its own platform', () => {
    expect(isApprover(approvers, { platform: 'slack', id: 'U0BOSS0001' })).toBe(true);
    expect(isApprover(approvers, { platform: 'teams', id: 'U0BOSS0001' })).toBe(false);
    expect(isApprover(approvers, { platform: 'teams', id: '6B1F4E2A-8C3D-4E5F-9A0B-1C2D3E4F5A6B' })).toBe(true);
    expect(isApprover(approvers, { platform: 'slack', id: '6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b' })).toBe(false);
  });

  it('matches an email on any platform that vouches for it, and nothing else about the person', () => {
    expect(isApprover(approvers, { platform: 'teams', id: 'aad-alice', email: 'Alice@MSP.example' })).toBe(true);
    expect(isApprover(approvers, { platform: 'slack', id: 'alice@msp.example' })).toBe(false);
    expect(isApprover(approvers, { platform: 'slack', id: 'U0OTHER001' })).toBe(false);
  });

  it('lets the command line act (it has the data folder\'s full rights), and everyone only where * is listed', () => {
    expect(isApprover([], { platform: 'cli', id: 'ops' })).toBe(true);
    expect(isApprover([], { platform: 'slack', id: 'U0BOSS0001' })).toBe(false);
    expect(isApprover([{ kind: 'everyone' }], { platform: 'teams', id: 'anyone' })).toBe(true);
  });

  it('says who may act, as reachable from the asker\'s platform', () => {
    expect(approvalRefusal(approvers, 'discard', 'slack')).toBe('Only approvers can discard a report. Ask one of: Slack user U0BOSS0001, alice@msp.example.');
    expect(approvalRefusal(approvers, 'fix', 'teams')).toBe("Only approvers can change who receives a client's reports. Ask one of: Teams user 6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b, alice@msp.example.");
    expect(approvalRefusal([], 'send', 'slack')).toBe('Only approvers can send reports to clients. None are set up: whoever runs IntegoReport lists them in APPROVERS.');
    expect(() => requireApprover(approvers, { platform: 'slack', id: 'U0OTHER001' }, 'test')).toThrow(NotAllowedError);
  });
});
