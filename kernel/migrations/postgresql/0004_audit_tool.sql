-- The tool name a client called an operation by (MCP: "amba_secrets_set");
-- null for a plain HTTP request.
ALTER TABLE ambit_audit ADD COLUMN tool TEXT;
