-- The saga lease's fencing token. Every claim of an order's lease (its creation, then each time
-- recovery takes it over) takes the next token, and a runner's save must present the token it
-- claimed with: a runner that stalled past its lease finds its token moved on and writes nothing
-- (domain::LeaseLost), instead of confirming an order recovery has already failed.
ALTER TABLE orders ADD COLUMN lease_token bigint NOT NULL DEFAULT 1;
