import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// The one access gate. Every route declares who may call it (`config: { access }`); a route
// without a declaration cannot be registered. Until accounts exist (closed-loop issue) every
// non-public route is allowed; the gate is where tokens and owner scoping will be checked.
export type Access = 'public' | 'authenticated';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface AccessDecision {
  allowed: boolean;
  status?: 401 | 403;
  error?: string;
}

export type AccessPolicy = (request: FastifyRequest, access: Access) => AccessDecision;

export const allowAll: AccessPolicy = () => ({ allowed: true });

export function installAccessGate(app: FastifyInstance, policy: AccessPolicy): void {
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (access !== 'public' && access !== 'authenticated') {
      throw new Error(`route ${route.method} ${route.url} declares no access ('public' or 'authenticated')`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access ?? 'authenticated';
    const decision = policy(request, access);
    if (!decision.allowed) {
      await reply.code(decision.status ?? 403).send({ error: decision.error ?? 'forbidden' });
    }
  });
}
