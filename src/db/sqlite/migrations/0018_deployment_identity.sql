-- The deployment's identity: one id made once, when this database is created or upgraded, and never
-- changed. Every process of one deployment (one database) reads the same id, and a second deployment
-- on the same host (another database) has another: render work folders are namespaced by it
-- (src/render/work-dirs.ts), so a start-up sweep only ever looks at its own deployment's folders.
CREATE TABLE deployment (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL CHECK (length(id) = 32),
  created_at INTEGER NOT NULL
) STRICT;
INSERT INTO deployment (singleton, id, created_at)
VALUES (1, lower(hex(randomblob(16))), CAST(unixepoch('subsec') * 1000 AS INTEGER));
