"""syncer: keeps a team's backlog honestly prioritised inside Jira and Linear."""

__version__ = "0.1.0"
