from tests.alerts.jobs import backlog
from tests.statedb import pg_url, state_url

__all__ = ["backlog", "pg_url", "state_url"]
