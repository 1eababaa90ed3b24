import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { PlatformEvent } from '../bus/index.ts';
import { AuthError, registerAuthRoutes, type AuthService } from '../auth/index.ts';
import { credentialOf, installAccessGate, scopeOwner } from './access.ts';
import type { LiveMessage } from './dto.ts';
import { LiveHub } from './live.ts';
import { installIncidentScoping } from './owner-scope.ts';
import { alarmDto, registerRoutes, type ApiContext } from './routes.ts';
import { notificationMessages } from './alerting-live.ts';

export interface ApiOptions extends ApiContext {
  logger: FastifyBaseLogger;
  /** Accounts and sessions; null = AUTH=off (every caller is an anonymous admin). */
  auth: AuthService | null;
  /** Folder of the built web app, served at `/`. */
  webRoot: string;
}

function liveMessages(event: PlatformEvent, ctx: ApiContext): LiveMessage[] {
  switch (event.type) {
    case 'readings':
      return [{ type: 'readings', readings: event.readings }];
    case 'alarms':
      return event.alarms.map((a) => ({ type: 'alarm', alarm: alarmDto(a, ctx.sensors, event.alerting?.[a.id]) }));
    case 'notices':
      return notificationMessages(event, ctx);
    case 'incidents':
      return event.incidents.map((incident) => ({ type: 'incident', incident }));
    case 'resync':
      return [{ type: 'resync' }];
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Re-checks every live socket's login now (normally once a minute). */
    recheckLiveLogins: () => Promise<void>;
  }
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  // The WebSocket plugin's hooks first: a live-feed upgrade the gate refuses gets its 401 and its socket closed (the plugin's onResponse).
  await app.register(fastifyWebsocket);
  installAccessGate(app, { auth: options.auth });
  await app.register(fastifyStatic, { root: path.resolve(options.webRoot), serve: false });

  installIncidentScoping(app, options.db);
  registerAuthRoutes(app, options.auth, (what, message) => options.logger.info(what, message));
  registerRoutes(app, options);

  const ownerOfSensor = (id: string) => options.sensors.get(id)?.ownerId ?? null;
  const live = new LiveHub(options.bus, (event) => liveMessages(event, options), {
    ofSensor: ownerOfSensor,
    ofMessage: (m) => (m.type === 'alarm' ? ownerOfSensor(m.alarm.sensorId) : m.type === 'incident' ? m.incident.ownerId
      : m.type === 'notification' ? m.notification.ownerId : null),
  });
  app.addHook('onClose', async () => live.close());
  // The gate has resolved the caller at the upgrade request; the socket carries only its scope's messages.
  // Its login is re-checked every minute: logging out, expiry or a revoked token closes the socket (4401).
  app.get('/api/live', { websocket: true, config: { access: 'authenticated' } }, (socket, request) => {
    const credential = credentialOf(request);
    const auth = options.auth;
    // Only a refusal closes the socket; a database hiccup does not.
    const stillValid = auth && credential ? () => auth.resolve(credential).then(() => true, (error: unknown) => !(error instanceof AuthError)) : undefined;
    live.add(socket, { type: 'hello', serverTime: options.clock().toISOString() }, scopeOwner(request), stillValid);
  });
  app.decorate('recheckLiveLogins', () => live.recheckLogins());

  app.get('/api/*', { config: { access: 'public' } }, async (request, reply) =>
    reply.code(404).send({ error: `no API route ${request.method} ${request.url}` }),
  );

  // The web app: real files as they are, any other path gets index.html (client-side routes).
  app.get('/*', { config: { access: 'public' } }, async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'];
    const file = wanted && existsSync(path.join(options.webRoot, wanted)) ? wanted : 'index.html';
    if (!existsSync(path.join(options.webRoot, 'index.html'))) {
      return reply.code(503).type('text/plain').send('The web app is not built: run `npm run build:web`.');
    }
    return reply.sendFile(file);
  });

  app.setErrorHandler((error: Error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message });
  });
  return app;
}
