-- Orders that have ended: checkout failed them (OrderFailed) or cancelled them (OrderCancelled).
-- CreateShipment refuses an order listed here, so a call that timed out in checkout, and so failed
-- the order, cannot leave a shipment behind it (README: "Closed orders"). The event handler and
-- CreateShipment both hold the order's advisory lock (pg_advisory_xact_lock) while they read or
-- write this table, so the check and the insert of a shipment never straddle a closure.

CREATE TABLE closed_orders (
    order_id  uuid PRIMARY KEY,
    -- How it ended; the first closure stays (a later OrderCancelled does not rewrite a failure).
    ending    text NOT NULL CHECK (ending IN ('FAILED', 'CANCELLED')),
    -- Checkout's reason, as the event carried it (control characters blanked, cut to 500 bytes).
    reason    text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    -- Set by the service's clock, not now(), so tests control time.
    closed_at timestamptz NOT NULL
);
