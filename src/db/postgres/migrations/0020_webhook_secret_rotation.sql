-- Webhooks signed the Standard Webhooks way (src/webhooks/signature.ts), and secret rotation.
--
-- A rotated-out secret stays valid until previous_webhook_secret_expires_at (the database clock):
-- until then deliveries carry a signature with it beside the new one, so a receiver can switch
-- secrets without dropping a delivery. Both are NULL when there is none.
ALTER TABLE users
  ADD COLUMN previous_webhook_secret text,
  ADD COLUMN previous_webhook_secret_expires_at timestamptz,
  ADD CONSTRAINT users_previous_webhook_secret_check
    CHECK ((previous_webhook_secret IS NULL) = (previous_webhook_secret_expires_at IS NULL));

-- Secrets were `whsec_` and 32 random bytes in base64url without padding; Standard Webhooks
-- libraries decode the part after `whsec_` as standard base64 and refuse `-` and `_`. The same bytes
-- in standard base64: the key does not change, only its spelling. (The legacy X-Reelqueue-Signature
-- is still keyed with the old spelling, rebuilt from the bytes.) Any other value is left as it is.
UPDATE users
SET webhook_secret = 'whsec_' || translate(substr(webhook_secret, 7), '-_', '+/') || '='
WHERE webhook_secret ~ '^whsec_[A-Za-z0-9_-]{43}$';
