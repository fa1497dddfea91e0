-- The audit log at scale (docs/operator.md, "Audit log"): one index per
-- filter of GET /v1/audit, each ending in the time-ordered id, so the first
-- page of any filter is a backward index scan and pages go on by keyset
-- (id < cursor). Retention deletes by the primary key (tenant_id, id) in
-- small batches. New columns: the operation id, and the client address as
-- seen through server.trusted_proxies.
ALTER TABLE ambit_audit ADD COLUMN operation TEXT;
ALTER TABLE ambit_audit ADD COLUMN client_ip TEXT;
CREATE INDEX ambit_audit_by_credential ON ambit_audit (tenant_id, credential_id, id);
CREATE INDEX ambit_audit_by_user ON ambit_audit (tenant_id, user_id, id);
CREATE INDEX ambit_audit_by_status ON ambit_audit (tenant_id, status, id);
CREATE INDEX ambit_audit_by_route ON ambit_audit (tenant_id, route, id);
