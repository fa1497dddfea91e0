-- Config versions: every write records what it changed (before and after
-- of each key and segment) and who made it, numbered per project without
-- gaps under the project's write lock. remote_config_versions keeps the
-- current number; hash_kind 1 marks a hash kept incrementally (the XOR of
-- per-key and per-segment fingerprints), 0 one to recompute once.
ALTER TABLE remote_config_versions ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE remote_config_versions ADD COLUMN hash_kind INTEGER NOT NULL DEFAULT 0;

CREATE TABLE remote_config_history (
  project_id TEXT NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  user_id TEXT,
  credential_id TEXT,
  credential_type TEXT,
  operation TEXT NOT NULL,
  hash TEXT NOT NULL,
  restored BIGINT,
  changes TEXT NOT NULL,
  PRIMARY KEY (project_id, version)
);
