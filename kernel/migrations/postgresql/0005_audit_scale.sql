-- The audit log at scale (docs/operator.md, "Audit log").
--  * Partitioned by day on `at` (ms since epoch, UTC days): retention drops
--    whole partitions, never deletes rows. Partitions are named
--    ambit_audit_pYYYYMMDD and cover [day start, next day start); the kernel
--    creates them ahead of need (kernel/src/audit/audit_retention.cpp).
--  * One index per filter of GET /v1/audit, each ending in (at, id): the
--    first page of any filter is a backward index scan of the newest
--    partitions, and pages go on by keyset (at, id) < (cursor).
--  * New columns: the operation id, and the client address as seen through
--    server.trusted_proxies.
ALTER TABLE ambit_audit RENAME TO ambit_audit_unpartitioned;
ALTER TABLE ambit_audit_unpartitioned RENAME CONSTRAINT ambit_audit_pkey TO ambit_audit_unpartitioned_pkey;

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
  tool TEXT,
  operation TEXT,
  client_ip TEXT,
  PRIMARY KEY (tenant_id, at, id)
) PARTITION BY RANGE (at);
CREATE INDEX ambit_audit_by_credential ON ambit_audit (tenant_id, credential_id, at, id);
CREATE INDEX ambit_audit_by_user ON ambit_audit (tenant_id, user_id, at, id);
CREATE INDEX ambit_audit_by_status ON ambit_audit (tenant_id, status, at, id);
CREATE INDEX ambit_audit_by_route ON ambit_audit (tenant_id, route, at, id);

DO $$
DECLARE
  day BIGINT;
BEGIN
  FOR day IN SELECT DISTINCT at / 86400000 FROM ambit_audit_unpartitioned LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF ambit_audit FOR VALUES FROM (%s) TO (%s)',
                   'ambit_audit_p' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD'),
                   day * 86400000, (day + 1) * 86400000);
  END LOOP;
END
$$;

INSERT INTO ambit_audit (id, at, tenant_id, user_id, credential_type, credential_id, method, route, status,
                         request_id, legacy_mode, tool)
SELECT id, at, tenant_id, user_id, credential_type, credential_id, method, route, status, request_id, legacy_mode, tool
FROM ambit_audit_unpartitioned;
DROP TABLE ambit_audit_unpartitioned;
