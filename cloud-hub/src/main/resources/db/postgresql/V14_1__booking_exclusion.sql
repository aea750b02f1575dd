-- PostgreSQL only: no two live bookings' occupied times overlap on one resource, however requests
-- race. btree_gist gives GiST the text equality; the range is the occupied time in epoch ms.
-- Creating the extension needs a role that may (the database owner on PostgreSQL 13 and later).
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_blocks
    ADD CONSTRAINT booking_blocks_no_overlap
    EXCLUDE USING gist (resource_id WITH =, int8range(occupied_from, occupied_until) WITH &&);
