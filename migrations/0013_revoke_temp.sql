-- run-as: admin
-- 0007 revoked TEMPORARY as zz_owner, but the administrator granted it in 0001 and only the
-- grantor's revoke counts: revoke it as the administrator.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM zz_app', current_database());
END $$;
