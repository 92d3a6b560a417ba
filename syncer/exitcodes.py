"""Process exit codes, documented in `syncer --help` and the README."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Success: everything planned was written (or nothing needed writing)."""
    WRITE_FAILURES = 1
    """The run finished but some issues could not be written; they are retried next run."""
    CONFIG = 2
    """Usage or configuration error; the message names the key and the file."""
    TRACKER_UNAVAILABLE = 3
    """A tracker or the state database could not be reached, or a tracker refused the credentials."""
    LOCKED = 4
    """Another run holds the run lock for this tracker; the message names the holder."""
    INTERRUPTED = 130
    """SIGINT (Ctrl-C): the run stopped starting writes, recorded itself as interrupted and released its lock."""
    TERMINATED = 143
    """SIGTERM (Kubernetes, systemd, docker stop): as for SIGINT. Both are the shell's 128 + signal number."""


EXIT_CODES_HELP = """\
Exit codes:
  0  success
  1  finished, but some issues could not be written (retried next run)
  2  usage or configuration error (the message names the key and the file), or
     a run held because one input is missing on most issues; nothing was written
  3  a tracker or the state database could not be reached, or credentials refused
  4  another run holds the run lock (the message names the holder)
  130, 143  stopped by SIGINT / SIGTERM: no new writes, in-flight ones finished or abandoned within 20 s,
     run recorded as interrupted, lock released; the next run finishes the work
"""
