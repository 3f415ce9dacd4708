-- Storefront's PostgreSQL bootstrap: one database, one schema and one role per service.
--
-- Each service owns its data ("database per service"): no service reads or writes another's
-- tables; it calls that service's API or consumes its events instead. Running seven PostgreSQL
-- servers on a laptop is heavy, so the services share ONE database, "storefront", and the
-- isolation comes from ownership and privileges:
--   * role <svc> owns schema <svc> and nothing else; no other role (bar the superuser) holds any
--     privilege on it, so `SELECT * FROM cart.carts` as catalog fails with
--     "permission denied for schema cart";
--   * PUBLIC has no privilege on a service schema, may not CREATE in schema public, and may not
--     even connect to the database: only the service roles are granted CONNECT;
--   * each role's search_path is its own schema, so migrations and queries use unqualified names
--     and cross-schema joins are impossible by construction. Moving a service to its own server
--     later is a dump and restore of one schema.
--
-- Run it as a superuser with psql, giving every service role's password:
--   psql -v ON_ERROR_STOP=1 -v catalog_password=... -v cart_password=... -v checkout_password=...
--        -v payments_password=... -v inventory_password=... -v shipping_password=...
--        -v accounts_password=... -f infra/postgres/init.sql
-- It is idempotent: a re-run changes nothing but the passwords (to the ones given), and restores
-- ownership and privileges if someone changed them by hand.
-- Used by infra/local/stack and by docker-compose.

\set ON_ERROR_STOP 1

-- Every password must be given: a default would be a silent hole in the isolation.
\if :{?catalog_password}   \else \warn 'init.sql: missing -v catalog_password=...'   \set missing_password 1 \endif
\if :{?cart_password}      \else \warn 'init.sql: missing -v cart_password=...'      \set missing_password 1 \endif
\if :{?checkout_password}  \else \warn 'init.sql: missing -v checkout_password=...'  \set missing_password 1 \endif
\if :{?payments_password}  \else \warn 'init.sql: missing -v payments_password=...'  \set missing_password 1 \endif
\if :{?inventory_password} \else \warn 'init.sql: missing -v inventory_password=...' \set missing_password 1 \endif
\if :{?shipping_password}  \else \warn 'init.sql: missing -v shipping_password=...'  \set missing_password 1 \endif
\if :{?accounts_password}  \else \warn 'init.sql: missing -v accounts_password=...'  \set missing_password 1 \endif
\if :{?missing_password}
DO $$ BEGIN RAISE EXCEPTION 'init.sql needs a password for every service role (psql -v <service>_password=...)'; END $$;
\endif

SELECT 'CREATE DATABASE storefront'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'storefront')
\gexec

\connect storefront
SET client_min_messages = warning;  -- no "already exists, skipping" notices on a re-run

-- The service roles, for the statements below; a temporary table vanishes with this session.
CREATE TEMPORARY TABLE service_role (
    name     text PRIMARY KEY,
    password text NOT NULL CHECK (password <> '')
);
INSERT INTO service_role (name, password) VALUES
    ('catalog',   :'catalog_password'),
    ('cart',      :'cart_password'),
    ('checkout',  :'checkout_password'),
    ('payments',  :'payments_password'),
    ('inventory', :'inventory_password'),
    ('shipping',  :'shipping_password'),
    ('accounts',  :'accounts_password');

-- Roles are cluster-wide. Create the missing ones, then set every attribute and the password on
-- each run so that a re-run converges on the same state.
SELECT format('CREATE ROLE %I', name)
  FROM service_role
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION'
              ' NOBYPASSRLS PASSWORD %L', name, password)
  FROM service_role
\gexec
SELECT format('ALTER ROLE %1$I SET search_path = %1$I', name) FROM service_role
\gexec

-- Only the service roles may connect, and nobody but the superuser may create in schema public.
REVOKE ALL ON DATABASE storefront FROM PUBLIC;
SELECT format('GRANT CONNECT ON DATABASE storefront TO %I', name) FROM service_role
\gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- One schema per service, owned by its role and closed to everyone else.
SELECT format('CREATE SCHEMA IF NOT EXISTS %1$I AUTHORIZATION %1$I', name) FROM service_role
\gexec
SELECT format('ALTER SCHEMA %1$I OWNER TO %1$I', name) FROM service_role
\gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', name) FROM service_role
\gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM %I', owner.name, other.name)
  FROM service_role AS owner, service_role AS other
 WHERE owner.name <> other.name
\gexec
