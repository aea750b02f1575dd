-- Issue 14, enrollment by one-time code. An operator asks for a code for a device; a technician types
-- it (or scans its QR) on the Pi, whose agent makes its own key pair and sends the public key with
-- the code. A code works once and until expires_at; only its SHA-256 is kept (like API tokens), so a
-- copy of the database enrolls nothing. Asking for a new code for the device deletes its unused ones.
CREATE TABLE device_enrollment_codes (
    code_hash   TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    device_id   TEXT NOT NULL REFERENCES devices (id),
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    used_from   TEXT
);
CREATE INDEX device_enrollment_codes_device ON device_enrollment_codes (tenant_id, device_id);

-- When the device last enrolled (devices.public_key, from V1, holds the key it enrolled with).
ALTER TABLE devices ADD COLUMN enrolled_at BIGINT;
