-- Issue 17 item 2: what a kiosk sign-in carried beside the visit: the visitor agreement signed with it
-- and the Wi-Fi voucher handed out with it (event.kiosk's signature and voucher). The signature as the
-- edge sent it is kept here, whatever the agreement store made of it: signature_id names the row of
-- agreement_signatures it was recorded as, signature_refused why it was not (a version or hash this
-- hub never published); the visitor signed it either way. Likewise the voucher: wifi_voucher_id as
-- sent, voucher_refused when the pool could not mark it issued.
ALTER TABLE kiosk_sign_ins ADD COLUMN agreement_id TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN agreement_version INTEGER;
ALTER TABLE kiosk_sign_ins ADD COLUMN agreement_sha256 TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN rendered_sha256 TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN signer_name TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN signature_id TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN signature_refused TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN wifi_voucher_id TEXT;
ALTER TABLE kiosk_sign_ins ADD COLUMN voucher_refused TEXT;
