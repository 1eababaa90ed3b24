-- Accounts: users in organisations with roles, login sessions and API tokens for integrations.
-- Secrets are stored only as hashes: passwords with scrypt (salt and parameters in the string),
-- session and API tokens (random 256-bit) as SHA-256.
CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL,
  org_id text REFERENCES organisations (id),
  roles text[] NOT NULL,
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  password_changed_at timestamptz,
  CHECK (id ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  CHECK (cardinality(roles) > 0)
);
CREATE INDEX users_org ON users (org_id);
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ip text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);
