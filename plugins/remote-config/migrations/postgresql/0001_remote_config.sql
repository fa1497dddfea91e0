-- Remote config: typed values with ordered conditions, the project's
-- segments, and the version hash every write recomputes (the ETag source).
CREATE TABLE remote_config_entries (
  project_id TEXT NOT NULL,
  config_key TEXT NOT NULL,
  value TEXT NOT NULL,
  value_type TEXT NOT NULL CHECK (value_type IN ('string', 'number', 'boolean', 'json')),
  description TEXT,
  conditions TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, config_key)
);

CREATE TABLE remote_config_segments (
  project_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  match_mode TEXT NOT NULL CHECK (match_mode IN ('all', 'any')),
  rules TEXT NOT NULL,
  is_system INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, name)
);

CREATE TABLE remote_config_versions (
  project_id TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
