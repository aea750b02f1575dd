-- Issue 15 item 8: a room's A/V state names the doors that lead into it (device.state rooms[].doors),
-- a JSON array of door ids. By them the day view finds the room's bookable resource when the edge's
-- room id is not the resource's id (an edge configured before its rooms were made bookable).
ALTER TABLE room_states ADD COLUMN doors TEXT NOT NULL DEFAULT '[]';
