CREATE TABLE hello_visits (
  name TEXT PRIMARY KEY,
  visits BIGINT NOT NULL,
  last_visit_at BIGINT NOT NULL
);
