-- The hub's PostgreSQL database: role gongxiang_hub, database gongxiang, schema gongxiang.
-- Run once as a superuser (or a role with CREATEROLE and CREATEDB), from psql; safe to run again:
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f Deploy/postgres/setup.sql
--   psql -d postgres -c '\password gongxiang_hub'
--
-- `\password` sends only a SCRAM hash, so the password reaches neither the server log nor the process
-- list. For scripts, `-v hub_password=...` sets it here instead (visible in `ps` while psql runs).
--
-- The database belongs to the role running this script (the administrator), not to the hub: the hub
-- owns only its schema, where its migrations create and alter tables at start-up. It needs nothing else.

\set ON_ERROR_STOP on

SELECT 'CREATE ROLE gongxiang_hub LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gongxiang_hub') \gexec
-- Whatever an earlier run or an operator left, the hub's role gets no privilege beyond logging in.
ALTER ROLE gongxiang_hub LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

\if :{?hub_password}
SET password_encryption = 'scram-sha-256';
ALTER ROLE gongxiang_hub PASSWORD :'hub_password';
\endif

SELECT 'CREATE DATABASE gongxiang ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gongxiang') \gexec

-- PUBLIC gets CONNECT and TEMPORARY on every new database; here only the hub may connect, and it needs
-- no temporary tables.
REVOKE ALL ON DATABASE gongxiang FROM PUBLIC;
GRANT CONNECT ON DATABASE gongxiang TO gongxiang_hub;

\connect gongxiang

-- Nobody but the owner (the administrator) may use or create anything in public.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- Owning the schema gives the hub USAGE and CREATE there, which its migrations need, and nowhere else.
CREATE SCHEMA IF NOT EXISTS gongxiang AUTHORIZATION gongxiang_hub;
ALTER SCHEMA gongxiang OWNER TO gongxiang_hub;

-- The hub names its tables without a schema: this makes them land in, and be found in, gongxiang.
ALTER ROLE gongxiang_hub IN DATABASE gongxiang SET search_path = gongxiang;
