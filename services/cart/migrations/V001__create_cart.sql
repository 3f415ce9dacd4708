-- The cart's tables. Runs with search_path = cart, as the cart role, which owns the cart schema
-- and nothing else.

-- One row per shopper who ever wrote to their cart. Besides updated_at it is the cart's lock:
-- every write takes `SELECT ... FOR UPDATE` on it first, so the rules that span lines (at most
-- 50 lines, one currency) are checked and applied without a race.
CREATE TABLE carts (
    customer_id text PRIMARY KEY CHECK (customer_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per product in a cart. sku, name and the unit price are what the catalog said when the
-- line was created and are never re-priced here: checkout re-prices from the catalog.
CREATE TABLE cart_items (
    customer_id      text NOT NULL REFERENCES carts (customer_id) ON DELETE CASCADE,
    product_id       uuid NOT NULL,
    -- Orders lines by when they were first added; unlike added_at it never ties.
    line_no          bigint GENERATED ALWAYS AS IDENTITY,
    sku              text NOT NULL CHECK (length(sku) BETWEEN 1 AND 64),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The last line of defence for the 1..99 rule: AddItem's upsert sums under a WHERE guard,
    -- and a sum that slipped past it would fail here rather than be stored.
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    added_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, product_id)
);

CREATE INDEX cart_items_customer_line_idx ON cart_items (customer_id, line_no);
