import { createServer } from 'node:net';
import type { Dialog, MessageBoxOptions } from 'electron';
import type { ListenAddress } from '../config/schema.js';

export type ListenerName = 'smtp' | 'http' | 'tracking';
export type Listeners = Record<ListenerName, ListenAddress>;

export const LISTENER_NAMES: readonly ListenerName[] = ['smtp', 'http', 'tracking'];
const LABELS: Record<ListenerName, string> = { smtp: 'SMTP', http: 'UI and API', tracking: 'Tracking links' };

/** What `Sandbox.start()` rejects with when a listener's port is taken. */
export interface PortConflictError extends Error {
  code: 'EADDRINUSE';
  listener: ListenerName;
  address: string;
}

export function isPortConflict(err: unknown): err is PortConflictError {
  const e = err as Partial<PortConflictError> | null;
  return !!e && e.code === 'EADDRINUSE' && LISTENER_NAMES.includes(e.listener as ListenerName);
}

/**
 * How far above a taken port to look for a free one. Nearby ports are easy to recognise (1026 next to 1025); if
 * fifty in a row are taken something else owns the range and the system picks any free port instead.
 */
export const PROBE_SPAN = 50;

/** Whether a listener could bind `host:port` right now (by briefly binding it). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A port the system hands out as free on `host`. */
function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The first free port above `from` (within PROBE_SPAN) that is not in `exclude`, else any free port. */
export async function findFreePort(
  host: string,
  from: number,
  exclude: ReadonlySet<number>,
): Promise<number> {
  for (let port = from + 1; port <= Math.min(from + PROBE_SPAN, 65535); port++) {
    if (!exclude.has(port) && (await isPortFree(host, port))) return port;
  }
  for (let attempt = 0; attempt < PROBE_SPAN; attempt++) {
    const port = await anyFreePort(host);
    if (!exclude.has(port)) return port;
  }
  throw new Error(`[app] found no free port on ${host}`);
}

export interface PortProposal {
  listener: ListenerName;
  host: string;
  current: number;
  /** Equal to `current` when that port is free. */
  proposed: number;
}

/**
 * For each listener: its port if free, else a free one nearby. Checks all three at once, because whatever holds
 * one of them (Mailpit takes 1025 and 8025) often holds another, and one dialog is better than three. The listener
 * named in the error counts as taken even if it was freed meanwhile. Port 0 ("any") is never in conflict.
 */
export async function proposeFreePorts(
  listeners: Listeners,
  conflict?: PortConflictError,
): Promise<PortProposal[]> {
  const claimed = new Set(LISTENER_NAMES.map((name) => listeners[name].port).filter((port) => port !== 0));
  const proposals: PortProposal[] = [];
  for (const listener of LISTENER_NAMES) {
    const { host, port } = listeners[listener];
    const taken = port !== 0 && (listener === conflict?.listener || !(await isPortFree(host, port)));
    const proposed = taken ? await findFreePort(host, port, claimed) : port;
    claimed.add(proposed);
    proposals.push({ listener, host, current: port, proposed });
  }
  return proposals;
}

export function applyProposals(listeners: Listeners, proposals: PortProposal[]): Listeners {
  const next = { ...listeners };
  for (const p of proposals) next[p.listener] = { host: p.host, port: p.proposed };
  return next;
}

export function formatAddress({ host, port }: ListenAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const USE_FREE_PORTS = 0;
export const QUIT = 1;

/** The dialog shown instead of a crash when a port is taken. */
export function portConflictDialog(
  conflict: PortConflictError,
  proposals: PortProposal[],
): MessageBoxOptions {
  const changed = proposals.filter((p) => p.proposed !== p.current);
  const lines = changed.map(
    (p) =>
      `    ${LABELS[p.listener]}: ${formatAddress({ host: p.host, port: p.proposed })}  (instead of ${p.current})`,
  );
  return {
    type: 'warning',
    title: 'Ports in use',
    message: `${LABELS[conflict.listener]} port ${conflict.address} is already in use.`,
    detail: [
      'Another mail catcher (Mailpit, MailDev, or a second Mailbeacon) is probably running.',
      '',
      'Mailbeacon can use these free ports instead, and will keep using them:',
      ...lines,
      '',
      changed.some((p) => p.listener === 'smtp')
        ? "Point your app's SMTP settings at the new SMTP address."
        : 'Your SMTP address stays the same.',
    ].join('\n'),
    buttons: ['Use these ports', 'Quit'],
    defaultId: USE_FREE_PORTS,
    cancelId: QUIT,
    noLink: true,
  };
}

/** Asks the user; resolves to the listeners to start with, or null when they chose to quit. */
export async function resolvePortConflict(
  dialog: Pick<Dialog, 'showMessageBox'>,
  conflict: PortConflictError,
  listeners: Listeners,
): Promise<Listeners | null> {
  const proposals = await proposeFreePorts(listeners, conflict);
  const { response } = await dialog.showMessageBox(portConflictDialog(conflict, proposals));
  return response === USE_FREE_PORTS ? applyProposals(listeners, proposals) : null;
}
