-- Identity core (tenants, users, memberships) and the audit log.
CREATE TABLE ambit_tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE ambit_users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE ambit_memberships (
  tenant_id TEXT NOT NULL REFERENCES ambit_tenants (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES ambit_users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin', 'owner')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX ambit_memberships_user ON ambit_memberships (user_id);

-- One row once `ambit bootstrap` ran: it refuses a second time.
CREATE TABLE ambit_bootstrap (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Written at request rate, read per tenant newest first: one index, the
-- primary key (tenant, id). Ids sort by time (kernel/src/util/ids.cpp).
CREATE TABLE ambit_audit (
  id TEXT NOT NULL,
  at BIGINT NOT NULL,
  tenant_id TEXT NOT NULL,
  user_id TEXT,
  credential_type TEXT NOT NULL,
  credential_id TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  legacy_mode INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
