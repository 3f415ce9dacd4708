-- The automatic progression (src/domain/progression.h): OrderConfirmed schedules a shipment's
-- dispatch, the dispatch schedules its delivery. next_step_at is when the next step is due; NULL
-- when nothing is scheduled. Only a shipment that can still move may have one.

ALTER TABLE shipments ADD COLUMN next_step_at timestamptz;
ALTER TABLE shipments ADD CONSTRAINT shipments_next_step_moves_check
    CHECK (next_step_at IS NULL OR status IN ('LABEL_CREATED', 'DISPATCHED'));

-- The ticker's claim walks the due shipments, most overdue first; the rest are not indexed.
CREATE INDEX shipments_next_step_idx ON shipments (next_step_at) WHERE next_step_at IS NOT NULL;
