// Typed fetches for webhook subscriptions, their delivery log, the log of messages to people and
// integration keys (src/notify/routes.ts, admins only). A secret comes back once, in the answer
// that creates it.
import type { Contact, Delivery, IntegrationKey, StoredMessage, Subscription } from '../../../src/notify/index.ts';
import { requestJson as call } from '../api.ts';

export type { Contact, Delivery, IntegrationKey, StoredMessage, Subscription };
export interface NewSubscriptionInput {
  url: string;
  events: string[];
  ownerId: string | null;
  description?: string;
}

export const webhooksApi = {
  events: () => call<string[]>('/api/webhooks/events'),
  subscriptions: () => call<Subscription[]>('/api/webhooks/subscriptions'),
  create: (input: NewSubscriptionInput) => call<Subscription & { secret: string }>('/api/webhooks/subscriptions', { method: 'POST', body: JSON.stringify(input) }),
  switchOff: (id: string) => call<null>(`/api/webhooks/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  deliveries: (limit = 50) => call<Delivery[]>(`/api/webhooks/deliveries?limit=${limit}`),
  retry: (id: string) => call<{ id: string }>(`/api/webhooks/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  channels: () => call<{ channel: string; target: string }[]>('/api/notifications/channels'),
  messages: (limit = 50) => call<StoredMessage[]>(`/api/notifications/messages?limit=${limit}`),
  retryMessage: (id: string) => call<{ id: string }>(`/api/notifications/messages/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  contacts: () => call<Contact[]>('/api/notifications/contacts'),
  setContact: (orgId: string, channel: string, input: { address: string; secret: string | null }) =>
    call<Contact>(`/api/notifications/contacts/${encodeURIComponent(orgId)}/${encodeURIComponent(channel)}`, { method: 'PUT', body: JSON.stringify(input) }),
  removeContact: (orgId: string, channel: string) =>
    call<null>(`/api/notifications/contacts/${encodeURIComponent(orgId)}/${encodeURIComponent(channel)}`, { method: 'DELETE' }),
  keys: () => call<IntegrationKey[]>('/api/integrations/keys'),
  createKey: (input: { id: string; name: string; orgId: string; role: string }) =>
    call<IntegrationKey & { secret: string }>('/api/integrations/keys', { method: 'POST', body: JSON.stringify(input) }),
  switchOffKey: (id: string) => call<null>(`/api/integrations/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  organisations: () => call<{ id: string; name: string; kind: string }[]>('/api/organisations'),
};
