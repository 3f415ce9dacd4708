-- The W3C trace context of the checkout request that placed the order: operators look the order up
-- in the tracing backend and in every service's logs by its trace id, and recovery drives an
-- interrupted saga on in the same trace. '' for orders placed before traces were recorded.
ALTER TABLE orders ADD COLUMN traceparent text NOT NULL DEFAULT '';
