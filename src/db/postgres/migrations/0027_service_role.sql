-- A third role, `service`: a backend's key that acts for any wallet on seed 004's routes (the
-- wallet's user is created on first use). Only the allowed roles change.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'admin', 'service'));
