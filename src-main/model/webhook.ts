// A webhook delivery and its attempts, as the dispatcher and the store use it.

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  url: string;
  /** The inbox whose own webhook URL this is; null for a --webhook URL. */
  inbox: string | null;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: { at: string; status: number | null; error: string }[];
  nextAttemptAt: string | null;
  createdAt: string;
}
