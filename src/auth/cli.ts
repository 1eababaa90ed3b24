// CLI: `users list`, `users add`, `users passwd`, `users disable|enable`. They open the database
// themselves, so with PGlite the server must be stopped (the DATA_DIR lock says so); against
// PostgreSQL they run alongside it. A generated password is printed once and stored only hashed.
import type { Command } from 'commander';
import { failAndExit } from '../platform/cli.ts';
import { withConfiguredDatabase } from '../store/index.ts';
import { generatePassword } from './password.ts';
import { isRole, ROLES, type Role } from './roles.ts';
import { AuthError, AuthService } from './service.ts';

function withAuth<T>(work: (auth: AuthService) => Promise<T>): Promise<T> {
  return withConfiguredDatabase((db) => work(new AuthService(db)));
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

/** Refusals (unknown role, missing organisation, weak password, …) are one line; anything else in full. */
class UsageError extends Error {}
const run = (action: () => Promise<void>) => action().catch((error: unknown) => {
  if (error instanceof AuthError || error instanceof UsageError) {
    console.error(`lifeline: ${error.message}`);
    process.exit(1);
  }
  failAndExit(error);
});

export function registerAuthCommands(program: Command): void {
  const users = program.command('users').description('user accounts: list, add, set passwords, disable (server stopped, or DATABASE_URL)');

  users
    .command('list')
    .description('list the accounts with their organisation and roles')
    .option('--json', 'print a JSON object as the last line')
    .action((opts: { json?: boolean }) => run(async () => {
      const list = await withAuth((auth) => auth.listUsers());
      for (const u of list) console.log(`${u.id.padEnd(24)} ${u.roles.join(',').padEnd(20)} ${(u.orgId ?? '-').padEnd(12)} ${u.disabled ? 'disabled ' : ''}${u.name}`);
      if (opts.json) console.log(JSON.stringify({ users: list }));
    }));

  users
    .command('add <id>')
    .description(`add an account; roles: ${ROLES.join(', ')}`)
    .requiredOption('--role <roles>', 'comma-separated roles')
    .option('--org <orgId>', 'organisation the user belongs to (omit only for an admin)')
    .option('--name <name>', 'display name (default: the id)')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'print a JSON object as the last line')
    .action((id: string, opts: { role: string; org?: string; name?: string; passwordStdin?: boolean; json?: boolean }) => run(async () => {
      const roles = opts.role.split(',').map((r) => r.trim()).filter(Boolean);
      const unknown = roles.filter((r) => !isRole(r));
      if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.join(', ')} (roles: ${ROLES.join(', ')})`);
      const password = opts.passwordStdin ? await readStdin() : generatePassword();
      const user = await withAuth((auth) => auth.addUser({ id, name: opts.name ?? id, orgId: opts.org ?? null, roles: roles as Role[], password }));
      console.log(`added ${user.id} (${user.roles.join(', ')}${user.orgId ? ` @ ${user.orgId}` : ''})`);
      if (!opts.passwordStdin) console.log(`password (shown once): ${password}`);
      if (opts.json) console.log(JSON.stringify({ user, ...(opts.passwordStdin ? {} : { password }) }));
    }));

  users
    .command('passwd <id>')
    .description('set a new password (generated, or from standard input) and end the user\'s sessions')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--json', 'print a JSON object as the last line')
    .action((id: string, opts: { passwordStdin?: boolean; json?: boolean }) => run(async () => {
      const password = opts.passwordStdin ? await readStdin() : generatePassword();
      await withAuth((auth) => auth.setPassword(id, password));
      console.log(`password of ${id} changed; its sessions ended`);
      if (!opts.passwordStdin) console.log(`password (shown once): ${password}`);
      if (opts.json) console.log(JSON.stringify({ userId: id, ...(opts.passwordStdin ? {} : { password }) }));
    }));

  for (const [command, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${command} <id>`)
      .description(disabled ? 'refuse the user\'s logins and end its sessions' : 'allow the user to log in again')
      .action((id: string) => run(async () => {
        await withAuth((auth) => auth.setDisabled(id, disabled));
        console.log(`${id} ${disabled ? 'disabled' : 'enabled'}`);
      }));
  }
}
