// Why a delivery or message attempt failed. Stored as one English line (logs and the API stay
// readable); the web app reads it back with `parseAttemptError` and shows it in the reader's
// language. The module has no imports so the browser bundle can use it.

export type AttemptError =
  | { code: 'status'; status: number }
  | { code: 'timeout'; ms: number }
  | { code: 'not_json'; text: string }
  | { code: 'refused'; errcode: string; errmsg: string }
  | { code: 'switched_off' }
  /** Anything else: the transport's own words (a refused connection, a DNS failure). */
  | { code: 'other'; text: string };

export function describeAttemptError(e: AttemptError): string {
  switch (e.code) {
    case 'status': return `the receiver answered ${e.status}`;
    case 'timeout': return `no answer within ${e.ms} ms`;
    case 'not_json': return `the robot answered something that is not JSON: ${e.text}`;
    case 'refused': return `the robot refused: errcode ${e.errcode}${e.errmsg ? ` ${e.errmsg}` : ''}`;
    case 'switched_off': return 'subscription switched off';
    case 'other': return e.text;
  }
}

const PATTERNS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => AttemptError]> = [
  [/^the receiver answered (\d+)$/, (m) => ({ code: 'status', status: Number(m[1]) })],
  [/^no answer within (\d+) ms$/, (m) => ({ code: 'timeout', ms: Number(m[1]) })],
  [/^the robot answered something that is not JSON: ([\s\S]*)$/, (m) => ({ code: 'not_json', text: m[1]! })],
  [/^the robot refused: errcode (\S+)(?: ([\s\S]*))?$/, (m) => ({ code: 'refused', errcode: m[1]!, errmsg: m[2] ?? '' })],
  [/^subscription switched off$/, () => ({ code: 'switched_off' })],
];

export function parseAttemptError(text: string): AttemptError {
  for (const [pattern, make] of PATTERNS) {
    const m = text.match(pattern);
    if (m) return make(m);
  }
  return { code: 'other', text };
}
