-- Open channels (issue 13 §5): API keys for integrators (the 12345 hotline platform, a county
-- app) and the requests they submit.
--
-- A key belongs to one unit and holds a set of permissions (a subset of what a key may hold at
-- all, KEY_PERMISSIONS in the domain). It is shown once: only SHA-256 of its 160-bit secret is
-- stored, and the runtime role cannot even read that column; the API resolves a key through
-- auth.api_key_lookup (the key's public id → its unit, permissions and secret hash), compares
-- the secret in constant time, then records the use with auth.api_key_touch. A revoked key, or
-- one of a suspended unit, resolves to nothing.
--
-- app.channel_requests ties a case to the key that submitted it (and the integrator's own work
-- order number): the submitter reads the status of its own requests only.

CREATE TABLE app.api_keys (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code      text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  key_id          text COLLATE "C" NOT NULL CHECK (key_id ~ '^[a-z2-7]{16}$'),
  -- The channel its requests arrive by (the 12345 hotline, an app or a website, a department).
  channel         text NOT NULL CHECK (channel IN ('hotline_12345', 'online', 'department_transfer')),
  secret_hash     bytea NOT NULL CHECK (octet_length(secret_hash) = 32),
  permissions     text[] NOT NULL CHECK (cardinality(permissions) BETWEEN 1 AND 10
                    AND permissions <@ ARRAY['case.register', 'case.read', 'case.follow_up']::text[]),
  rate_per_minute integer NOT NULL DEFAULT 60 CHECK (rate_per_minute BETWEEN 1 AND 6000),
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  revoked_at      timestamptz,
  version         integer NOT NULL DEFAULT 1,
  CONSTRAINT api_keys_key_id_key UNIQUE (key_id),
  CONSTRAINT api_keys_name_unique UNIQUE (scope_code, name)
);
SELECT app.apply_config_policies('app.api_keys', false);
CREATE POLICY api_keys_auth ON app.api_keys FOR ALL TO zz_auth USING (true) WITH CHECK (true);
-- No SELECT of secret_hash for the runtime role: a leaked query cannot leak a verifier.
GRANT SELECT (id, scope_code, county_code, name, key_id, channel, permissions, rate_per_minute, created_by, created_at,
  last_used_at, revoked_at, version) ON app.api_keys TO zz_app;
GRANT INSERT (scope_code, name, key_id, channel, secret_hash, permissions, rate_per_minute, created_by) ON app.api_keys TO zz_app;
GRANT UPDATE (name, rate_per_minute, revoked_at, version) ON app.api_keys TO zz_app;
GRANT SELECT, UPDATE (last_used_at) ON app.api_keys TO zz_auth;

CREATE TABLE app.channel_requests (
  case_id     uuid PRIMARY KEY REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  api_key_id  uuid NOT NULL REFERENCES app.api_keys (id),
  -- The integrator's own number of the work order (a 12345 工单号), if it has one.
  external_id text CHECK (length(external_id) BETWEEN 1 AND 64),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT channel_requests_external_unique UNIQUE (api_key_id, external_id)
);
CREATE INDEX channel_requests_key_idx ON app.channel_requests (api_key_id, created_at DESC);
SELECT app.apply_config_policies('app.channel_requests', false);
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF case_id, api_key_id ON app.channel_requests
  FOR EACH ROW EXECUTE FUNCTION app.check_references('case_id app.cases same scope_code',
    'api_key_id app.api_keys same scope_code');
GRANT SELECT, INSERT ON app.channel_requests TO zz_app;

-- Resolves a key's public id to what the API needs to verify and scope it.
CREATE FUNCTION auth.api_key_lookup(p_key_id text)
RETURNS TABLE (id uuid, secret_hash bytea, scope_code text, tenant_id uuid, root_code text, channel text,
  permissions text[], rate_per_minute integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
  SELECT k.id, k.secret_hash, k.scope_code::text, t.id, t.root_code::text, k.channel, k.permissions,
    k.rate_per_minute
  FROM app.api_keys k JOIN app.tenants t ON t.code = k.scope_code
  WHERE k.key_id = p_key_id AND k.revoked_at IS NULL AND NOT auth.scope_blocked(k.scope_code)
$$;

-- Records the use of a key whose secret the API has just verified (the hash must match again),
-- at most every 5 seconds.
CREATE FUNCTION auth.api_key_touch(p_id uuid, p_secret_hash bytea) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
  UPDATE app.api_keys SET last_used_at = now()
  WHERE id = p_id AND secret_hash = p_secret_hash AND revoked_at IS NULL
    AND (last_used_at IS NULL OR last_used_at < now() - interval '5 seconds')
$$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['auth.api_key_lookup(text)', 'auth.api_key_touch(uuid, bytea)'] LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f);
  END LOOP;
END $$;
