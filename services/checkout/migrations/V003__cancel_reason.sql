-- A cancel is a saga of its own (CANCELLING, then CANCELLED): the reason the shopper or operator
-- gave is kept with the order while the steps run, and for recovery should the process die.
ALTER TABLE orders ADD COLUMN cancel_reason text NOT NULL DEFAULT '';
