-- migration 008: the script line where the check that produced a finding is
-- defined (0 / NULL for built-in checks), so the faturista and the supervisor
-- see rule, version and line.
ALTER TABLE achado ADD COLUMN linha INTEGER;
