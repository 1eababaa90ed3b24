export { ROLES, isRole, ownerScopeOf, type OrgKind, type Principal, type Role } from './roles.ts';
export { hashPassword, verifyPassword, generatePassword, passwordProblem } from './password.ts';
export { LoginLimiter, FREE_FAILURES, IP_FAILURES } from './rate-limit.ts';
export { AuthError, AuthService, SESSION_IDLE_MS, SESSION_MAX_MS, type ApiToken, type NewUser, type User } from './service.ts';
export { demoUserId, ensureInitialUsers, formatInitialLogins, type InitialLogin } from './demo.ts';
export { registerAuthRoutes } from './routes.ts';
export { readAuthMode, type AuthMode } from './config.ts';
