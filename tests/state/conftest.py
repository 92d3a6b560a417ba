from tests.statedb import pg_url, state_url

__all__ = ["pg_url", "state_url"]
