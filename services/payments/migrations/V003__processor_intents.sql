-- Calls to the card processor are recorded before they are made (issue 11: processor calls were
-- not idempotent). A use case commits its intent in one transaction, calls the processor outside
-- any transaction, then records the outcome (the payment's change, its ledger row, its event and
-- the intent's resolution) in another. An intent still pending after a crash is found and
-- completed by the sweeper (src/domain/payments.h, Payments::ResolveDueIntents).
--
-- A payment whose authorization has been asked for but not answered is 'pending': its row is
-- written with the authorize intent, so the order shows an authorization in progress, never none.

ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('pending', 'authorized', 'captured', 'voided', 'refunded', 'partially_refunded', 'declined',
                      'failed'));

CREATE TABLE processor_intents (
    id              uuid PRIMARY KEY,
    operation       text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
    payment_id      uuid NOT NULL REFERENCES payments (id),
    order_id        text NOT NULL CHECK (length(order_id) BETWEEN 1 AND 100),
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- What the processor is sent, derived from the operation (domain::ProcessorKey): the same
    -- operation always reaches the processor with the same key, and it acts once per key.
    processor_key   text NOT NULL CHECK (length(processor_key) BETWEEN 1 AND 200),
    -- The request's own key (idempotency_keys), also written on the ledger row of the outcome.
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    detail          text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),  -- a refund's reason
    state           text NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at      timestamptz NOT NULL,
    -- Until then the intent belongs to whoever recorded or last took it; after, the sweeper may.
    next_attempt_at timestamptz NOT NULL,
    resolved_at     timestamptz,
    last_error      text NOT NULL DEFAULT '',
    CHECK ((state = 'pending') = (resolved_at IS NULL))
);

-- One unresolved call per processor key (so one pending capture, one pending void per payment)
-- and per request.
CREATE UNIQUE INDEX processor_intents_pending_key_idx ON processor_intents (processor_key) WHERE state = 'pending';
CREATE UNIQUE INDEX processor_intents_pending_request_idx
    ON processor_intents (operation, idempotency_key) WHERE state = 'pending';
-- The sweeper's queue.
CREATE INDEX processor_intents_due_idx ON processor_intents (next_attempt_at, id) WHERE state = 'pending';
-- A replayed request finds its intent; a change finds what is still pending on its payment.
CREATE INDEX processor_intents_request_idx ON processor_intents (operation, idempotency_key, created_at DESC);
CREATE INDEX processor_intents_payment_idx ON processor_intents (payment_id) WHERE state = 'pending';
