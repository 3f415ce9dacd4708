-- The checkout's tables: orders, their lines, the saga's step log and the status timeline.
-- Runs with search_path = checkout as the checkout role.

CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id         text NOT NULL,
    customer_email      text NOT NULL,
    -- A shopper's Idempotency-Key and the fingerprint of the request it was first used with.
    idempotency_key     text NOT NULL,
    request_fingerprint text NOT NULL,
    status              text NOT NULL,
    failure             text NOT NULL DEFAULT 'NONE',
    failure_reason      text NOT NULL DEFAULT '',
    currency            char(3) NOT NULL,
    subtotal_minor      bigint NOT NULL CHECK (subtotal_minor >= 0),
    shipping_minor      bigint NOT NULL CHECK (shipping_minor >= 0),
    total_minor         bigint NOT NULL CHECK (total_minor = subtotal_minor + shipping_minor),
    ship_name           text NOT NULL,
    ship_line1          text NOT NULL,
    ship_line2          text NOT NULL,
    ship_city           text NOT NULL,
    ship_region         text NOT NULL,
    ship_postal_code    text NOT NULL,
    ship_country        char(2) NOT NULL,
    shipping_option_id  text NOT NULL,
    reservation_id      text NOT NULL DEFAULT '',
    -- Only brand and last four digits of the card: checkout never sees it stored anywhere.
    payment_id          text NOT NULL DEFAULT '',
    payment_status      text NOT NULL DEFAULT '',
    card_brand          text NOT NULL DEFAULT '',
    card_last4          text NOT NULL DEFAULT '' CHECK (card_last4 ~ '^[0-9]{0,4}$'),
    shipment_id         text NOT NULL DEFAULT '',
    carrier             text NOT NULL DEFAULT '',
    tracking_number     text NOT NULL DEFAULT '',
    shipment_status     text NOT NULL DEFAULT '',
    -- Who drives the saga: a runner holds the order until lease_until and renews it at every
    -- step; recovery takes unfinished orders whose lease ran out.
    lease_until         timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (customer_id, idempotency_key)
);

CREATE INDEX orders_customer_page_idx ON orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_page_idx ON orders (created_at DESC, id DESC);
CREATE INDEX orders_unfinished_idx ON orders (created_at)
    WHERE status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED');

CREATE TABLE order_items (
    order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position         integer NOT NULL,
    product_id       text NOT NULL,
    sku              text NOT NULL,
    name             text NOT NULL,
    quantity         integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
    line_total_minor bigint NOT NULL CHECK (line_total_minor = unit_price_minor * quantity),
    PRIMARY KEY (order_id, position)
);

CREATE TABLE saga_steps (
    order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position integer NOT NULL,
    name     text NOT NULL,
    state    text NOT NULL,
    detail   text NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (order_id, position),
    UNIQUE (order_id, name)
);

CREATE TABLE order_timeline (
    order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position integer NOT NULL,
    status   text NOT NULL,
    note     text NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (order_id, position)
);
