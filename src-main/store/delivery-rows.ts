// The webhook outbox's rows as the store keeps them, beside the interface (contract.ts) that any engine implements.
import type { WebhookDelivery } from '../model/webhook.js';

export interface DeliveryRow {
  id: number;
  webhook_id: string;
  url: string;
  /** The inbox whose own webhook URL this is (signed with its secret); null for a --webhook URL. */
  inbox: string | null;
  event_type: string;
  body: string;
  status: WebhookDelivery['status'];
  attempts_json: string;
  attempt_count: number;
  next_attempt_ms: number | null;
  created_ms: number;
}

export type DeliveryAttempt = WebhookDelivery['attempts'][number];

export interface NewDelivery {
  webhookId: string;
  url: string;
  /** See DeliveryRow.inbox; null or absent for a --webhook URL. */
  inbox?: string | null;
  eventType: string;
  body: string;
  nowMs: number;
}
