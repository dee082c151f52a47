import type { IncomingMessage } from 'node:http';
import type { Clock, Logger } from '../logger.js';
import type { InboxScope } from '../model/inbox.js';
import type { ClientBudget } from './client-limits.js';
import type { UpdateHistory } from './history.js';
import type { VerifiedToken } from './jwt.js';
import type { Subscriber } from './subscriber.js';
import type { TopicSelectorMatcher } from './topic-selector.js';
import type { Update, UpdateInput } from './update.js';

/** What the request handlers (subscribe.ts, publish.ts) need from the hub. */
export interface HubCore {
  readonly anonymous: boolean;
  readonly history: UpdateHistory;
  readonly matcher: TopicSelectorMatcher;
  readonly queueLimit: number;
  /** Streams and URI templates per token, per address and overall. */
  readonly budget: ClientBudget;
  readonly logger: Logger;
  readonly clock: Clock;
  authorize(
    req: IncomingMessage,
    query: URLSearchParams,
    role: 'publisher' | 'subscriber',
  ): Promise<VerifiedToken | undefined>;
  canReceive(subscriber: Subscriber, update: Update): boolean;
  /** The inboxes a request to the hub may see, as the HTTP listener found them. */
  scopeOf(req: IncomingMessage): InboxScope | undefined;
  dispatch(input: UpdateInput): Update;
  register(subscriber: Subscriber): void;
  unregister(subscriber: Subscriber): void;
}
