import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TrackingSource } from '../model/tracking.js';

/** The sources Mailbeacon's own hits have: the user's preview, and hits made in a recipient's place. */
export type OwnSource = Exclude<TrackingSource, 'recipient'>;

/** The query parameter that marks a tracking URL as fetched by Mailbeacon itself (preview, simulations). */
export const SANDBOX_PARAM = 'mb';
/**
 * Headers a sandbox-marked request may carry so that a simulation is classified as the client it imitates. The
 * server reads them only on requests with a valid mark; on any other request they are ignored.
 */
export const IMITATE_IP_HEADER = 'x-mailbeacon-imitate-ip';
/** Seconds after delivery the imitated hit stands for (a human click is not made within seconds of delivery). */
export const IMITATE_AGE_HEADER = 'x-mailbeacon-imitate-age';

/** 128 bits of the HMAC: unguessable, and short enough for a URL. */
const MARK_CHARS = 22;

/**
 * Marks tracking URLs as Mailbeacon's own. The mark is an HMAC of the token under a key made when the sandbox
 * starts and never written anywhere: only the API (which serves the preview and runs simulations) and the tracking
 * listener know it. A recipient of a relayed mail never sees a marked URL, and cannot make one for any token, so
 * a recipient's hit cannot be forged into Mailbeacon's own; a mark does not outlive the process that made it. The
 * preview's mark and a simulation's differ (the simulation's HMAC covers a prefix too), so the listener tells the
 * user's own reading from a hit made in a recipient's place.
 */
export class SandboxMarker {
  readonly key: Uint8Array;

  constructor(key: Uint8Array = randomBytes(32)) {
    this.key = key;
  }

  mark(token: string, source: OwnSource = 'preview'): string {
    const hmac = createHmac('sha256', this.key);
    if (source === 'simulated') hmac.update('simulated\0');
    return hmac.update(token).digest('base64url').slice(0, MARK_CHARS);
  }

  /** Whose mark this is for the token, or undefined when it is no valid mark. */
  verify(token: string, mark: string): OwnSource | undefined {
    if (mark.length !== MARK_CHARS || !token) return undefined;
    const given = Buffer.from(mark);
    if (timingSafeEqual(Buffer.from(this.mark(token, 'preview')), given)) return 'preview';
    if (timingSafeEqual(Buffer.from(this.mark(token, 'simulated')), given)) return 'simulated';
    return undefined;
  }

  /** A tracking URL (`…/o?t=…`) with its mark added. */
  markUrl(url: string, source: OwnSource = 'preview'): string {
    const u = new URL(url);
    const token = u.searchParams.get('t');
    if (!token) return url;
    u.searchParams.set(SANDBOX_PARAM, this.mark(token, source));
    return u.href;
  }

  /**
   * The HTML with every tracking URL under `base` (pixel, redirects, unsubscribe) marked, for the preview. The
   * token characters are base64url (plus `.` for signed tokens), so a URL ends where they end; the `&` is written
   * as `&amp;`, which attribute values decode.
   */
  markHtml(html: string, base: string): string {
    if (!base) return html;
    const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(${escaped}/[ocu]\\?t=)([A-Za-z0-9_\\-.%+=/]+)`, 'g');
    return html.replace(pattern, (_m, prefix: string, token: string) => {
      let raw = token;
      try {
        raw = decodeURIComponent(token);
      } catch {
        // leave it; the server would not accept it either
      }
      return `${prefix}${token}&amp;${SANDBOX_PARAM}=${this.mark(raw)}`;
    });
  }
}
