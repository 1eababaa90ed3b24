import { describe, expect, it } from 'vitest';
import { describeAttemptError, parseAttemptError, type AttemptError } from './attempt-errors.ts';

describe('attempt errors', () => {
  it('reads back every kind it writes', () => {
    const kinds: AttemptError[] = [
      { code: 'status', status: 503 },
      { code: 'timeout', ms: 10_000 },
      { code: 'not_json', text: '<html>\nbad gateway</html>' },
      { code: 'refused', errcode: '45009', errmsg: 'api freq out of limit' },
      { code: 'refused', errcode: '310000', errmsg: '' },
      { code: 'switched_off' },
      { code: 'other', text: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9' },
    ];
    for (const kind of kinds) expect(parseAttemptError(describeAttemptError(kind))).toEqual(kind);
  });

  it('keeps the stored English wording the API has always returned', () => {
    expect(describeAttemptError({ code: 'status', status: 500 })).toBe('the receiver answered 500');
    expect(describeAttemptError({ code: 'refused', errcode: '45009', errmsg: 'api freq out of limit' })).toBe('the robot refused: errcode 45009 api freq out of limit');
  });

  it('takes text it does not know as the transport own words', () => {
    expect(parseAttemptError('the receiver answered soon')).toEqual({ code: 'other', text: 'the receiver answered soon' });
  });
});
