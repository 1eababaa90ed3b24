// A failed attempt's reason in the reader's language: the server stores it as one English line
// (src/notify/attempt-errors.ts); the parts it names are put into the translated sentence.
import type { TFunction } from 'i18next';
import { parseAttemptError } from '../../src/notify/attempt-errors.ts';

export function attemptErrorText(t: TFunction, lastError: string | null, lastStatus: number | null): string {
  if (lastError === null) return lastStatus !== null ? `HTTP ${lastStatus}` : '—';
  const { code, ...parts } = parseAttemptError(lastError);
  // Values are shown as sent (a vendor's errmsg, a URL), never as markup.
  return t(`webhooks.attemptError.${code}`, { ...parts, interpolation: { escapeValue: false } }).trim();
}
