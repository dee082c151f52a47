/** The hub's well-known path (RFC 5785), fixed by the protocol. */
export const HUB_PATH = '/.well-known/mercure';

/** The collection of active subscriptions, and the prefix of subscription event topics. */
export const SUBSCRIPTIONS_PATH = `${HUB_PATH}/subscriptions`;

/** The hub's full URL for a public base such as http://127.0.0.1:8025 (a trailing slash is tolerated). */
export function hubUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '') + HUB_PATH;
}

/** The discovery header API responses carry: `Link: <http://…/.well-known/mercure>; rel="mercure"`. */
export function mercureLinkHeader(publicUrl: string): string {
  return `<${hubUrl(publicUrl)}>; rel="mercure"`;
}

/** True for every request path the hub answers (the hub itself and everything below it). */
export function isHubPath(pathname: string): boolean {
  return pathname === HUB_PATH || pathname.startsWith(`${HUB_PATH}/`);
}
