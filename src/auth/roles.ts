// Roles of the three-party linkage (三方联动) and of the people around it. An owner-unit user
// (owner_dispatcher, field_crew, or a viewer in an owner organisation) sees only its own
// organisation's assets, sensors, alarms and incidents; the others see the whole city.
export const ROLES = ['bureau_supervisor', 'centre_operator', 'owner_dispatcher', 'field_crew', 'viewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type OrgKind = 'bureau' | 'operator' | 'owner';

/** Who is calling: resolved once per request by the access gate. */
export interface Principal {
  userId: string;
  name: string;
  orgId: string | null;
  orgKind: OrgKind | null;
  roles: Role[];
  /** How the caller proved who it is: a login session, an API token, or no check at all (AUTH=off). */
  via: 'session' | 'token' | 'off';
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * The organisation whose data this principal is confined to, or null for the whole city.
 * Owner-unit users are confined to their own organisation unless they are admins.
 */
export function ownerScopeOf(principal: Principal | null | undefined): string | null {
  if (!principal || principal.roles.includes('admin')) return null;
  return principal.orgKind === 'owner' ? principal.orgId : null;
}
