-- Signed webhooks of the open channels (issue 13 §5). An integrator's key may have webhooks:
-- URLs told of every change of status of the requests that key submitted. A change of a case's
-- status writes one delivery per active webhook of the submitting key (app.webhook_deliveries,
-- by a definer trigger, whoever changed the status: the township, or the county above it);
-- the job queue sends them signed (HMAC-SHA256 over timestamp and body, the secret kept
-- encrypted with the field cipher), retries failures with exponential backoff and keeps the
-- log, which the unit's administrators read and from which they replay a delivery.

CREATE TABLE app.webhooks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  api_key_id  uuid NOT NULL REFERENCES app.api_keys (id),
  -- https anywhere; plain http only to this machine (a receiver beside the server, tests).
  url         text NOT NULL CHECK (length(url) <= 500 AND (url ~ '^https://[^\s/?#]+'
                OR url ~ '^http://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(/[^\s]*)?$')),
  secret_enc  bytea NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_key_idx ON app.webhooks (api_key_id) WHERE active;
SELECT app.apply_config_policies('app.webhooks', false);
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF api_key_id ON app.webhooks
  FOR EACH ROW EXECUTE FUNCTION app.check_references('api_key_id app.api_keys same scope_code');
CREATE POLICY webhooks_auth ON app.webhooks FOR SELECT TO zz_auth USING (true);
GRANT SELECT ON app.webhooks TO zz_app, zz_auth;
GRANT INSERT (scope_code, api_key_id, url, secret_enc, created_by) ON app.webhooks TO zz_app;
GRANT UPDATE (url, active, version) ON app.webhooks TO zz_app;

CREATE TABLE app.webhook_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code      text COLLATE "C" NOT NULL,
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  webhook_id      uuid NOT NULL REFERENCES app.webhooks (id),
  case_id         uuid NOT NULL REFERENCES app.cases (id),
  event           text NOT NULL CHECK (event IN ('request.status_changed')),
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status     integer,
  last_error      text CHECK (length(last_error) <= 500),
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1
);
CREATE INDEX webhook_deliveries_due_idx ON app.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_hook_idx ON app.webhook_deliveries (webhook_id, created_at DESC);
CREATE INDEX webhook_deliveries_scope_idx ON app.webhook_deliveries (scope_code);
ALTER TABLE app.webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_deliveries FORCE ROW LEVEL SECURITY;
-- Read and updated (sent, replayed) within the subtree: the dispatcher acts at the deployment's
-- root; a unit's administrators replay their own. Nobody but the trigger below inserts.
CREATE POLICY webhook_deliveries_read ON app.webhook_deliveries FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY webhook_deliveries_update ON app.webhook_deliveries FOR UPDATE TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  WITH CHECK (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY webhook_deliveries_auth ON app.webhook_deliveries FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, UPDATE (status, attempts, next_attempt_at, last_status, last_error, delivered_at, version)
  ON app.webhook_deliveries TO zz_app;
GRANT SELECT, INSERT ON app.webhook_deliveries TO zz_auth;
CREATE POLICY channel_requests_auth ON app.channel_requests FOR SELECT TO zz_auth USING (true);
GRANT SELECT ON app.channel_requests TO zz_auth;

-- One delivery per active webhook of the submitting key, on every change of a case's status.
CREATE FUNCTION auth.cases_queue_webhooks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
BEGIN
  INSERT INTO app.webhook_deliveries (scope_code, webhook_id, case_id, event, payload)
  SELECT w.scope_code, w.id, NEW.id, 'request.status_changed',
    jsonb_build_object('event', 'request.status_changed', 'at', now(),
      'request', jsonb_build_object('service_request_id', NEW.id, 'code', NEW.code,
        'external_id', r.external_id, 'detailed_status', NEW.status, 'previous_status', OLD.status))
  FROM app.channel_requests r JOIN app.webhooks w ON w.api_key_id = r.api_key_id AND w.active
  WHERE r.case_id = NEW.id;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.cases_queue_webhooks() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.cases_queue_webhooks() FROM PUBLIC;
CREATE TRIGGER cases_queue_webhooks AFTER UPDATE OF status ON app.cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION auth.cases_queue_webhooks();
