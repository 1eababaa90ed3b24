// /api/auth: login, logout, who am I; API tokens and accounts for admins.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { generatePassword } from './password.ts';
import { ROLES, type Role } from './roles.ts';
import { AuthError, SESSION_MAX_MS, type AuthService } from './service.ts';

const SESSION_COOKIE = 'lifeline_session';

const loginBody = z.object({ user: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });
const passwordBody = z.object({ current: z.string().min(1).max(200), password: z.string().min(1).max(200) });
const tokenBody = z.object({ userId: z.string().min(1).max(64), name: z.string().trim().min(1).max(200) });
const userBody = z.object({
  id: z.string().min(2).max(64), name: z.string().trim().min(1).max(200), orgId: z.string().min(1).nullable(),
  roles: z.array(z.enum(ROLES as unknown as [Role, ...Role[]])).min(1),
  /** Omitted: one is generated and answered once (`password` in the reply). */
  password: z.string().min(1).max(200).optional(),
});
const userPatch = z.object({ disabled: z.boolean() });
const usersQuery = z.object({ org: z.string().min(1).max(100).optional() });

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
}

function refuse(reply: FastifyReply, error: unknown) {
  if (!(error instanceof AuthError)) throw error;
  if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).send({ error: error.message });
}

/** `auth` null (AUTH=off): login is refused with a clear reason and `me` answers the anonymous admin. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService | null, log: (what: object, message: string) => void): void {
  const publicRoute = { config: { access: 'public' as const } };
  const userRoute = { config: { access: 'authenticated' as const } };
  const adminRoute = { config: { access: { roles: ['admin'] as Role[] } } };

  app.post('/api/auth/login', publicRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off on this deployment (AUTH=off): no login needed' });
    const body = loginBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      const { token, expiresAt, user } = await auth.login(body.data.user, body.data.password, request.ip);
      // Secure when served over HTTPS; the server ends an idle session earlier than the cookie's age.
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.round(SESSION_MAX_MS / 1000)}${secure}`);
      log({ user: user.id, ip: request.ip }, 'login');
      return { token, expiresAt: expiresAt.toISOString(), user };
    } catch (error) {
      if (error instanceof AuthError) log({ user: body.data.user, ip: request.ip, status: error.status, reason: error.message }, 'login refused');
      return refuse(reply, error);
    }
  });

  app.post('/api/auth/logout', userRoute, async (request, reply) => {
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    if (!auth || request.principal?.via !== 'session') return reply.code(400).send({ error: 'this request carries no login session to end (API tokens are revoked by an admin)' });
    const cookie = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1]
      ?? (request.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.slice(SESSION_COOKIE.length + 1);
    if (cookie) await auth.logout(decodeURIComponent(cookie));
    return { ok: true };
  });

  app.get('/api/auth/me', userRoute, async (request) => {
    const p = request.principal!;
    const user = auth ? await auth.getUser(p.userId) : null;
    // An owner unit works on its own networks only; everyone else on all of them (null).
    const networks = auth && p.orgKind === 'owner' && p.orgId ? await auth.networksOf(p.orgId) : null;
    return { ...p, orgName: user?.orgName ?? null, networks };
  });

  // Changing one's own password ends all of one's sessions, this one included: log in again with the new one.
  app.post('/api/auth/password', userRoute, async (request, reply) => {
    if (!auth || request.principal?.via === 'off') return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    const body = passwordBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      await auth.changeOwnPassword(request.principal!.userId, body.data.current, body.data.password, request.ip);
      log({ user: request.principal!.userId, ip: request.ip }, 'password changed');
      reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
      return { ok: true };
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) return reply.code(403).send({ error: 'current password: wrong' });
      return refuse(reply, error);
    }
  });

  app.get('/api/auth/users', adminRoute, async (request, reply) => {
    const query = usersQuery.safeParse(request.query);
    if (!query.success) return invalid(reply, query.error);
    const users = auth ? await auth.listUsers() : [];
    return query.data.org ? users.filter((u) => u.orgId === query.data.org) : users;
  });

  app.post('/api/auth/users', adminRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    const body = userBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      const password = body.data.password ?? generatePassword();
      const user = await auth.addUser({ ...body.data, password });
      log({ user: user.id, by: request.principal!.userId }, 'user added');
      return reply.code(201).send(body.data.password === undefined ? { ...user, password } : user);
    } catch (error) {
      return refuse(reply, error);
    }
  });

  // Reset: a new generated password, answered once (only its hash is stored); the user's sessions end.
  app.post<{ Params: { id: string } }>('/api/auth/users/:id/password', adminRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    const password = generatePassword();
    try {
      await auth.setPassword(request.params.id, password);
    } catch (error) {
      return refuse(reply, error);
    }
    log({ user: request.params.id, by: request.principal!.userId }, 'password reset');
    return { userId: request.params.id, password };
  });

  // Disable (logins refused, sessions and API tokens stop working) or enable again.
  app.patch<{ Params: { id: string } }>('/api/auth/users/:id', adminRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    const body = userPatch.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    if (body.data.disabled && request.params.id === request.principal!.userId) {
      return reply.code(400).send({ error: 'disabled: an administrator cannot disable its own account' });
    }
    try {
      await auth.setDisabled(request.params.id, body.data.disabled);
    } catch (error) {
      return refuse(reply, error);
    }
    log({ user: request.params.id, disabled: body.data.disabled, by: request.principal!.userId }, body.data.disabled ? 'user disabled' : 'user enabled');
    return (await auth.getUser(request.params.id))!;
  });

  app.get('/api/auth/tokens', adminRoute, async () => (auth ? auth.listTokens() : []));

  app.post('/api/auth/tokens', adminRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    const body = tokenBody.safeParse(request.body);
    if (!body.success) return invalid(reply, body.error);
    try {
      const created = await auth.createToken(body.data.userId, body.data.name, request.principal!.userId);
      log({ token: created.apiToken.id, user: body.data.userId, by: request.principal!.userId }, 'API token created');
      return reply.code(201).send({ ...created.apiToken, token: created.token });
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.delete<{ Params: { id: string } }>('/api/auth/tokens/:id', adminRoute, async (request, reply) => {
    if (!auth) return reply.code(409).send({ error: 'accounts are switched off (AUTH=off)' });
    try {
      await auth.revokeToken(request.params.id);
      log({ token: request.params.id, by: request.principal!.userId }, 'API token revoked');
      return { ok: true };
    } catch (error) {
      return refuse(reply, error);
    }
  });
}
