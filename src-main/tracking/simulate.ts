import { request } from 'node:http';
import type { Classification, TokenKind, TrackingManifest } from '../model/tracking.js';
import type { Clock, Logger } from '../logger.js';
import {
  ADDRESSES,
  HUMAN_CLIENTS,
  SIMULATE_PROFILES,
  USER_AGENTS,
  type HumanClient,
  type SimulateProfile,
} from './profiles.js';
import { IMITATE_AGE_HEADER, IMITATE_IP_HEADER, type SandboxMarker } from './sandbox-mark.js';

export interface SimulateRequest {
  profile: SimulateProfile;
  /** 1-based link number (as in the Tracking tab) for `human-click` and the journey's click; else the first. */
  link?: number;
  /** `inbox-journey`: how many times faster than real time (60 = a minute per second). */
  compress?: number;
  /** `human-open`: which client opens the mail. */
  client?: HumanClient;
}

export interface SimulateStep {
  at: string;
  kind: TokenKind;
  /** The class the step imitates, which the tracking server gives it. */
  classification: Classification;
  /** A click's destination. */
  url?: string;
}

export interface SimulateResult {
  profile: SimulateProfile;
  steps: SimulateStep[];
}

/** Why a simulation cannot run, with the HTTP status the API answers. */
export class SimulateError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** One request of a plan. */
interface Planned {
  /** After the start of the simulation, in imitated seconds. */
  offsetS: number;
  kind: TokenKind;
  classification: Classification;
  method: 'GET' | 'HEAD' | 'POST';
  /** The tracked URL (pixel, redirect, unsubscribe). */
  tracked: string;
  url?: string;
  ua: string;
  ip: string;
  /** Imitated seconds since delivery, for the "click within seconds of delivery" rule. */
  ageS: number;
}

export interface SimulatorOptions {
  /** The stored id of a mail (`latest` resolved), or undefined. */
  resolveId: (id: string) => Promise<string | undefined>;
  /** The mail's tracking manifest as stored (null when none). */
  manifest: (id: string) => Promise<string | null | undefined>;
  marker: SandboxMarker;
  /** `http://host:port` of the tracking listener, which simulations call directly (not through a tunnel). */
  listener: () => string;
  logger: Logger;
  clock: Clock;
}

/** A journey's steps, in imitated seconds after delivery. */
const JOURNEY = { prefetch: 2, open: 180, click: 240, unsub: 600 } as const;
/** A simulated person clicks minutes after delivery, well outside the scanner window. */
const HUMAN_CLICK_AGE_S = 300;
const REQUEST_TIMEOUT_MS = 10_000;
export const MAX_COMPRESS = 100_000;

/**
 * Simulated recipients: each profile's requests go to the real tracking listener over HTTP with the imitated
 * client's headers, on URLs carrying the sandbox mark, so the whole chain runs (classification, events, hub,
 * webhooks, UI) and every event says `source: "simulated"`. Journeys run in the background until done or close().
 */
export class Simulator {
  readonly #options: SimulatorOptions;
  readonly #running = new Set<AbortController>();
  #closed = false;

  constructor(options: SimulatorOptions) {
    this.#options = options;
  }

