-- Secrets: each project's data key (sealed by the kernel keyring) and the
-- values sealed with it. Nothing here is plaintext.
CREATE TABLE secrets_projects (
  project_id TEXT PRIMARY KEY,
  wrapped_key TEXT NOT NULL,
  change_seq BIGINT NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  job_id TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE secrets_values (
  project_id TEXT NOT NULL,
  function_name TEXT NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  ciphertext TEXT NOT NULL,
  change_seq BIGINT NOT NULL,
  sync_status TEXT NOT NULL CHECK (sync_status IN ('pending', 'syncing', 'sync_failed_retrying', 'synced')),
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, function_name, name)
);
