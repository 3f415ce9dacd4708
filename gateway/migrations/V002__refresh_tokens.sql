-- Sessions: the refresh tokens of accounts::Accounts (StartSession, Refresh, Logout,
-- ChangePassword). Only a token's SHA-256 is kept (hex), so a copy of this table signs nobody in.
--
-- A sign-in starts a family; each refresh marks its token used and adds the next one to the
-- family. A token presented after it was used means two parties hold the family (a thief, or the
-- owner after a thief): the whole family is revoked (the OAuth 2.0 Security BCP's refresh token
-- rotation). Logout revokes the family; a password change revokes every family of the account.
CREATE TABLE refresh_tokens (
    token_hash text        PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    family_id  uuid        NOT NULL,
    account_id uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_live_by_account_idx ON refresh_tokens (account_id) WHERE revoked_at IS NULL;
