ALTER TABLE merchants DROP COLUMN require_staff_mfa;
DROP TABLE api_keys;
DROP TABLE audit_events;
DROP TABLE refresh_tokens;
DROP TABLE auth_sessions;
DROP TABLE mfa_recovery_codes;
DROP TABLE account_security;
DROP TABLE platform_operators;
