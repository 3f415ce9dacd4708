-- Orders that have ended, as checkout announced them (OrderFailed, OrderCancelled): no new
-- authorization may be taken for them. Checkout gives up on an Authorize that outlives its
-- deadline and fails the order, while that Authorize may still commit afterwards; the closure
-- is the record a late Authorize checks, under the order's advisory lock (src/domain/payments.h,
-- Payments::CloseOrder), so that it refuses instead of holding money on an order that is over.
--
-- One row per order, written once: a later closure of the same order keeps the first.

CREATE TABLE order_closures (
    order_id   text PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 100),
    ended      text NOT NULL CHECK (ended IN ('failed', 'cancelled')),
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),  -- checkout's, as shown to the shopper
    closed_at  timestamptz NOT NULL
);
