-- Separation of duties (三权分立) at the installation: an audit administrator of the installation
-- itself, who reads the installation's own audit, operation and sign-in logs (the operators'
-- actions, onboarding of deployments, operators' sign-ins), and nothing of any deployment.
--
-- An installation account (no unit, scope '!') was always an operator (platform_admin). Now it is
-- either an operator or an auditor: users_separation_of_duties already keeps one account from
-- being both, and platform_admin stays an installation role only. The log functions (0071) need
-- no change: they show the caller's scope range, and ['!', '!:') holds only installation records;
-- RLS shows such an account no unit, no case and no party (their scope codes are division codes).
ALTER TABLE app.users DROP CONSTRAINT users_operator_shape;
ALTER TABLE app.users ADD CONSTRAINT users_operator_shape CHECK (
  (tenant_id IS NULL) = (scope_code = '!')
  AND ('platform_admin' = ANY (roles)) <= (tenant_id IS NULL)
  AND (tenant_id IS NULL) <= (roles <@ ARRAY['platform_admin', 'auditor']));
