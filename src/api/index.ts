export { ANONYMOUS, credentialOf, installAccessGate, scopeOwner, SESSION_COOKIE } from './access.ts';
export type { Access, GateOptions, GateRoute } from './access.ts';
export { buildApi } from './server.ts';
export type { ApiOptions } from './server.ts';
export type * from './dto.ts';
