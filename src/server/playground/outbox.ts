/** What the playground shows of one email the sandbox Mailchimp "delivered". */
export interface OutboxEntry {
  id: string;
  kind: string;
  to: string[];
  subject: string;
  sentAt: string;
  html: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
}

const KIND_LABELS: Record<string, string> = { campaign: 'Report', test: 'Test', transactional: 'Report (transactional)' };

/** The sandbox outbox as a page: newest first, subject, recipients and time, each linking to the email itself. */
export function outboxPage(emails: OutboxEntry[]): string {
  const rows = [...emails]
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
    .map((email) => `<tr>
  <td>${escapeHtml(KIND_LABELS[email.kind] ?? email.kind)}</td>
  <td><a href="/playground/outbox/${encodeURIComponent(email.id)}" target="_blank" rel="noopener">${escapeHtml(email.subject)}</a></td>
  <td>${email.to.map(escapeHtml).join('<br>')}</td>
  <td><time datetime="${escapeHtml(email.sentAt)}">${escapeHtml(email.sentAt.replace('T', ' ').replace(/\.\d+/, '').replace(/(\+00:00|Z)$/, ' UTC'))}</time></td>
</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox outbox · IntegoReport</title>
<link rel="stylesheet" href="/playground/assets/playground.css">
</head>
<body class="outbox">
<header class="bar"><a class="brand" href="/">IntegoReport playground</a><span class="badge">sandbox</span></header>
<main>
<h1>Sandbox outbox</h1>
<p class="hint">Emails the simulated Mailchimp delivered. Nothing here left this computer.</p>
${emails.length === 0 ? '<p class="empty">No emails yet. Generate a report in the chat and send it.</p>' : `<table>
<thead><tr><th>Kind</th><th>Subject</th><th>To</th><th>Sent</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`}
</main>
</body>
</html>
`;
}
