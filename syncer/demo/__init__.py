"""The embedded demo: a reproducible backlog and the `syncer demo` working folder."""