  /**
   * Runs a simulation: every profile but `inbox-journey` to its end (its steps as made); a journey is planned and
   * started (`background: true`, its steps as planned).
   */
  async simulate(id: string, req: SimulateRequest): Promise<SimulateResult & { background: boolean }> {
    const { plan, messageId } = await this.plan(id, req);
    if (this.#closed) throw new SimulateError(409, 'the sandbox is stopping');
    const controller = new AbortController();
    this.#running.add(controller);
    const start = this.#options.clock.now();
    const compress = req.profile === 'inbox-journey' ? (req.compress ?? 1) : 1;
    const atOf = (p: Planned) =>
      new Date(start + (req.profile === 'inbox-journey' ? (p.offsetS * 1000) / compress : 0)).toISOString();
    const steps = plan.map((p) => step(p, atOf(p)));
    const run = this.#run(plan, compress, controller.signal).finally(() => this.#running.delete(controller));
    if (req.profile === 'inbox-journey') {
      run.catch((err: Error) => {
        if (!controller.signal.aborted)
          this.#options.logger.warn(`simulation of ${messageId} stopped: ${err.message}`);
      });
      return { profile: req.profile, steps, background: true };
    }
    const made = await run;
    return { profile: req.profile, steps: plan.map((p, i) => step(p, made[i]!)), background: false };
  }

  /** Cancels running journeys (on stop). */
  close(): void {
    this.#closed = true;
    for (const controller of this.#running) controller.abort();
    this.#running.clear();
  }

  /** What a profile will send for this mail; SimulateError when it cannot. */
  async plan(id: string, req: SimulateRequest): Promise<{ plan: Planned[]; messageId: string }> {
    if (!(SIMULATE_PROFILES as readonly string[]).includes(req.profile)) {
      throw new SimulateError(
        400,
        `unknown profile "${req.profile}"; profiles: ${SIMULATE_PROFILES.join(', ')}`,
      );
    }
    if (req.client !== undefined && !(HUMAN_CLIENTS as readonly string[]).includes(req.client)) {
      throw new SimulateError(400, `unknown client "${req.client}"; clients: ${HUMAN_CLIENTS.join(', ')}`);
    }
    const messageId = await this.#options.resolveId(id);
    if (!messageId) throw new SimulateError(404, 'message not found');
    let manifest: TrackingManifest | undefined;
    try {
      const json = await this.#options.manifest(messageId);
      manifest = json ? (JSON.parse(json) as TrackingManifest) : undefined;
    } catch {
      manifest = undefined;
    }
    if (!manifest || !manifest.enabled) {
      const why = manifest?.disabledReason ? ` (${manifest.disabledReason})` : '';
      throw new SimulateError(
        409,
        `this mail was caught without tracking${why}: there is nothing to simulate`,
      );
    }
    return { plan: planFor(manifest, req), messageId };
  }

  /** Sends the plan's requests in order, each at its time; the ISO time each was made. */
  async #run(plan: Planned[], compress: number, signal: AbortSignal): Promise<string[]> {
    const { clock, marker } = this.#options;
    const start = clock.now();
    const made: string[] = [];
    for (const p of plan) {
      const due = start + (p.offsetS * 1000) / compress;
      await sleep(due - clock.now(), signal);
      if (signal.aborted) throw new Error('cancelled');
      const tracked = new URL(marker.markUrl(p.tracked, 'simulated'));
      const target = new URL(tracked.pathname + tracked.search, this.#options.listener());
      made.push(new Date(clock.now()).toISOString());
      await send(target, p, signal);
    }
    return made;
  }
}

function step(p: Planned, at: string): SimulateStep {
  const s: SimulateStep = { at, kind: p.kind, classification: p.classification };
  if (p.url !== undefined) s.url = p.url;
  return s;
}

/** The requests of a profile for one mail. */
export function planFor(manifest: TrackingManifest, req: SimulateRequest): Planned[] {
  const pixel = () => {
    if (!manifest.pixel) throw new SimulateError(409, 'this mail has no tracking pixel (no HTML part)');
    return manifest.pixel.url;
  };
  const link = () => {
    if (manifest.links.length === 0) throw new SimulateError(409, 'this mail has no tracked links');
    const n = req.link ?? 1;
    const found = manifest.links.find((l) => l.index === n);
    if (!found)
      throw new SimulateError(400, `link ${n} does not exist: the mail has ${manifest.links.length}`);
    return found;
  };
  const unsub = () => {
    if (!manifest.unsubscribe?.url) throw new SimulateError(409, 'this mail has no tracked unsubscribe link');
    return manifest.unsubscribe.url;
  };
  const humanOpen = (offsetS: number, client: HumanClient): Planned => ({
    offsetS,
    kind: 'open',
    classification: 'human',
    method: 'GET',
    tracked: pixel(),
    ua: USER_AGENTS[client],
    ip: ADDRESSES.person,
    ageS: offsetS,
  });
  const humanClick = (offsetS: number, ageS: number): Planned => {
    const l = link();
    return {
      offsetS,
      kind: 'click',
      classification: 'human',
      method: 'GET',
      tracked: l.trackedUrl,
      url: l.originalUrl,
      ua: USER_AGENTS.browser,
      ip: ADDRESSES.person,
      ageS,
    };
  };
  const appleOpen = (offsetS: number): Planned => ({
    offsetS,
    kind: 'open',
    classification: 'proxy',
    method: 'GET',
    tracked: pixel(),
    ua: USER_AGENTS.appleProxy,
    ip: ADDRESSES.appleProxy,
    ageS: offsetS,
  });
  const oneClick = (offsetS: number): Planned => ({
    offsetS,
    kind: 'unsub',
    classification: 'human',
    method: 'POST',
    tracked: unsub(),
    ua: '',
    ip: ADDRESSES.mailProvider,
    ageS: offsetS,
  });
  switch (req.profile) {
    case 'human-open':
      return [humanOpen(0, req.client ?? 'outlook-desktop')];
    case 'human-click':
      return [humanClick(0, HUMAN_CLICK_AGE_S)];
    case 'apple-mpp':
      return [appleOpen(0)];
    case 'gmail-proxy':
      return [
        {
          offsetS: 0,
          kind: 'open',
          classification: 'proxy',
          method: 'GET',
          tracked: pixel(),
          ua: USER_AGENTS.googleProxy,
          ip: ADDRESSES.googleProxy,
          ageS: 0,
        },
      ];
    case 'safe-links':
      link(); // a mail without links has nothing to scan
      return manifest.links.map((l) => ({
        offsetS: 0,
        kind: 'click',
        classification: 'scanner',
        method: 'GET',
        tracked: l.trackedUrl,
        url: l.originalUrl,
        ua: USER_AGENTS.browser,
        ip: ADDRESSES.safeLinks,
        ageS: 1,
      }));
    case 'unsubscribe-one-click':
      return [oneClick(0)];
    case 'inbox-journey': {
      const steps: Planned[] = [];
      if (manifest.pixel) {
        steps.push(appleOpen(JOURNEY.prefetch));
        steps.push(humanOpen(JOURNEY.open, 'ios-mail'));
      }
      if (manifest.links.length > 0) steps.push(humanClick(JOURNEY.click, JOURNEY.click));
      // Some recipients unsubscribe: decided by the mail's unsubscribe token, so a journey can be replayed.
      if (manifest.unsubscribe?.url && sometimes(manifest.unsubscribe.tokenId))
        steps.push(oneClick(JOURNEY.unsub));
      if (steps.length === 0) throw new SimulateError(409, 'this mail has neither a pixel nor tracked links');
      return steps;
    }
  }
}

/** One journey in three ends with an unsubscribe. */
function sometimes(seed: string): boolean {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) | 0;
  return Math.abs(h) % 3 === 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One request as the imitated client makes it; resolves once answered (the server answers once stored). */
function send(target: URL, p: Planned, signal: AbortSignal): Promise<void> {
  const body = p.method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined;
  const headers: Record<string, string> = {
    [IMITATE_IP_HEADER]: p.ip,
    [IMITATE_AGE_HEADER]: String(p.ageS),
    Accept: p.kind === 'open' ? 'image/*' : '*/*',
  };
  if (p.ua) headers['User-Agent'] = p.ua;
  if (body) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: p.method, headers, signal, agent: false, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode !== undefined && res.statusCode < 400
            ? resolve()
            : reject(new Error(`the tracking server answered ${res.statusCode} for ${target.pathname}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the tracking server did not answer')));
    req.on('error', reject);
    req.end(body);
  });
}
