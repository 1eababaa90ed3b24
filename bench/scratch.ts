// What the benches share: a database of their own on a PostgreSQL server, dropped afterwards, and
// numeric `--name value` arguments.
import pg from 'pg';

/** A new database on the server at `serverUrl`; `drop()` removes it (forcing its connections off). */
export async function scratchDatabase(serverUrl: string, label = 'bench'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lifeline_${label}_${process.pid}_${Date.now()}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The number after `--name` in `args`, or `fallback`. */
export function numberArg(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}
