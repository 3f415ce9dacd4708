-- When each line last changed (added, its quantity set, added to): the cart removes an ordered
-- line only if it has not changed since the version of the cart the order was priced from
-- (OrderConfirmed.cart_version), so what the shopper did after checkout read the cart stays.
ALTER TABLE cart_items ADD COLUMN changed_at timestamptz;
UPDATE cart_items SET changed_at = added_at;
ALTER TABLE cart_items ALTER COLUMN changed_at SET NOT NULL;
