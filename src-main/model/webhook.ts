// A webhook delivery and its attempts, as the dispatcher and the store use it.

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  url: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: { at: string; status: number | null; error: string }[];
  nextAttemptAt: string | null;
  createdAt: string;
}
