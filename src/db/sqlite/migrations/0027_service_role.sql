-- A third role, `service`: a backend's key that acts for any wallet on seed 004's routes (the
-- wallet's user is created on first use). SQLite cannot change a CHECK in place: the table is
-- copied with the new check (foreign keys are off while migrations run) and its triggers made again.

CREATE TABLE users_0027 (
  id TEXT PRIMARY KEY NOT NULL,
  wallet_address TEXT UNIQUE,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'service')),
  prompt_points INTEGER NOT NULL DEFAULT 0 CHECK (prompt_points >= 0),
  -- Signs this user's webhook deliveries (HMAC-SHA256).
  webhook_secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  previous_webhook_secret TEXT,
  previous_webhook_secret_expires_at INTEGER
    CHECK ((previous_webhook_secret IS NULL) = (previous_webhook_secret_expires_at IS NULL))
) STRICT;

INSERT INTO users_0027 (id, wallet_address, role, prompt_points, webhook_secret, created_at,
                        previous_webhook_secret, previous_webhook_secret_expires_at)
SELECT id, wallet_address, role, prompt_points, webhook_secret, created_at,
       previous_webhook_secret, previous_webhook_secret_expires_at
FROM users;

DROP TABLE users;
-- Legacy rename: the triggers of other tables that name `users` are left as they are (and find
-- the new table by that name), as in 0009.
PRAGMA legacy_alter_table = ON;
ALTER TABLE users_0027 RENAME TO users;
PRAGMA legacy_alter_table = OFF;

CREATE TRIGGER users_changed AFTER UPDATE OF id, role, wallet_address ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN
  UPDATE key_revision SET revision = revision + 1;
END;

-- Keys cached by other processes are checked again.
UPDATE key_revision SET revision = revision + 1;
