-- Operator accounts, browser sessions, one-time links, login throttling and the audit log
-- (console and member portal). Portable SQL as in V1.

-- A person who runs a tenant's spaces from the console. role is a Role name; site_ids is a
-- comma-separated list of the sites the role applies to, empty for every site of the tenant.
-- password_hash is an Argon2id PHC string, NULL until an invitation is accepted.
CREATE TABLE operator_accounts (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    site_ids       TEXT NOT NULL DEFAULT '',
    password_hash  TEXT,
    totp_secret    TEXT,
    status         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (tenant_id, email)
);

-- API tokens get the same roles and site scopes as accounts; tokens made before roles existed are owners'.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'OWNER';
ALTER TABLE api_tokens ADD COLUMN site_ids TEXT NOT NULL DEFAULT '';

-- A signed-in browser: an operator (principal = operator_accounts.id) or a member (principal =
-- members.id). Only the SHA-256 of the cookie value is kept. csrf_token is sent back in every form.
-- second_factor_due is true between a password and the TOTP code of an owner who enrolled one.
CREATE TABLE web_sessions (
    id_hash            TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    kind               TEXT NOT NULL,
    principal_id       TEXT NOT NULL,
    csrf_token         TEXT NOT NULL,
    second_factor_due  BOOLEAN NOT NULL DEFAULT FALSE,
    address            TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    last_seen_at       BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL
);
CREATE INDEX web_sessions_principal ON web_sessions (tenant_id, principal_id);

-- Invitation, password reset and member sign-in links: the SHA-256 of the token, used once.
CREATE TABLE one_time_links (
    token_hash    TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    purpose       TEXT NOT NULL,
    principal_id  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT
);
CREATE INDEX one_time_links_principal ON one_time_links (tenant_id, principal_id);

-- Failed sign-ins, by key ('account:<tenant>:<email>' or 'address:<ip>'), for throttling.
CREATE TABLE login_failures (
    throttle_key  TEXT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (throttle_key, at);

-- Every administrative action, page or API: who, what, which resource, before/after (JSON), when,
-- from where.
CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    at             BIGINT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_label    TEXT NOT NULL,
    action         TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    site_id        TEXT,
    before_json    TEXT,
    after_json     TEXT,
    address        TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at, id);
CREATE INDEX audit_log_resource ON audit_log (tenant_id, resource_type, resource_id, at);
