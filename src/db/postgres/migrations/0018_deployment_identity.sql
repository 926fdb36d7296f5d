-- The deployment's identity: one id made once, when this schema is created or upgraded, and never
-- changed. Every process of one deployment (one database schema) reads the same id, and a second
-- deployment on the same host (another database or schema) has another: render work folders are
-- namespaced by it (src/render/work-dirs.ts), so a start-up sweep only ever looks at its own
-- deployment's folders.
CREATE TABLE deployment (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  id text NOT NULL CHECK (length(id) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO deployment (id) VALUES (replace(gen_random_uuid()::text, '-', ''));
