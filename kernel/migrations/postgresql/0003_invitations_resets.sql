-- Members join by invitation: a single-use, expiring token the inviter
-- delivers; the invitee accepts it. Only the token's keyed hash is stored.
CREATE TABLE ambit_invitations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES ambit_tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin', 'owner')),
  token_hash TEXT NOT NULL UNIQUE,
  invited_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT,
  accepted_by TEXT,
  revoked_at BIGINT
);
CREATE INDEX ambit_invitations_tenant ON ambit_invitations (tenant_id, id);

-- Password resets the operator issues (ambit users reset-password): single
-- use, expiring, keyed hash only.
CREATE TABLE ambit_password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES ambit_users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

-- Who created a tenant with POST /v1/tenants (the per-user cap).
ALTER TABLE ambit_tenants ADD COLUMN created_by TEXT;
CREATE INDEX ambit_tenants_created_by ON ambit_tenants (created_by);
