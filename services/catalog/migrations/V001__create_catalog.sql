-- The catalog's tables. Runs with search_path = catalog, as the catalog role,
-- which owns the catalog schema and nothing else.

CREATE TABLE categories (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku         text NOT NULL UNIQUE CHECK (sku ~ '^[A-Z0-9-]{3,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    price_minor bigint NOT NULL CHECK (price_minor >= 0),
    currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    category_id text NOT NULL REFERENCES categories (id),
    image_url   text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- Name weighs more than category and description in search ranking.
    search      tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', name), 'A') ||
                    setweight(to_tsvector('english', sku), 'A') ||
                    setweight(to_tsvector('english', category_id), 'B') ||
                    setweight(to_tsvector('english', description), 'C')
                ) STORED
);

CREATE INDEX products_search_idx ON products USING gin (search);
-- Keyset pagination walks (name, id), optionally inside one category.
CREATE INDEX products_name_id_idx ON products (name, id);
CREATE INDEX products_category_name_id_idx ON products (category_id, name, id);
