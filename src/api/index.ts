export { allowAll, installAccessGate } from './access.ts';
export type { Access, AccessDecision, AccessPolicy } from './access.ts';
export { buildApi } from './server.ts';
export type { ApiOptions } from './server.ts';
export type * from './dto.ts';
