-- Projects (the unit of tenancy) and their API keys. A project key is stored
-- as a keyed hash plus a display prefix, never in plaintext.
CREATE TABLE projects_projects (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  bundle_id TEXT,
  platform TEXT NOT NULL CHECK (platform IN ('ios', 'android', 'all')),
  environment TEXT,
  status TEXT NOT NULL CHECK (status IN ('not_provisioned', 'provisioning', 'active', 'failed')),
  region TEXT,
  job_id TEXT,
  provision_runs INTEGER NOT NULL DEFAULT 0,
  failed_step TEXT,
  last_error TEXT,
  provisioned_at BIGINT,
  archived_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX projects_projects_tenant ON projects_projects (tenant_id, created_at);

CREATE TABLE projects_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  key_type TEXT NOT NULL CHECK (key_type IN ('client', 'server')),
  environment TEXT NOT NULL CHECK (environment IN ('development', 'production')),
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX projects_keys_project ON projects_keys (project_id, created_at);
