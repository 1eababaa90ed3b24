// Account administration for admins: users in organisations with roles, password resets and
// API tokens. A generated password or token is shown once, in the box that announces it, and is
// gone when the box is dismissed or the page reloads: the server keeps only its hash.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type ApiToken, type User } from '../api/supervision.ts';
import type { PageProps } from './registry.ts';
import './supervision.css';

const ROLES = ['bureau_supervisor', 'centre_operator', 'owner_dispatcher', 'field_crew', 'viewer', 'admin'] as const;

interface Secret {
  kind: 'password' | 'token';
  subject: string;
  value: string;
}

export function UserAdmin({ me }: PageProps) {
  const { t, i18n } = useTranslation();
  const [users, setUsers] = useState<User[]>([]);
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [orgs, setOrgs] = useState<{ id: string; name: string }[]>([]);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ id: '', name: '', orgId: '', roles: [] as string[] });
  const [tokenForm, setTokenForm] = useState({ userId: '', name: '' });

  const reload = useCallback(async () => {
    const [u, tk, o] = await Promise.all([adminApi.users(), adminApi.tokens(), adminApi.organisations()]);
    setUsers(u);
    setTokens(tk);
    setOrgs(o);
  }, []);
  useEffect(() => {
    reload().catch((e: Error) => setError(e.message));
  }, [reload]);

  const run = (work: () => Promise<void>) => {
    setError(null);
    work().then(reload).catch((e: Error) => setError(e.message));
  };
  const addUser = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const created = await adminApi.addUser({ id: form.id.trim(), name: form.name.trim() || form.id.trim(), orgId: form.orgId || null, roles: form.roles });
      setSecret({ kind: 'password', subject: created.id, value: created.password });
      setForm({ id: '', name: '', orgId: '', roles: [] });
    });
  };
  const addToken = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const created = await adminApi.createToken(tokenForm.userId, tokenForm.name.trim());
      setSecret({ kind: 'token', subject: `${created.name} (${created.userId})`, value: created.token });
      setTokenForm({ userId: '', name: '' });
    });
  };
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '—');

  return (
    <div className="user-admin" data-testid="user-admin">
      <div className="page-header">
        <h1>{t('userAdmin.nav')}</h1>
      </div>
      {error && <p className="page-error" role="alert" data-testid="admin-error">{error}</p>}
      {secret && (
        <div className="secret-box" role="status" data-testid="secret-box">
          <strong>{t(secret.kind === 'password' ? 'userAdmin.passwordOnce' : 'userAdmin.tokenOnce', { subject: secret.subject })}</strong>
          <code data-testid="secret-value">{secret.value}</code>
          <button type="button" onClick={() => setSecret(null)}>{t('userAdmin.dismiss')}</button>
        </div>
      )}

      <h2>{t('userAdmin.users')}</h2>
      <table className="page-table" data-testid="users-table">
        <thead>
          <tr>
            <th>{t('userAdmin.id')}</th><th>{t('userAdmin.name')}</th><th>{t('userAdmin.org')}</th><th>{t('userAdmin.roles')}</th>
            <th>{t('userAdmin.status')}</th><th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid="user-row" data-user={u.id}>
              <td>{u.id}</td>
              <td>{u.name}</td>
              <td>{u.orgName ?? u.orgId ?? '—'}</td>
              <td>{u.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
              <td>{u.disabled ? t('userAdmin.disabled') : t('userAdmin.active')}</td>
              <td className="row-actions">
                <button type="button" data-testid="reset-password" onClick={() => run(async () => {
                  const reset = await adminApi.resetPassword(u.id);
                  setSecret({ kind: 'password', subject: u.id, value: reset.password });
                })}>{t('userAdmin.resetPassword')}</button>
                {u.id !== me?.userId && (
                  <button type="button" data-testid="toggle-disabled" onClick={() => run(async () => {
                    await adminApi.setDisabled(u.id, !u.disabled);
                  })}>{u.disabled ? t('userAdmin.enable') : t('userAdmin.disable')}</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <form className="admin-form" onSubmit={addUser} data-testid="add-user">
        <h3>{t('userAdmin.addUser')}</h3>
        <label>{t('userAdmin.id')} <input name="id" value={form.id} required pattern="[a-z0-9][a-z0-9._\-]{1,63}" onChange={(e) => setForm({ ...form, id: e.target.value })} /></label>
        <label>{t('userAdmin.name')} <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
        <label>{t('userAdmin.org')}{' '}
          <select name="orgId" value={form.orgId} onChange={(e) => setForm({ ...form, orgId: e.target.value })}>
            <option value="">{t('userAdmin.noOrg')}</option>
            {orgs.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
          </select>
        </label>
        <fieldset>
          <legend>{t('userAdmin.roles')}</legend>
          {ROLES.map((r) => (
            <label key={r}>
              <input type="checkbox" name={`role-${r}`} checked={form.roles.includes(r)}
                onChange={(e) => setForm({ ...form, roles: e.target.checked ? [...form.roles, r] : form.roles.filter((x) => x !== r) })} />
              {t(`roles.${r}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={form.roles.length === 0}>{t('userAdmin.create')}</button>
      </form>

      <h2>{t('userAdmin.tokens')}</h2>
      <table className="page-table" data-testid="tokens-table">
        <thead>
          <tr>
            <th>#</th><th>{t('userAdmin.tokenName')}</th><th>{t('userAdmin.actsAs')}</th><th>{t('userAdmin.created')}</th>
            <th>{t('userAdmin.lastUsed')}</th><th>{t('userAdmin.status')}</th><th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((tk) => (
            <tr key={tk.id} data-testid="token-row" data-token={tk.id}>
              <td>{tk.id}</td>
              <td>{tk.name}</td>
              <td>{tk.userId}</td>
              <td>{time(tk.createdAt)} · {tk.createdBy}</td>
              <td>{time(tk.lastUsedAt)}</td>
              <td>{tk.revokedAt ? t('userAdmin.revokedAt', { time: time(tk.revokedAt) }) : t('userAdmin.active')}</td>
              <td>{!tk.revokedAt && <button type="button" data-testid="revoke-token" onClick={() => run(() => adminApi.revokeToken(tk.id).then(() => undefined))}>{t('userAdmin.revoke')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="admin-form" onSubmit={addToken} data-testid="add-token">
        <h3>{t('userAdmin.addToken')}</h3>
        <label>{t('userAdmin.actsAs')}{' '}
          <select name="userId" value={tokenForm.userId} required onChange={(e) => setTokenForm({ ...tokenForm, userId: e.target.value })}>
            <option value="" />
            {users.filter((u) => !u.disabled).map((u) => <option key={u.id} value={u.id}>{u.id}</option>)}
          </select>
        </label>
        <label>{t('userAdmin.tokenName')} <input name="tokenName" value={tokenForm.name} required placeholder={t('userAdmin.tokenNameHint')} onChange={(e) => setTokenForm({ ...tokenForm, name: e.target.value })} /></label>
        <button type="submit">{t('userAdmin.issue')}</button>
      </form>
    </div>
  );
}
