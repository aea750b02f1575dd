-- Issue 17 item 4: the outbox keeps an event and its deliveries for hub.webhooks.retention (30 days);
-- pruning finds an event's deliveries by the event.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
