-- NOT payments' data: the books of the simulated card processor (src/clients/simulated_card_processor.h).
--
-- A real processor keeps, on its side, what it did for each idempotency key, and answers a key it
-- has seen with its first outcome. The simulator runs inside the payments process, so it keeps
-- those books here, in a table of their own that only src/clients/ writes, each entry in a
-- transaction of its own (never in a payments transaction), so that they outlive a restart of
-- the service as a processor's would: a crash-and-restart test then finds the outcome by its key.
-- With a real gateway this table is not used.

CREATE TABLE simulated_processor_books (
    processor_key text PRIMARY KEY CHECK (length(processor_key) BETWEEN 1 AND 200),
    operation     text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
    reference     text NOT NULL,  -- the hold placed (authorize) or acted on
    amount_minor  bigint NOT NULL CHECK (amount_minor >= 0),
    currency      char(3) NOT NULL,
    result        text NOT NULL CHECK (result IN ('succeeded', 'declined')),
    decline_code  text NOT NULL DEFAULT '' CHECK ((result = 'declined') = (decline_code <> '')),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
