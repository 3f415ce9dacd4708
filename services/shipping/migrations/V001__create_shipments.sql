-- Shipping's tables. Runs with search_path = shipping, as the shipping role, which owns the
-- shipping schema and nothing else. Quotes are computed, never stored: only shipments are.

CREATE TABLE shipments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The idempotency key of CreateShipment: an order has at most one shipment.
    order_id           uuid NOT NULL UNIQUE,
    customer_id        text NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 64),
    shipping_option_id text NOT NULL CHECK (shipping_option_id IN ('standard', 'express', 'overnight')),
    carrier            text NOT NULL CHECK (length(carrier) BETWEEN 1 AND 50),
    service            text NOT NULL CHECK (length(service) BETWEEN 1 AND 50),
    tracking_number    text NOT NULL UNIQUE CHECK (tracking_number ~ '^[A-Z]{2,8}[0-9]{12}$'),
    status             text NOT NULL
                       CHECK (status IN ('LABEL_CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED')),
    -- The destination, copied from the request (an address is part of the shipment, not a
    -- shared entity).
    ship_to_name        text NOT NULL CHECK (length(ship_to_name) BETWEEN 1 AND 100),
    ship_to_line1       text NOT NULL CHECK (length(ship_to_line1) BETWEEN 1 AND 200),
    ship_to_line2       text NOT NULL DEFAULT '' CHECK (length(ship_to_line2) <= 200),
    ship_to_city        text NOT NULL CHECK (length(ship_to_city) BETWEEN 1 AND 100),
    ship_to_region      text NOT NULL DEFAULT '' CHECK (length(ship_to_region) <= 100),
    ship_to_postal_code text NOT NULL DEFAULT '' CHECK (length(ship_to_postal_code) <= 20),
    ship_to_country     char(2) NOT NULL CHECK (ship_to_country ~ '^[A-Z]{2}$'),
    cancel_reason      text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 500),
    -- Set by the service's clock, not now(), so tests control time.
    created_at         timestamptz NOT NULL,
    dispatched_at      timestamptz,
    delivered_at       timestamptz,
    cancelled_at       timestamptz,
    updated_at         timestamptz NOT NULL,
    -- The state machine's invariants, enforced once more where the data lives.
    CHECK ((dispatched_at IS NOT NULL) = (status IN ('DISPATCHED', 'DELIVERED'))),
    CHECK ((delivered_at IS NOT NULL) = (status = 'DELIVERED')),
    CHECK ((cancelled_at IS NOT NULL) = (status = 'CANCELLED')),
    CHECK ((cancel_reason <> '') = (status = 'CANCELLED'))
);

-- ListShipments walks (created_at, id) newest first, optionally inside one status.
CREATE INDEX shipments_created_idx ON shipments (created_at DESC, id DESC);
CREATE INDEX shipments_status_created_idx ON shipments (status, created_at DESC, id DESC);

CREATE TABLE shipment_items (
    shipment_id uuid NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    line_no     int NOT NULL CHECK (line_no BETWEEN 1 AND 100),  -- the order checkout sent them in
    product_id  uuid NOT NULL,
    sku         text NOT NULL CHECK (sku ~ '^[A-Z0-9-]{3,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    quantity    int NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    PRIMARY KEY (shipment_id, line_no),
    UNIQUE (shipment_id, product_id)
);
