// The few pages a person may see on the tracking listener: unsubscribe confirmation, done, and a bad link.

const STYLE = `body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
main{max-width:28rem;margin:12vh auto;padding:2rem 2.25rem;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.25rem;margin:0 0 .75rem}p{margin:0 0 1rem;color:#4a5264}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:8px;background:#2f5bea;color:#fff;cursor:pointer}
small{color:#8a90a0}`;

/** Pages carry no script and may only post back to this listener. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}<p><small>Mailbeacon sandbox</small></p></main></body></html>`;
}

/** GET /u: asks, changes nothing (link scanners follow GET links; only the POST unsubscribes). */
export function confirmPage(action: string, recipient: string): string {
  const who = recipient ? ` <strong>${escapeHtml(recipient)}</strong>` : '';
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe?</h1><p>Stop receiving these mails${who ? ` at${who}` : ''}.</p>` +
      `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
      `<button type="submit">Unsubscribe</button></form>`,
  );
}

export function unsubscribedPage(recipient: string): string {
  const who = recipient ? `${escapeHtml(recipient)} is` : 'You are';
  return page('Unsubscribed', `<h1>Unsubscribed</h1><p>${who} unsubscribed. Nothing else is needed.</p>`);
}

export function badLinkPage(reason: string): string {
  return page('Link not valid', `<h1>This link is not valid</h1><p>${escapeHtml(reason)}</p>`);
}
