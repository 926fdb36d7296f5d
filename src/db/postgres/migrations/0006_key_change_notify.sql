-- API nodes cache who a key belongs to. Any change that could make a cached answer wrong (a key
-- revoked, re-pointed or deleted; a user's role or wallet changed, or the user deleted), whoever
-- makes it (reelqueue, the CLI on another host, an operator's SQL), tells every listening node on the
-- schema's channel, in the transaction that makes it: the notification arrives when it commits.

CREATE FUNCTION reelqueue_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('reelqueue_' || TG_TABLE_SCHEMA, 'k');
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, key_hash, prefix, user_id OR DELETE OR TRUNCATE
  ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_keys_changed();

CREATE TRIGGER users_changed AFTER UPDATE OF id, role, wallet_address OR DELETE OR TRUNCATE
  ON users FOR EACH STATEMENT EXECUTE FUNCTION reelqueue_keys_changed();
