-- RFC 8707 resource indicators: the resource (a URI of this server, in its
-- canonical form) a grant's tokens are issued for; NULL: none in particular.
-- Set at the approval, or at the code exchange when only the token request
-- named one; every token of the grant has it as its audience.
ALTER TABLE auth_oauth_grants ADD COLUMN resource TEXT;
-- A rotated refresh token presented once more within the reuse grace
-- (refresh_reuse_grace_seconds): when that one reuse happened. A token
-- with reused_at set is past its grace: its next reuse revokes the grant.
ALTER TABLE auth_oauth_tokens ADD COLUMN reused_at BIGINT;
