-- Shopper and operator accounts. Runs with search_path = accounts (the gateway connects as the
-- accounts role, which owns this schema and nothing else).
--
-- email is stored trimmed and lower-cased (the gateway normalises it), so the UNIQUE constraint
-- is the case-insensitive uniqueness the shopper expects; the CHECK keeps a future writer honest.
-- password_hash is libsodium's self-describing argon2id string ($argon2id$v=19$m=...,t=...,p=1$...),
-- so raising the cost later needs no schema change.
CREATE TABLE accounts (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text        NOT NULL UNIQUE
                              CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    password_hash text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    role          text        NOT NULL DEFAULT 'shopper' CHECK (role IN ('shopper', 'operator')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);
