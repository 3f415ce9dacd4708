-- When each line last changed (added, added to, its quantity set): the cart removes an ordered line
-- only if it has not changed since the version of the cart the order was priced from
-- (OrderConfirmed.cart_version), so what the shopper did after checkout read the cart stays.
--
-- A constant default adds the column without rewriting or scanning the table, and 'epoch' means
-- "not changed since any version": lines from before this migration, and lines a replica still
-- running the previous release adds during a rolling deploy (it does not know the column), are
-- removed by a confirmation as they were before. The lock wait is bounded so that a long
-- transaction on the table fails the migration instead of queueing every cart request behind it.
SET LOCAL lock_timeout = '5s';
ALTER TABLE cart_items ADD COLUMN changed_at timestamptz NOT NULL DEFAULT 'epoch';
