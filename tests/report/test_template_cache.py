"""The report templates are compiled once and reused by later runs (jinja2's bytecode cache)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemBytecodeCache

from syncer.report import writer


def test_a_second_environment_loads_the_compiled_templates_instead_of_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    caches = {
        escape: FileSystemBytecodeCache(str(tmp_path), pattern=f"__t_{escape}_%s.cache") for escape in (False, True)
    }
    monkeypatch.setattr(writer, "BYTECODE_CACHES", caches)
    compiled: list[str] = []
    real = Environment.compile

    def counting(self: Environment, source: object, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counting)
    pairs = ((False, "report.md.j2"), (True, "report.html.j2"))
    for escape, name in pairs:
        writer._environment(escape).get_template(name)
    assert sorted(compiled) == ["report.html.j2", "report.md.j2"]
    for escape, name in pairs:  # a later run: new environments, as each run makes
        writer._environment(escape).get_template(name)
    assert sorted(compiled) == ["report.html.j2", "report.md.j2"]  # nothing compiled the second time
    assert len(list(tmp_path.iterdir())) == 2
