-- When a client was first authorized (its first grant): a client never
-- authorized gets error pages instead of error redirects at /oauth/authorize,
-- and the operator's purge can select it. Grants revoked before this
-- migration are not known: their clients count as never authorized.
ALTER TABLE auth_oauth_clients ADD COLUMN authorized_at BIGINT;
UPDATE auth_oauth_clients SET authorized_at =
  (SELECT MIN(g.created_at) FROM auth_oauth_grants g WHERE g.client_id = auth_oauth_clients.id);
