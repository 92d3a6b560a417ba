"""WIP and aging alerts: episodes (notify once, remind, resolve), destinations, and a retrying outbox."""
