-- Card testing (PaymentsOptions::decline_limit): every new authorization counts its customer's
-- recent declines. A partial index holds only the declined payments, by customer and time.
CREATE INDEX payments_customer_declines_idx ON payments (customer_id, updated_at) WHERE status = 'declined';
