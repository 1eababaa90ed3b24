// First start: an empty user table gets one account per role the deployment's organisations
// need (a supervisor per bureau, an operator per monitoring centre, a dispatcher per owner unit)
// and an admin, each with a password generated here. The passwords are returned once so the
// caller can print them on the console; only their hashes are stored.
import type { Queryable } from '../store/index.ts';
import { generatePassword } from './password.ts';
import type { OrgKind, Role } from './roles.ts';
import type { AuthService, NewUser } from './service.ts';

export interface InitialLogin {
  id: string;
  name: string;
  orgId: string | null;
  roles: Role[];
  password: string;
}

const PER_KIND: Record<OrgKind, { suffix: string; role: Role; title: string }> = {
  bureau: { suffix: 'supervisor', role: 'bureau_supervisor', title: '主管部门' },
  operator: { suffix: 'operator', role: 'centre_operator', title: '监测中心值班员' },
  owner: { suffix: 'dispatcher', role: 'owner_dispatcher', title: '权属单位调度员' },
};

/** The account id of an organisation's first user: `gas-co` → `gas-co-dispatcher`. */
export function demoUserId(orgId: string, kind: OrgKind): string {
  return `${orgId.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 50)}-${PER_KIND[kind].suffix}`;
}

export async function ensureInitialUsers(db: Queryable, auth: AuthService): Promise<InitialLogin[]> {
  if ((await auth.countUsers()) > 0) return [];
  const orgs = await db.query<{ id: string; name: string; kind: OrgKind }>('SELECT id, name, kind FROM organisations ORDER BY kind, id');
  const wanted: NewUser[] = [
    { id: 'admin', name: 'Administrator 系统管理员', orgId: null, roles: ['admin'] },
    ...orgs.map((o) => ({ id: demoUserId(o.id, o.kind), name: `${o.name} ${PER_KIND[o.kind].title}`, orgId: o.id, roles: [PER_KIND[o.kind].role] })),
  ];
  const created: InitialLogin[] = [];
  for (const user of wanted) {
    const password = generatePassword();
    try {
      await auth.addUser({ ...user, password });
    } catch (error) {
      // Another process sharing the database (PostgreSQL) is creating them at the same moment: it prints them.
      if ((error as { status?: number }).status === 409 || (error as { code?: string }).code === '23505') return created;
      throw error;
    }
    created.push({ id: user.id, name: user.name, orgId: user.orgId, roles: user.roles, password });
  }
  return created;
}

/** The console text shown once at first start. */
export function formatInitialLogins(logins: InitialLogin[], url: string): string {
  const width = Math.max(...logins.map((l) => l.id.length));
  return [
    '',
    `First start: user accounts created. Log in at ${url} with one of these (shown only this once;`,
    'change them with `npx lifeline users passwd <id>` while the server is stopped):',
    ...logins.map((l) => `  ${l.id.padEnd(width)}  ${l.password}   ${l.roles.join(',')}${l.orgId ? ` @ ${l.orgId}` : ''}`),
    '',
  ].join('\n');
}
