-- Console sessions (the first-party web app's credential): only a keyed hash
-- of the cookie's token is stored. A session ends at ended_at (sign-out,
-- workspace switch, a new sign-in over it), after session_ttl_minutes without
-- a request (last_seen_at, written in batches), or at expires_at (its maximum age).
CREATE TABLE console_sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  ended_at BIGINT
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
