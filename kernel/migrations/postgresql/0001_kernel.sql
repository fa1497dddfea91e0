-- Kernel tables: the keyring's wrapped data keys and the durable job queue.
CREATE TABLE ambit_data_keys (
  id TEXT PRIMARY KEY,
  purpose TEXT NOT NULL UNIQUE,
  wrapped TEXT NOT NULL,
  master_kid TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE ambit_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX ambit_jobs_idempotency ON ambit_jobs (kind, idempotency_key);
CREATE INDEX ambit_jobs_ready ON ambit_jobs (status, run_at);
