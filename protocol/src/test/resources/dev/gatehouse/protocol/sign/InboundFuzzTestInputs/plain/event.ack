{
  "v": 1,
  "type": "event.ack",
  "id": "ea-20260302-0900-01",
  "time": "2026-03-02T09:00:33Z",
  "payload": {
    "eventIds": [
      "ev-edge-01-000913",
      "ev-edge-01-000914",
      "ev-edge-01-000915"
    ]
  }
}
