// Webhooks and integrations, for admins: subscriptions (receiver URL, events, optional owner unit)
// with their signing secret shown once; the latest deliveries with attempts and results, a failed
// one retried on demand; the messages to people (SMS, WeChat Work, DingTalk) with the channels in
// use, their state and a retry for a failed one; where each unit is told (its own group robot or
// phone numbers, shown without the robot's key); integration keys for signed inbound feedback
// (src/notify).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNELS } from '../../../src/notify/channels.ts';
import { attemptErrorText } from '../attemptError.ts';
import { webhooksApi, type Contact, type Delivery, type IntegrationKey, type StoredMessage, type Subscription } from '../api/webhooks.ts';
import type { PageProps } from './registry.ts';
import './Webhooks.css';

const KEY_ROLES = ['owner_dispatcher', 'field_crew', 'centre_operator', 'bureau_supervisor'] as const;

export function Webhooks(_props: PageProps) {
  const { t, i18n } = useTranslation();
  const [events, setEvents] = useState<string[]>([]);
  const [subscriptions, setSubscriptions] = useState<Subscription[]>([]);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [channels, setChannels] = useState<{ channel: string; target: string }[]>([]);
  const [messages, setMessages] = useState<StoredMessage[]>([]);
  const [keys, setKeys] = useState<IntegrationKey[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [contactForm, setContactForm] = useState({ orgId: '', channel: 'wecom', address: '', secret: '' });
  const [orgs, setOrgs] = useState<{ id: string; name: string; kind: string }[]>([]);
  const [secret, setSecret] = useState<{ subject: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ url: '', events: ['*'] as string[], ownerId: '', description: '' });
  const [keyForm, setKeyForm] = useState({ id: '', name: '', orgId: '', role: 'owner_dispatcher' });

  const reload = useCallback(async () => {
    const [e, s, d, c, m, k, o, p] = await Promise.all([
      webhooksApi.events(), webhooksApi.subscriptions(), webhooksApi.deliveries(), webhooksApi.channels(), webhooksApi.messages(), webhooksApi.keys(),
      webhooksApi.organisations(), webhooksApi.contacts(),
    ]);
    setEvents(e);
    setSubscriptions(s);
    setDeliveries(d);
    setChannels(c);
    setMessages(m);
    setKeys(k);
    setOrgs(o);
    setContacts(p);
  }, []);
  useEffect(() => {
    reload().catch((e: Error) => setError(e.message));
    const timer = setInterval(() => {
      void webhooksApi.deliveries().then(setDeliveries).catch(() => undefined);
      void webhooksApi.messages().then(setMessages).catch(() => undefined);
    }, 10_000);
    return () => clearInterval(timer);
  }, [reload]);

  const run = (work: () => Promise<void>) => {
    setError(null);
    work().then(reload).catch((e: Error) => setError(e.message));
  };
  const orgOptions = [<option key="" value="" />, ...orgs.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)];
  const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '—');
  const orgName = (id: string | null) => (id ? orgs.find((o) => o.id === id)?.name ?? id : t('webhooks.wholeCity'));
  const toggleEvent = (e: string, on: boolean) => {
    const rest = form.events.filter((x) => x !== e && x !== '*');
    setForm({ ...form, events: e === '*' ? (on ? ['*'] : []) : on ? [...rest, e] : rest });
  };

  const addSubscription = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const created = await webhooksApi.create({ url: form.url.trim(), events: form.events, ownerId: form.ownerId || null, description: form.description.trim() || undefined });
      setSecret({ subject: created.url, value: created.secret });
      setForm({ url: '', events: ['*'], ownerId: '', description: '' });
    });
  };
  const addKey = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const created = await webhooksApi.createKey({ ...keyForm, id: keyForm.id.trim(), name: keyForm.name.trim() });
      setSecret({ subject: created.id, value: created.secret });
      setKeyForm({ id: '', name: '', orgId: '', role: 'owner_dispatcher' });
    });
  };

  const addContact = (e: FormEvent) => {
    e.preventDefault();
    run(async () => {
      const secret = contactForm.channel === 'dingtalk' && contactForm.secret.trim() ? contactForm.secret.trim() : null;
      await webhooksApi.setContact(contactForm.orgId, contactForm.channel, { address: contactForm.address, secret });
      setContactForm({ ...contactForm, address: '', secret: '' });
    });
  };

  return (
    <div className="webhooks-admin" data-testid="webhooks-admin">
      <div className="page-header">
        <h1>{t('webhooks.nav')}</h1>
      </div>
      {error && <p className="page-error" role="alert" data-testid="webhooks-error">{error}</p>}
      {secret && (
        <div className="hook-secret" role="status" data-testid="secret-box">
          <strong>{t('webhooks.secretOnce', { subject: secret.subject })}</strong>
          <code data-testid="secret-value">{secret.value}</code>
          <button type="button" onClick={() => setSecret(null)}>{t('webhooks.dismiss')}</button>
        </div>
      )}
      <p className="page-note">{t('webhooks.signing')}</p>

      <h2>{t('webhooks.subscriptions')}</h2>
      <table className="page-table" data-testid="subscriptions-table">
        <thead>
          <tr><th>#</th><th>{t('webhooks.url')}</th><th>{t('webhooks.events')}</th><th>{t('webhooks.owner')}</th><th>{t('webhooks.status')}</th><th /></tr>
        </thead>
        <tbody>
          {subscriptions.map((s) => (
            <tr key={s.id} data-testid="subscription-row" data-subscription={s.id}>
              <td>{s.id}</td>
              <td><code>{s.url}</code>{s.description && <div>{s.description}</div>}</td>
              <td>{s.events.includes('*') ? t('webhooks.allEvents') : s.events.join(', ')}</td>
              <td>{orgName(s.ownerId)}</td>
              <td>{s.active ? t('webhooks.active') : t('webhooks.off')}</td>
              <td>{s.active && <button type="button" data-testid="switch-off" onClick={() => run(() => webhooksApi.switchOff(s.id).then(() => undefined))}>{t('webhooks.switchOff')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <form className="hook-form" onSubmit={addSubscription} data-testid="add-subscription">
        <h3>{t('webhooks.create')}</h3>
        <label>{t('webhooks.url')} <input name="url" type="url" required value={form.url} placeholder="https://" onChange={(e) => setForm({ ...form, url: e.target.value })} /></label>
        <label>{t('webhooks.owner')}{' '}
          <select name="ownerId" value={form.ownerId} onChange={(e) => setForm({ ...form, ownerId: e.target.value })}>
            <option value="">{t('webhooks.wholeCity')}</option>
            {orgs.filter((o) => o.kind === 'owner').map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
          </select>
        </label>
        <label>{t('webhooks.description')} <input name="description" value={form.description} maxLength={500} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
        <fieldset>
          <legend>{t('webhooks.events')}</legend>
          {['*', ...events].map((e) => (
            <label key={e}>
              <input type="checkbox" name={`event-${e}`} checked={form.events.includes(e)} onChange={(x) => toggleEvent(e, x.target.checked)} />
              {e === '*' ? t('webhooks.allEvents') : <code>{e}</code>}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={form.events.length === 0}>{t('webhooks.create')}</button>
      </form>

      <h2>{t('webhooks.deliveries')}</h2>
      {deliveries.length === 0 ? <p>{t('webhooks.noDeliveries')}</p> : (
        <table className="page-table" data-testid="deliveries-table">
          <thead>
            <tr>
              <th>{t('webhooks.created')}</th><th>#</th><th>{t('webhooks.event')}</th><th>{t('webhooks.state')}</th><th>{t('webhooks.attempts')}</th>
              <th>{t('webhooks.lastResult')}</th><th>{t('webhooks.next')}</th><th />
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} data-testid="delivery-row" data-state={d.state}>
                <td>{time(d.createdAt)}</td>
                <td>{d.subscriptionId}</td>
                <td><code title={d.id}>{d.eventType}</code> {d.eventKey}</td>
                <td>{t(`webhooks.deliveryState.${d.state}`)}</td>
                <td>{d.attempts}</td>
                <td>{attemptErrorText(t, d.lastError, d.lastStatus)}</td>
                <td>{time(d.nextAttemptAt)}</td>
                <td>{d.state === 'failed' && <button type="button" onClick={() => run(() => webhooksApi.retry(d.id).then(() => undefined))}>{t('webhooks.retry')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{t('webhooks.messages')}</h2>
      <p className="page-note">{t('webhooks.messagesNote')}</p>
      <p data-testid="message-channels">
        {channels.length === 0 ? t('webhooks.noChannels') : (
          <>{t('webhooks.channels')}: {channels.map((c, i) => (
            <span key={c.channel}>{i > 0 && ', '}{t(`webhooks.channelName.${c.channel}`)} → {c.target === 'log' ? t('webhooks.loggedOnly') : <code>{c.target}</code>}</span>
          ))}</>
        )}
      </p>
      {messages.length === 0 ? <p>{t('webhooks.noMessages')}</p> : (
        <table className="page-table messages-table" data-testid="messages-table">
          <thead>
            <tr>
              <th>{t('webhooks.created')}</th><th>{t('webhooks.channel')}</th><th>{t('webhooks.recipient')}</th><th>{t('webhooks.about')}</th><th>{t('webhooks.text')}</th>
              <th>{t('webhooks.state')}</th><th>{t('webhooks.attempts')}</th><th>{t('webhooks.lastResult')}</th><th>{t('webhooks.next')}</th><th />
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-testid="message-row" data-message={m.id} data-state={m.state}>
                <td>{time(m.createdAt)}</td>
                <td>{t(`webhooks.channelName.${m.channel}`)}</td>
                <td>{orgName(m.recipient)}</td>
                <td>{m.incidentId ? t('webhooks.incidentRef', { id: m.incidentId }) : m.alarmId ? t('webhooks.alarmRef', { id: m.alarmId }) : '—'}</td>
                <td className="message-text">{m.text}</td>
                <td data-testid="message-state">{t(`webhooks.messageState.${m.state}`)}</td>
                <td>{m.attempts}</td>
                <td data-testid="message-result">{attemptErrorText(t, m.lastError, m.lastStatus)}</td>
                <td>{time(m.nextAttemptAt)}</td>
                <td>{m.state === 'failed' && (
                  <button type="button" data-testid="retry-message" onClick={() => run(() => webhooksApi.retryMessage(m.id).then(() => undefined))}>{t('webhooks.retry')}</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{t('webhooks.contacts')}</h3>
      <p className="page-note">{t('webhooks.contactsNote')}</p>
      {contacts.length === 0 ? <p>{t('webhooks.noContacts')}</p> : (
        <table className="page-table" data-testid="contacts-table">
          <thead>
            <tr><th>{t('webhooks.recipient')}</th><th>{t('webhooks.channel')}</th><th>{t('webhooks.contactTarget')}</th><th>{t('webhooks.updated')}</th><th /></tr>
          </thead>
          <tbody>
            {contacts.map((c) => (
              <tr key={`${c.orgId} ${c.channel}`} data-testid="contact-row" data-org={c.orgId} data-channel={c.channel}>
                <td>{orgName(c.orgId)}</td>
                <td>{t(`webhooks.channelName.${c.channel}`)}</td>
                <td><code>{c.target}</code>{c.signed && ` · ${t('webhooks.signed')}`}</td>
                <td>{time(c.updatedAt)}</td>
                <td><button type="button" data-testid="remove-contact" onClick={() => run(() => webhooksApi.removeContact(c.orgId, c.channel).then(() => undefined))}>{t('webhooks.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="hook-form" onSubmit={addContact} data-testid="set-contact">
        <h3>{t('webhooks.setContact')}</h3>
        <label>{t('webhooks.recipient')}{' '}
          <select name="orgId" required value={contactForm.orgId} onChange={(e) => setContactForm({ ...contactForm, orgId: e.target.value })}>
            {orgOptions}
          </select>
        </label>
        <label>{t('webhooks.channel')}{' '}
          <select name="channel" value={contactForm.channel} onChange={(e) => setContactForm({ ...contactForm, channel: e.target.value })}>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(`webhooks.channelName.${c}`)}</option>)}
          </select>
        </label>
        <label>{t(contactForm.channel === 'sms' ? 'webhooks.phones' : 'webhooks.robotUrl')}{' '}
          <input name="address" required size={48} value={contactForm.address} onChange={(e) => setContactForm({ ...contactForm, address: e.target.value })} />
        </label>
        {contactForm.channel === 'dingtalk' && (
          <label>{t('webhooks.robotSecret')} <input name="secret" type="password" autoComplete="off" value={contactForm.secret} onChange={(e) => setContactForm({ ...contactForm, secret: e.target.value })} /></label>
        )}
        <button type="submit">{t('webhooks.save')}</button>
      </form>

      <h2>{t('webhooks.keys')}</h2>
      <table className="page-table" data-testid="keys-table">
        <thead>
          <tr><th>{t('webhooks.keyId')}</th><th>{t('webhooks.keyName')}</th><th>{t('webhooks.org')}</th><th>{t('webhooks.role')}</th><th>{t('webhooks.status')}</th><th /></tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} data-testid="key-row">
              <td><code>{k.id}</code></td>
              <td>{k.name}</td>
              <td>{orgName(k.orgId)}</td>
              <td>{t(`roles.${k.role}`)}</td>
              <td>{k.active ? t('webhooks.active') : t('webhooks.off')}</td>
              <td>{k.active && <button type="button" onClick={() => run(() => webhooksApi.switchOffKey(k.id).then(() => undefined))}>{t('webhooks.switchOff')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="hook-form" onSubmit={addKey} data-testid="add-key">
        <h3>{t('webhooks.createKey')}</h3>
        <label>{t('webhooks.keyId')} <input name="id" required pattern="[a-z0-9][a-z0-9._\-]{1,63}" value={keyForm.id} onChange={(e) => setKeyForm({ ...keyForm, id: e.target.value })} /></label>
        <label>{t('webhooks.keyName')} <input name="name" required value={keyForm.name} onChange={(e) => setKeyForm({ ...keyForm, name: e.target.value })} /></label>
        <label>{t('webhooks.org')}{' '}
          <select name="orgId" required value={keyForm.orgId} onChange={(e) => setKeyForm({ ...keyForm, orgId: e.target.value })}>
            {orgOptions}
          </select>
        </label>
        <label>{t('webhooks.role')}{' '}
          <select name="role" value={keyForm.role} onChange={(e) => setKeyForm({ ...keyForm, role: e.target.value })}>
            {KEY_ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
          </select>
        </label>
        <button type="submit">{t('webhooks.createKey')}</button>
      </form>
    </div>
  );
}
