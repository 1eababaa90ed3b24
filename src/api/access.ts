import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, ownerScopeOf, type AuthService, type Principal, type Role } from '../auth/index.ts';

// The one access gate. Every route declares who may call it (`config: { access }`); a route
// without a declaration cannot be registered. `public` routes need no login; `authenticated`
// ones need a principal (session cookie or `Authorization: Bearer`); `{ roles }` also needs one
// of the roles. Owner scoping (an owner unit sees only its own data) is applied by the routes
// with `scopeOwner(request)`, since only they know what a row's owner is.
export type Access = 'public' | 'authenticated' | { roles: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route registered, with the access it declared (filled by the gate's onRoute hook). */
    accessTable: GateRoute[];
  }
  interface FastifyRequest {
    /** The caller, resolved by the gate; null on a public route called without credentials. */
    principal: Principal | null;
  }
}

export const SESSION_COOKIE = 'lifeline_session';

export interface GateRoute {
  method: string;
  url: string;
  access: Access;
}

/** `auth: null` is AUTH=off: every caller is an anonymous admin (a trusted network only). */
export interface GateOptions {
  auth: AuthService | null;
}

export const ANONYMOUS: Principal = { userId: 'anonymous', name: 'anonymous (AUTH=off)', orgId: null, orgKind: null, roles: ['admin'], via: 'off' };

/** The session or API token the request carries: `Authorization: Bearer`, else the session cookie. */
export function credentialOf(request: FastifyRequest): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * A request that carries only the session cookie and changes something (or opens the live
 * WebSocket) from a page of another site: refused, defence in depth behind SameSite=Strict.
 * Bearer tokens are not sent by browsers on their own, so they need no such check.
 */
function crossSite(request: FastifyRequest): boolean {
  if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return false;
  const changes = !['GET', 'HEAD', 'OPTIONS'].includes(request.method) || (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const origin = request.headers.origin;
  if (!changes || !origin) return false;
  // Behind a reverse proxy that rewrites Host, the public host arrives as X-Forwarded-Host.
  const hosts = [request.headers.host, ...[request.headers['x-forwarded-host'] ?? []].flat().flatMap((h) => h.split(',')).map((h) => h.trim())];
  try {
    return origin === 'null' || !hosts.includes(new URL(origin).host);
  } catch {
    return true;
  }
}

/** The owner organisation this request is confined to, or null for the whole city. */
export function scopeOwner(request: FastifyRequest): string | null {
  return ownerScopeOf(request.principal);
}

function validAccess(access: unknown): access is Access {
  if (access === 'public' || access === 'authenticated') return true;
  return typeof access === 'object' && access !== null && Array.isArray((access as { roles?: unknown }).roles) && (access as { roles: unknown[] }).roles.length > 0;
}

/** Installs the gate; returns the table of routes it sees registered (also `app.accessTable`). */
export function installAccessGate(app: FastifyInstance, options: GateOptions): GateRoute[] {
  const table: GateRoute[] = [];
  app.decorate('accessTable', table);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (!validAccess(access)) {
      throw new Error(`route ${route.method} ${route.url} declares no access ('public', 'authenticated' or { roles })`);
    }
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access ?? 'authenticated';
    if (!options.auth) {
      request.principal = ANONYMOUS;
      return;
    }
    const credential = credentialOf(request);
    let refusal: AuthError | null = null;
    // Device secrets on the public ingestion routes are not ours to check: only session and API tokens are looked up there.
    if (credential && (access !== 'public' || /^ll[st]_/.test(credential))) {
      try {
        request.principal = await options.auth.resolve(credential);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        refusal = error;
      }
    }
    if (access === 'public') return;
    if (!request.principal) {
      const reason = refusal?.message ?? 'not logged in: log in (POST /api/auth/login) or send "Authorization: Bearer <token>"';
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: reason });
    }
    if (request.principal.via === 'session' && crossSite(request)) {
      return reply.code(403).send({ error: `cross-site request refused: origin ${request.headers.origin} is not this server` });
    }
    // A viewer only reads: any other method is refused whatever the route (logging out excepted).
    const readOnly = request.principal.roles.every((r) => r === 'viewer');
    if (readOnly && !['GET', 'HEAD'].includes(request.method) && request.routeOptions.url !== '/api/auth/logout') {
      return reply.code(403).send({ error: `read-only account: a viewer cannot ${request.method} ${request.routeOptions.url ?? request.url}` });
    }
    if (typeof access === 'object' && !access.roles.some((r) => request.principal!.roles.includes(r))) {
      return reply.code(403).send({ error: `${request.method} ${request.routeOptions.url ?? request.url} needs one of the roles ${access.roles.join(', ')}` });
    }
  });
  return table;
}
