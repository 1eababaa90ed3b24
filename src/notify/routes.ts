// Notification routes: webhook subscriptions, their delivery log, the log of messages to people
// (SMS, WeChat Work, DingTalk) and integration keys (admins);
// the inbound feedback endpoint integrations post to, authenticated by its HMAC signature rather
// than a login (so `public` at the gate: the signature, timestamp and delivery id are checked here).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IncidentError, listIncidents, type Role } from '../incidents/index.ts';
import type { Queryable } from '../store/index.ts';
import { CHANNELS, type Channel } from './channels.ts';
import { ContactError, listContacts, removeContact, setContact } from './contacts.ts';
import { EVENT_TYPES, type EventType } from './events.ts';
import {
  createIntegrationKey, deactivateIntegrationKey, InboundError, INTEGRATION_ROLES, listInboundAttempts, listIntegrationKeys, logInboundAttempt,
} from './inbound.ts';
import { listMessages, requeueMessage } from './messages.ts';
import type { NotifyService } from './service.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER } from './signature.ts';
import { createSubscription, deactivateSubscription, listDeliveries, listSubscriptions, requeueDelivery } from './webhooks.ts';

export interface NotifyRoutesOptions {
  db: Queryable;
  service: NotifyService;
  clock: () => Date;
}

const subscriptionBody = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z.array(z.enum(['*', ...EVENT_TYPES] as [string, ...string[]])).min(1).max(20),
  ownerId: z.string().min(1).max(100).nullable().optional(),
  description: z.string().trim().max(500).optional(),
  secret: z.string().min(16).max(200).optional(),
});
const deliveriesQuery = z.object({
  subscriptionId: z.string().regex(/^\d{1,18}$/).optional(),
  state: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const messagesQuery = z.object({
  state: z.enum(['pending', 'sent', 'failed']).optional(),
  channel: z.enum(CHANNELS as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const contactBody = z.object({
  address: z.string().min(1).max(2000),
  secret: z.string().min(8).max(200).nullable().optional(),
});
const channelParam = z.enum(CHANNELS as [Channel, ...Channel[]]);
const keyBody = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/),
  name: z.string().trim().min(1).max(100),
  orgId: z.string().min(1).max(100),
  role: z.enum(INTEGRATION_ROLES as [Role, ...Role[]]),
});

function invalid(error: z.ZodError): { error: string } {
  return { error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') };
}

const INCIDENT_STATUS: Record<IncidentError['code'], 400 | 403 | 404 | 409> = { not_found: 404, illegal_transition: 409, forbidden: 403, invalid: 400 };

export function registerNotifyRoutes(app: FastifyInstance, options: NotifyRoutesOptions): void {
  const { db, clock } = options;
  const admin = { config: { access: { roles: ['admin'] as Role[] } } };

  app.get('/api/webhooks/events', admin, async () => EVENT_TYPES);
  app.get('/api/webhooks/subscriptions', admin, () => listSubscriptions(db));
  app.post('/api/webhooks/subscriptions', admin, async (request, reply) => {
    const body = subscriptionBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    const b = body.data;
    if (b.ownerId) {
      const [org] = await db.query<{ kind: string }>('SELECT kind FROM organisations WHERE id = $1', [b.ownerId]);
      if (org?.kind !== 'owner') return reply.code(400).send({ error: `ownerId: ${b.ownerId} is not an owner unit` });
    }
    const created = await createSubscription(db, { ...b, events: b.events as (EventType | '*')[] }, request.principal!.userId, clock());
    options.service.subscriptionsChanged();
    request.log.info({ subscription: created.id, url: created.url, events: created.events, by: request.principal!.userId }, 'webhook subscription created');
    return reply.code(201).send(created);
  });
  app.delete<{ Params: { id: string } }>('/api/webhooks/subscriptions/:id', admin, async (request, reply) => {
    if (!(await deactivateSubscription(db, request.params.id, clock()))) return reply.code(404).send({ error: `webhook subscription ${request.params.id} does not exist` });
    options.service.subscriptionsChanged();
    request.log.info({ subscription: request.params.id, by: request.principal!.userId }, 'webhook subscription switched off');
    return reply.code(204).send();
  });
  app.get('/api/webhooks/deliveries', admin, async (request, reply) => {
    const query = deliveriesQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    return listDeliveries(db, query.data);
  });
  app.post<{ Params: { id: string } }>('/api/webhooks/deliveries/:id/retry', admin, async (request, reply) => {
    if (!(await requeueDelivery(db, request.params.id, clock()))) {
      return reply.code(409).send({ error: `delivery ${request.params.id} is not a failed delivery of an active subscription` });
    }
    return reply.code(202).send({ id: request.params.id, state: 'pending' });
  });

  app.get('/api/notifications/channels', admin, async () => options.service.channels());
  app.get('/api/notifications/messages', admin, async (request, reply) => {
    const query = messagesQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send(invalid(query.error));
    return listMessages(db, { ...query.data, channel: query.data.channel as Channel | undefined });
  });
  app.post<{ Params: { id: string } }>('/api/notifications/messages/:id/retry', admin, async (request, reply) => {
    if (!(await requeueMessage(db, request.params.id, clock()))) return reply.code(409).send({ error: `message ${request.params.id} is not a failed message` });
    request.log.info({ messageId: request.params.id, by: request.principal!.userId }, 'message to people queued again by hand');
    return reply.code(202).send({ id: request.params.id, state: 'pending' });
  });

  app.get('/api/notifications/contacts', admin, () => listContacts(db));
  app.put<{ Params: { orgId: string; channel: string } }>('/api/notifications/contacts/:orgId/:channel', admin, async (request, reply) => {
    const channel = channelParam.safeParse(request.params.channel);
    if (!channel.success) return reply.code(400).send({ error: `channel: ${request.params.channel} is not one of ${CHANNELS.join(', ')}` });
    const body = contactBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      const contact = await setContact(db, request.params.orgId, channel.data, body.data.address, body.data.secret ?? null, clock());
      // The address holds a robot's key or people's numbers: the log names what changed, not the value.
      request.log.info({ org: contact.orgId, channel: contact.channel, target: contact.channel === 'sms' ? undefined : contact.target, by: request.principal!.userId }, 'notification contact set');
      return contact;
    } catch (error) {
      if (error instanceof ContactError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });
  app.delete<{ Params: { orgId: string; channel: string } }>('/api/notifications/contacts/:orgId/:channel', admin, async (request, reply) => {
    const channel = channelParam.safeParse(request.params.channel);
    if (!channel.success || !(await removeContact(db, request.params.orgId, channel.data))) {
      return reply.code(404).send({ error: `${request.params.orgId} has no contact on ${request.params.channel}` });
    }
    request.log.info({ org: request.params.orgId, channel: channel.data, by: request.principal!.userId }, 'notification contact removed');
    return reply.code(204).send();
  });

  app.get('/api/integrations/keys', admin, () => listIntegrationKeys(db));
  app.post('/api/integrations/keys', admin, async (request, reply) => {
    const body = keyBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send(invalid(body.error));
    try {
      const created = await createIntegrationKey(db, body.data, request.principal!.userId, clock());
      request.log.info({ key: created.id, org: created.orgId, role: created.role, by: request.principal!.userId }, 'integration key created');
      return reply.code(201).send(created);
    } catch (error) {
      if (error instanceof InboundError) return reply.code(error.status).send({ error: error.message });
      throw error;
    }
  });
  app.delete<{ Params: { id: string } }>('/api/integrations/keys/:id', admin, async (request, reply) => {
    if (!(await deactivateIntegrationKey(db, request.params.id))) return reply.code(404).send({ error: `integration key ${request.params.id} does not exist` });
    return reply.code(204).send();
  });
  app.get('/api/integrations/attempts', admin, async (request, reply) => {
    const limit = z.coerce.number().int().min(1).max(1000).default(200).safeParse((request.query as { limit?: string }).limit);
    if (!limit.success) return reply.code(400).send(invalid(limit.error));
    return listInboundAttempts(db, limit.data);
  });

  // The signature covers the body byte for byte: read it as text, in a scope of its own.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
    scope.post<{ Params: { keyId: string } }>('/api/integrations/:keyId/feedback', { config: { access: 'public' } }, async (request: FastifyRequest<{ Params: { keyId: string } }>, reply: FastifyReply) => {
      const deliveryId = [request.headers[DELIVERY_HEADER]].flat()[0];
      const attempt = { at: clock(), keyId: request.params.keyId.slice(0, 100), deliveryId: deliveryId ?? null, ip: request.ip };
      try {
        const result = await options.service.inbound({
          keyId: request.params.keyId, deliveryId, signature: [request.headers[SIGNATURE_HEADER]].flat()[0], body: typeof request.body === 'string' ? request.body : '',
        });
        await logInboundAttempt(db, { ...attempt, status: 200, outcome: `accepted: ${result.action}`, incidentId: result.incidentId });
        request.log.info({ key: attempt.keyId, delivery: deliveryId, incident: result.incidentId, action: result.action }, 'integration feedback accepted');
        const [incident] = await listIncidents(db, { ids: [result.incidentId] });
        return { deliveryId, incident };
      } catch (error) {
        const status = error instanceof InboundError ? error.status : error instanceof IncidentError ? INCIDENT_STATUS[error.code] : null;
        if (status === null) throw error;
        const reason = (error as Error).message;
        await logInboundAttempt(db, { ...attempt, status, outcome: `refused: ${reason}`, incidentId: null });
        request.log.warn({ key: attempt.keyId, delivery: deliveryId, status, reason }, 'integration feedback refused');
        return reply.code(status).send({ error: reason });
      }
    });
  });
}
