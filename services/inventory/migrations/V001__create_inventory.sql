-- Inventory's tables. Runs with search_path = inventory, as the inventory role, which owns the
-- inventory schema and nothing else. Product ids are catalog's UUIDs; there is no foreign key
-- to catalog.products (another service's schema): inventory learns about products from the
-- catalog's events, and from the demo seed in V002.

-- One row per product. The CHECKs are the invariants every write must keep; the conditional
-- UPDATEs in repo/ keep them without reading first, and these make a bug fail loudly instead.
CREATE TABLE stock (
    product_id          uuid PRIMARY KEY,
    on_hand             integer NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved            integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    low_stock_threshold integer NOT NULL DEFAULT 5 CHECK (low_stock_threshold >= 0),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- ListLowStock walks (available, product_id) over the low rows only.
CREATE INDEX stock_low_idx ON stock ((on_hand - reserved), product_id)
    WHERE on_hand - reserved <= low_stock_threshold;

-- One reservation per order (order_id is the idempotency key). Units it holds are counted in
-- stock.reserved while it is active.
CREATE TABLE reservations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id       uuid NOT NULL UNIQUE,
    state          text NOT NULL CHECK (state IN ('active', 'committed', 'released')),
    release_reason text CHECK (release_reason IN ('checkout_failed', 'order_cancelled', 'expired')),
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CHECK ((state = 'released') = (release_reason IS NOT NULL))
);
-- The sweeper's scan: only active rows, oldest deadline first.
CREATE INDEX reservations_due_idx ON reservations (expires_at) WHERE state = 'active';

CREATE TABLE reservation_lines (
    reservation_id uuid NOT NULL REFERENCES reservations (id),
    product_id     uuid NOT NULL REFERENCES stock (product_id),
    quantity       integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    PRIMARY KEY (reservation_id, product_id)
);

-- Operators' manual changes to on_hand: the audit trail, never updated or deleted. `sequence`
-- orders them (newest first when listing) independently of clocks; `id` is what the API shows.
-- The level right after the change is kept so a replayed request returns the first result.
CREATE TABLE stock_adjustments (
    sequence            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    idempotency_key     uuid NOT NULL UNIQUE,
    product_id          uuid NOT NULL REFERENCES stock (product_id),
    delta               integer NOT NULL CHECK (delta <> 0),
    reason              text NOT NULL CHECK (reason IN ('restock', 'count', 'damaged', 'returned')),
    note                text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    actor               text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
    on_hand_after       integer NOT NULL,
    reserved_after      integer NOT NULL,
    threshold_after     integer NOT NULL,
    created_at          timestamptz NOT NULL
);
CREATE INDEX stock_adjustments_product_idx ON stock_adjustments (product_id, sequence);
