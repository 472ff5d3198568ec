-- Notice attachments (通知公告附件), issue 12 §6: files that go with a notice, kept like case
-- materials (bytes outside the database behind the attachment store, this is the index; the type
-- recognised by content, the size limited, the digest checked on every read). Only the publishing
-- unit attaches files to its own notice. Rows are readable where the notice is (the unit's subtree
-- and the units below it); who may download is the notice's audience, which the service checks on
-- top of RLS (a tier the notice was not addressed to sees no file of it).

CREATE TABLE app.notice_attachments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  notice_id   uuid NOT NULL REFERENCES app.notices (id),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  storage_key text NOT NULL UNIQUE,
  filename    text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
  mime        text NOT NULL,
  size_bytes  integer NOT NULL CHECK (size_bytes > 0),
  sha256      text NOT NULL,
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
SELECT app.apply_config_policies('app.notice_attachments', true);
CREATE INDEX notice_attachments_notice_idx ON app.notice_attachments (notice_id, uploaded_at);
GRANT SELECT, INSERT (notice_id, storage_key, filename, mime, size_bytes, sha256, uploaded_by)
  ON app.notice_attachments TO zz_app;
-- The notice is the writer's own unit's (a unit attaches files to its own notices only).
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF notice_id ON app.notice_attachments
  FOR EACH ROW EXECUTE FUNCTION app.check_references('notice_id app.notices same scope_code');
