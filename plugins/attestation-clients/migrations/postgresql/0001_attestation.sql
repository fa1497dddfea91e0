-- Attestation API clients (seed: attestation-clients.md): a tenant's plan per
-- service, its policies, and its API clients with their keys, policies and
-- tags. Keys are sealed by the kernel keyring; key_mac (an HMAC) finds a key.
CREATE TABLE attestation_subscriptions (
  tenant_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, service_id)
);

CREATE TABLE attestation_policies (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  name TEXT NOT NULL,
  policy TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE attestation_clients (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX attestation_clients_by_tenant ON attestation_clients (tenant_id, service_id, created_at);

CREATE TABLE attestation_client_keys (
  key_mac TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES attestation_clients (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  sealed TEXT NOT NULL,
  UNIQUE (client_id, position)
);

CREATE TABLE attestation_client_policies (
  client_id TEXT NOT NULL REFERENCES attestation_clients (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  policy_id TEXT NOT NULL REFERENCES attestation_policies (id),
  PRIMARY KEY (client_id, position)
);
CREATE INDEX attestation_client_policies_by_policy ON attestation_client_policies (policy_id);

CREATE TABLE attestation_client_tags (
  client_id TEXT NOT NULL REFERENCES attestation_clients (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  PRIMARY KEY (client_id, position)
);
