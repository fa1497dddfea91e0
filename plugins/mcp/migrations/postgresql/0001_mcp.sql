-- MCP sessions, shared by every process on the database so a session opened
-- on one `ambit serve` works on the others. The id itself is never stored:
-- id_hash is the keyring's HMAC of it. A session belongs to one credential.
CREATE TABLE mcp_sessions (
  id_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  protocol_version TEXT NOT NULL,
  log_level TEXT NOT NULL,
  client_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL
);
-- Per-credential cap (oldest first) and idle expiry.
CREATE INDEX mcp_sessions_credential ON mcp_sessions (credential_id, last_seen_at);
CREATE INDEX mcp_sessions_last_seen ON mcp_sessions (last_seen_at);
