-- API keys: only a keyed hash of the secret is stored, plus a display prefix.
CREATE TABLE apikey_keys (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  scope_mode TEXT NOT NULL CHECK (scope_mode IN ('strict', 'legacy')),
  environment TEXT NOT NULL CHECK (environment IN ('live', 'test')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  rotated_to TEXT,
  last_used_at BIGINT
);
CREATE INDEX apikey_keys_tenant ON apikey_keys (tenant_id, created_at);
