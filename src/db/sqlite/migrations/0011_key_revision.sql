-- API processes remember who a key belongs to (src/api/key-cache.ts) while a revision number stays
-- the same. SQLite has no notifications, so the number lives in the database: these triggers bump it
-- in the transaction of any change that could make a remembered answer wrong (a key revoked,
-- re-pointed or deleted; a user's id, role or wallet changed, or the user deleted), whichever
-- process or connection makes it (reelqueue, the CLI, an operator's sqlite3). An API process reads
-- it once per turn of its event loop and after its own writes (SqliteUserStore.keyRevision), so a
-- change made elsewhere is seen from its next turn. Not bumped by what a key check does not read:
-- points, last_used_at, labels. SQLite gives a trigger one event, hence one trigger per change.
CREATE TABLE key_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
) STRICT;
INSERT INTO key_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, key_hash, prefix, user_id ON api_keys
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

CREATE TRIGGER users_changed AFTER UPDATE OF id, role, wallet_address ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;
