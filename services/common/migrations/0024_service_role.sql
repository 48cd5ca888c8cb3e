-- The services' own PostgreSQL role: they run as `pollwatch_service` (POLLWATCH_DATABASE_ROLE),
-- never as the owner that applies migrations. It reads and writes every table, but may only
-- read and append to the audit log: no UPDATE, DELETE or TRUNCATE (the trigger of 0018 is the
-- second line, against the owner). Roles are cluster-wide, hence the existence check.
-- depends: 0023_notify

DO $$
BEGIN
    CREATE ROLE pollwatch_service NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;
-- The login that applies migrations (and runs the services) acts as the role: it must be a member.
GRANT pollwatch_service TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO pollwatch_service;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO pollwatch_service;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO pollwatch_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO pollwatch_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO pollwatch_service;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM pollwatch_service;
