-- How often the step-kit lifecycle step committed, per project.
CREATE TABLE stepkit_runs (
  project_id TEXT PRIMARY KEY,
  runs INTEGER NOT NULL
);
