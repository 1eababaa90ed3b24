// HTTP gateway adapters for messages to people, one per channel, each speaking its vendor's plain
// HTTP API:
// - WeChat Work (企业微信) group robot: POST {msgtype: text, text: {content}} to
//   https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; the key in the URL is the credential.
// - DingTalk (钉钉) custom robot: the same body to https://oapi.dingtalk.com/robot/send?access_token=…,
//   with the robot's "加签" secret (SEC…) appending timestamp (ms) and sign = base64(HMAC-SHA256(secret,
//   "timestamp\nsecret")) to the URL.
//   Both robots answer 200 also when they refuse, with {errcode, errmsg}: errcode 0 is success.
// - SMS: the vendors' SMS APIs (Aliyun, Tencent Cloud) need their own request signing and approved
//   templates, so SMS goes to an HTTP gateway of the deployment's (an operator's SMS gateway or a
//   small relay): POST {id, to, text}, a 2xx is accepted; with a secret it is signed like a webhook
//   (X-Lifeline-Signature over the message id and body) so the gateway can tell it is from Lifeline.
// Every attempt carries the stored message's id (X-Lifeline-Message): attempts are at least once,
// a gateway deduplicates by it.
import { createHmac } from 'node:crypto';
import { describeAttemptError } from './attempt-errors.ts';
import type { Channel, Notifier, OutgoingMessage } from './channels.ts';
import { postJson, type AttemptOutcome } from './queue.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';

export const MESSAGE_HEADER = 'x-lifeline-message';

export interface GatewaySettings {
  channel: Channel;
  url: string;
  /** DingTalk: the robot's signing secret; SMS: the secret the gateway verifies the signature with. */
  secret?: string | null;
}

/** DingTalk's robot signature for a timestamp in milliseconds (the sign parameter, before URL encoding). */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** A robot's answer: errcode 0 is success; anything else (or no JSON) is the error to retry on. */
function robotAnswer(text: string): string | null {
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    return describeAttemptError({ code: 'not_json', text: text.slice(0, 200) });
  }
  return answer.errcode === 0 ? null : describeAttemptError({ code: 'refused', errcode: String(answer.errcode), errmsg: String(answer.errmsg ?? '').trim() });
}

export class HttpGatewayNotifier implements Notifier {
  readonly channel: Channel;
  readonly target: string;

  constructor(private readonly settings: GatewaySettings, private readonly clock: () => Date = () => new Date()) {
    this.channel = settings.channel;
    this.target = new URL(settings.url).origin;
  }

  send(message: OutgoingMessage, timeoutMs: number): Promise<AttemptOutcome> {
    const { channel, url, secret } = this.settings;
    const headers = { 'user-agent': 'Lifeline-Notify/1', [MESSAGE_HEADER]: message.id };
    if (channel === 'sms') {
      const body = JSON.stringify({ id: message.id, to: message.to, ...(message.phones ? { phones: message.phones } : {}), text: message.text });
      const signed: Record<string, string> = secret ? { [SIGNATURE_HEADER]: signatureHeader(secret, Math.floor(this.clock().getTime() / 1000), message.id, body) } : {};
      return postJson(url, body, { ...headers, ...signed }, timeoutMs);
    }
    const body = JSON.stringify({ msgtype: 'text', text: { content: message.text } });
    let target = url;
    if (channel === 'dingtalk' && secret) {
      const timestamp = this.clock().getTime();
      const signedUrl = new URL(url);
      signedUrl.searchParams.set('timestamp', String(timestamp));
      signedUrl.searchParams.set('sign', dingTalkSign(secret, timestamp));
      target = signedUrl.toString();
    }
    return postJson(target, body, headers, timeoutMs, robotAnswer);
  }
}
