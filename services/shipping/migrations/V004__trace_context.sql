-- The W3C trace context of the request that created the shipment. The progression's later steps
-- run in the background, with no request of their own: their events (dispatched, delivered) carry
-- this one, so an order's trace runs from the shopper's checkout to the parcel's delivery.
ALTER TABLE shipments ADD COLUMN traceparent text NOT NULL DEFAULT '';
