-- The version of the cart an order was priced from (the cart's updated_at as checkout read it),
-- carried by OrderConfirmed so that the cart removes only the ordered lines the shopper has not
-- changed since. NULL for orders placed before it was recorded.
ALTER TABLE orders ADD COLUMN cart_version timestamptz;
