-- Recovery claims CANCELLING orders too (a cancel is a saga of its own): its partial index of
-- unfinished orders covers them, so ClaimStale keeps using it.
DROP INDEX orders_unfinished_idx;
CREATE INDEX orders_unfinished_idx ON orders (created_at)
    WHERE status IN ('PENDING', 'RESERVED', 'PAYMENT_AUTHORIZED', 'CANCELLING');
