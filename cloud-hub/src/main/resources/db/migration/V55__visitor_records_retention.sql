-- Issue 17 items 3 and 8 (review): a visitor's kiosk sign-ins and agreement signatures fall under the
-- visitor retention, export and erasure like the pass. Anonymising keeps the row (the visitor log
-- still says a visitor came; a signature keeps its agreement, version and both hashes as evidence)
-- and records when, so the hourly sweep touches each row once.
ALTER TABLE kiosk_sign_ins ADD COLUMN anonymised_at BIGINT;
CREATE INDEX kiosk_sign_ins_retention ON kiosk_sign_ins (occurred_at) WHERE anonymised_at IS NULL;
ALTER TABLE agreement_signatures ADD COLUMN anonymised_at BIGINT;
CREATE INDEX agreement_signatures_retention ON agreement_signatures (signed_at) WHERE anonymised_at IS NULL;
CREATE INDEX agreement_signatures_pass ON agreement_signatures (tenant_id, pass_id);

-- Host notices: FAILED is now final (the visitor log shows it and nothing tries again); a notice
-- whose last attempt failed and that is still to be tried again is RETRYING. A notice left SENDING
-- by a hub that stopped during its last allowed attempt is settled as FAILED.
UPDATE kiosk_sign_ins SET notice_state = 'RETRYING' WHERE notice_state = 'FAILED' AND notice_attempts < 10;
UPDATE kiosk_sign_ins SET notice_state = 'FAILED',
    notice_error = 'the hub stopped while sending the last of 10 attempts; not tried again'
    WHERE notice_state = 'SENDING' AND notice_attempts >= 10;
