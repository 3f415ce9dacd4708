-- The payments service's tables. Runs with search_path = payments, as the payments role,
-- which owns the payments schema and nothing else.
--
-- No column holds a card number or CVC: a payment keeps the card's brand and last four digits
-- only (src/repo/pg_payment_repository_test.cpp scans every text column to prove it).

CREATE TABLE payments (
    id                  uuid PRIMARY KEY,
    order_id            text NOT NULL CHECK (length(order_id) BETWEEN 1 AND 100),
    customer_id         text NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 100),
    status              text NOT NULL CHECK (status IN ('authorized', 'captured', 'voided', 'refunded',
                                                        'partially_refunded', 'declined', 'failed')),
    currency            char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    captured_minor      bigint NOT NULL DEFAULT 0 CHECK (captured_minor BETWEEN 0 AND amount_minor),
    refunded_minor      bigint NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND captured_minor),
    card_brand          text NOT NULL CHECK (card_brand IN ('visa', 'mastercard', 'amex', 'discover', 'unknown')),
    card_last4          char(4) NOT NULL CHECK (card_last4 ~ '^[0-9]{4}$'),
    decline_code        text NOT NULL DEFAULT '' CHECK ((status = 'declined') = (decline_code <> '')),
    processor_reference text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    captured_at         timestamptz,
    voided_at           timestamptz,
    last_refunded_at    timestamptz
);

-- ListPayments: an order's payments, newest first.
CREATE INDEX payments_order_created_idx ON payments (order_id, created_at DESC, id DESC);

-- The audit ledger: appended to, never updated.
CREATE TABLE payment_operations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id      uuid NOT NULL REFERENCES payments (id),
    kind            text NOT NULL CHECK (kind IN ('authorize', 'decline', 'authorize_failed', 'capture', 'void',
                                                  'refund')),
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    idempotency_key text NOT NULL,
    detail          text NOT NULL DEFAULT '',  -- the decline code, or the refund reason
    at              timestamptz NOT NULL
);

CREATE INDEX payment_operations_payment_idx ON payment_operations (payment_id, id);

-- One row per idempotency key and method. The primary key is what makes concurrent duplicates
-- charge once: a second INSERT of the same key waits for the first transaction, then conflicts.
-- The payment an Authorize key names is inserted later in the same transaction, hence the
-- deferred foreign key.
CREATE TABLE idempotency_keys (
    operation           text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
    idempotency_key     text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    request_fingerprint text NOT NULL CHECK (request_fingerprint ~ '^[0-9a-f]{64}$'),
    payment_id          uuid NOT NULL REFERENCES payments (id) DEFERRABLE INITIALLY DEFERRED,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (operation, idempotency_key)
);
