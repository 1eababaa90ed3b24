-- Where each unit is told, per channel: its own WeChat Work or DingTalk group robot (the URL holds
-- the robot's key; DingTalk's 加签 secret beside it) or the phone numbers the SMS gateway sends to.
-- A unit without a row gets the channel's deployment-wide gateway, as before. Read by the message
-- worker at send time, so a changed contact applies to messages still waiting.
CREATE TABLE notification_contacts (
  org_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('sms', 'wecom', 'dingtalk')),
  address text NOT NULL,
  secret text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, channel)
);
