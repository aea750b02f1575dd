{
  "v": 1,
  "type": "command.ack",
  "id": "ca-cmd-20260302-0931-7f3a",
  "time": "2026-03-02T09:31:08Z",
  "payload": {
    "commandId": "cmd-20260302-0931-7f3a",
    "status": "done",
    "detail": "main-entrance unlocked for PT5S"
  }
}
