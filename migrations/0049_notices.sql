-- Notices (通知公告), issue 12 §6: a unit publishes a notice to its subtree (every tier, or the
-- tiers it chooses); each reader acknowledges it once; the sender sees who has read it.
-- Notices are read down the tree (a unit reads its own and its ancestors' notices, like the
-- shared configuration); only the publishing unit writes them, and nobody edits one afterwards.

CREATE TABLE app.notices (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code   text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  -- The tiers it is addressed to; empty: every tier of the subtree, the sender's own included.
  levels       text[] NOT NULL DEFAULT '{}'
    CONSTRAINT notices_levels_known CHECK (levels <@ ARRAY['province', 'city', 'county', 'township', 'village']),
  created_by   uuid,
  published_at timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1
);
SELECT app.apply_config_policies('app.notices', true);
CREATE INDEX notices_published_idx ON app.notices (scope_code, published_at DESC);
GRANT SELECT, INSERT (scope_code, title, body, levels, created_by) ON app.notices TO zz_app;

-- One acknowledgement per reader. The reader writes its own (its unit, its user); the units above
-- read them (the sender sees who has read its notice).
CREATE TABLE app.notice_reads (
  notice_id   uuid NOT NULL REFERENCES app.notices (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL REFERENCES app.users (id),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  read_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notice_id, user_id)
);
ALTER TABLE app.notice_reads ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.notice_reads FORCE ROW LEVEL SECURITY;
CREATE POLICY notice_reads_read ON app.notice_reads FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY notice_reads_insert ON app.notice_reads FOR INSERT TO zz_app
  WITH CHECK (scope_code = nullif(current_setting('app.scope', true), '')
    AND user_id = nullif(current_setting('app.user_id', true), '')::uuid);
CREATE INDEX notice_reads_scope_idx ON app.notice_reads (scope_code);
GRANT SELECT, INSERT (notice_id, user_id, scope_code) ON app.notice_reads TO zz_app;
-- The notice is one of the reader's unit or of a unit above it; the user is of the reader's unit.
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF notice_id, user_id ON app.notice_reads
  FOR EACH ROW EXECUTE FUNCTION app.check_references('notice_id app.notices above scope_code',
    'user_id app.users same scope_code');
