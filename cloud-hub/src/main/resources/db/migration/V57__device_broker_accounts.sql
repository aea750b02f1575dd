-- Issue 18: device accounts on an external broker are managed by the hub (Mosquitto's dynamic
-- security). The device's MQTT password sealed under the master key, so that the hub can (re)create
-- its broker account at any time (a new broker, an account lost, a push that failed while the broker
-- was away); and the SHA-256 of the password the broker last confirmed, so that a start finds the
-- accounts the broker does not have yet. Both NULL until the device is provisioned (again).
ALTER TABLE devices ADD COLUMN mqtt_password_sealed TEXT;
ALTER TABLE devices ADD COLUMN mqtt_broker_hash TEXT;
