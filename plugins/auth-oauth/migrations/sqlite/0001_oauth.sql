-- OAuth 2.1 (seed: authentication.txt): registered clients, grants (one per
-- approved authorization), single-use codes and tokens. Secrets, codes and
-- tokens are stored only as keyring HMACs.
CREATE TABLE auth_oauth_clients (
  id TEXT PRIMARY KEY,
  tenant_id TEXT,
  name TEXT NOT NULL,
  redirect_uris TEXT NOT NULL,
  auth_method TEXT NOT NULL CHECK (auth_method IN ('none', 'client_secret_post', 'client_secret_basic')),
  grant_types TEXT NOT NULL,
  scope TEXT NOT NULL,
  secret_hash TEXT,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX auth_oauth_clients_by_tenant ON auth_oauth_clients (tenant_id);

CREATE TABLE auth_oauth_grants (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES auth_oauth_clients (id) ON DELETE CASCADE,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX auth_oauth_grants_by_tenant ON auth_oauth_grants (tenant_id);
CREATE INDEX auth_oauth_grants_by_client ON auth_oauth_grants (client_id);

CREATE TABLE auth_oauth_codes (
  code_hash TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL REFERENCES auth_oauth_grants (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE auth_oauth_tokens (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id TEXT NOT NULL REFERENCES auth_oauth_grants (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  used_at BIGINT
);
CREATE INDEX auth_oauth_tokens_by_grant ON auth_oauth_tokens (grant_id);
