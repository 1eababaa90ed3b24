export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader, signPayload, TIMESTAMP_TOLERANCE_S, verifySignature } from './signature.ts';
export type { Verification } from './signature.ts';
export { DEFAULT_RETRY, nextAttemptAt, retryDelayMs } from './backoff.ts';
export type { RetryPolicy } from './backoff.ts';
export { alarmEvent, EVENT_TYPES, incidentEvents } from './events.ts';
export type { EventType, OutboundEvent } from './events.ts';
export { CHANNELS, LoggingNotifier, messageFor, readChannels } from './channels.ts';
export type { Channel, Message, Notifier, OutgoingMessage } from './channels.ts';
export { dingTalkSign, HttpGatewayNotifier, MESSAGE_HEADER } from './gateways.ts';
export type { GatewaySettings } from './gateways.ts';
export { contactAddresses, ContactError, listContacts, normaliseContactAddress, removeContact, setContact } from './contacts.ts';
export type { Contact, ContactAddress } from './contacts.ts';
export { listMessages, MESSAGE_MAX_AGE_MS, requeueMessage, sendDueMessages, writeMessages } from './messages.ts';
export type { MessageState, StoredMessage } from './messages.ts';
export type { AttemptOutcome, AttemptRecord } from './queue.ts';
export { describeAttemptError, parseAttemptError } from './attempt-errors.ts';
export type { AttemptError } from './attempt-errors.ts';
export {
  createSubscription, deactivateSubscription, deliverDue, enqueueEvents, generateSecret, listDeliveries, listSubscriptions, requeueDelivery,
} from './webhooks.ts';
export type { Delivery, DeliveryAttempt, NewSubscription, Subscription } from './webhooks.ts';
export {
  applyFeedback, createIntegrationKey, deactivateIntegrationKey, InboundError, INTEGRATION_ROLES, listInboundAttempts, listIntegrationKeys,
} from './inbound.ts';
export type { IntegrationKey, InboundRequest } from './inbound.ts';
export { NotifyService } from './service.ts';
export { AlarmOutbox, SUBSCRIBERS_TTL_MS } from './outbox.ts';
export type { NotifyOptions } from './service.ts';
export { registerNotifyRoutes } from './routes.ts';
export type { NotifyRoutesOptions } from './routes.ts';
export { createNotifiers, readNotifyConfig } from './config.ts';
export type { ChannelSetting, NotifyConfig } from './config.ts';
