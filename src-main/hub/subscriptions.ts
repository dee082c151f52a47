import { SUBSCRIPTIONS_PATH } from './discovery.js';
import type { Subscriber } from './subscriber.js';

/** The JSON-LD context of subscription documents, fixed by the protocol. */
export const MERCURE_CONTEXT = 'https://mercure.rocks/';

/** The selector that matches every subscription event topic (and the subscriptions API URLs). */
export const SUBSCRIPTIONS_SELECTOR = `${SUBSCRIPTIONS_PATH}{/topic}{/subscriber}`;

export interface SubscriptionDocument {
  '@context'?: string;
  id: string;
  type: 'Subscription';
  topic: string;
  subscriber: string;
  active: boolean;
  payload?: unknown;
  lastEventID?: string;
}

export interface SubscriptionsDocument {
  '@context': string;
  id: string;
  type: 'Subscriptions';
  lastEventID: string;
  subscriptions: SubscriptionDocument[];
}

/** RFC 6570 simple-string expansion: everything but unreserved characters is percent-encoded (`:/{}` included). */
export const encodeVariable = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `/.well-known/mercure/subscriptions/{topic}/{subscriber}`, the topic of a subscription's events. */
export const subscriptionTopic = (topic: string, subscriber: string): string =>
  `${SUBSCRIPTIONS_PATH}/${encodeVariable(topic)}/${encodeVariable(subscriber)}`;

export function subscriptionDocument(
  topic: string,
  subscriber: Subscriber,
  active: boolean,
): SubscriptionDocument {
  const doc: SubscriptionDocument = {
    id: subscriptionTopic(topic, subscriber.id),
    type: 'Subscription',
    topic,
    subscriber: subscriber.id,
    active,
  };
  if (subscriber.payload !== undefined) doc.payload = subscriber.payload;
  return doc;
}

/** What a subscriptions API URL asks for: all, one topic selector's, or one subscription. */
export interface SubscriptionsQuery {
  /** The canonical (re-encoded) URL path, which the JWT's subscribe selectors must match. */
  path: string;
  topic?: string;
  subscriber?: string;
}

/** Parses `/.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]`; undefined for anything else. */
export function parseSubscriptionsPath(pathname: string): SubscriptionsQuery | undefined {
  if (pathname !== SUBSCRIPTIONS_PATH && !pathname.startsWith(`${SUBSCRIPTIONS_PATH}/`)) return undefined;
  const rest = pathname.slice(SUBSCRIPTIONS_PATH.length + 1);
  const segments = rest === '' ? [] : rest.split('/');
  if (segments.length > 2 || segments.some((s) => s === '')) return undefined;
  let decoded: string[];
  try {
    decoded = segments.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const [topic, subscriber] = decoded;
  const path = [SUBSCRIPTIONS_PATH, ...decoded.map(encodeVariable)].join('/');
  const query: SubscriptionsQuery = { path };
  if (topic !== undefined) query.topic = topic;
  if (subscriber !== undefined) query.subscriber = subscriber;
  return query;
}

/**
 * Answers a subscriptions API query from the live subscribers: a collection document, a single subscription,
 * or undefined (404) for a subscription that does not exist.
 */
export function answerSubscriptionsQuery(
  query: SubscriptionsQuery,
  subscribers: Iterable<Subscriber>,
  lastEventID: string,
): SubscriptionsDocument | SubscriptionDocument | undefined {
  const docs: SubscriptionDocument[] = [];
  for (const subscriber of subscribers) {
    if (!subscriber.isOpen) continue;
    if (query.subscriber !== undefined && subscriber.id !== query.subscriber) continue;
    for (const topic of subscriber.topics) {
      if (query.topic === undefined || topic === query.topic)
        docs.push(subscriptionDocument(topic, subscriber, true));
    }
  }
  if (query.subscriber !== undefined) {
    const doc = docs[0];
    return doc ? { '@context': MERCURE_CONTEXT, ...doc, lastEventID } : undefined;
  }
  return {
    '@context': MERCURE_CONTEXT,
    id: query.path,
    type: 'Subscriptions',
    lastEventID,
    subscriptions: docs,
  };
}
