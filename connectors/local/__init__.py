"""The local JSON tracker: a backlog file that behaves like a tracker (the embedded default)."""
