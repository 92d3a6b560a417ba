"""Jira Cloud and Data Center connector; `sandbox` is a stateful Jira look-alike for tests and the demo."""
