"""Issue 8 §3: a configuration typo must not write to every issue.

Every test goes through the real CLI against a copy of the shipped demo backlog (193 open issues) and checks the
one thing a team would notice: whether the backlog file was touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncer.cli import main
from syncer.demo.workspace import config_dir
from tests.conftest import base_config

DEMO_BACKLOG = config_dir() / "demo-backlog.json"


@pytest.fixture
def demo_backlog(tmp_path: Path) -> Path:
    path = tmp_path / "backlog.json"
    path.write_bytes(DEMO_BACKLOG.read_bytes())
    return path


def _run(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["run", "--config", str(config), *args], env=env)


def _config(
    write_config: Callable[..., Path], backlog: Path, *, replace: tuple[str, str] = ("", ""), extra: str = ""
) -> Path:
    text = base_config(backlog)
    if replace[0]:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1])
    return write_config(text + extra)


def _comments(backlog: Path) -> int:
    return sum(len(r.get("comments") or []) for r in json.loads(backlog.read_text())["issues"])


def test_a_misspelt_input_name_is_a_config_error_and_nothing_is_written(write_config, demo_backlog: Path) -> None:
    # Measured: `raech = "Reach"` was accepted, the run exited 0 and commented "reach is missing" on 193 issues.
    before = demo_backlog.read_bytes()
    config = _config(write_config, demo_backlog, replace=('reach = "Reach"', 'raech = "Reach"'))

    result = _run(config)

    assert result.exit_code == 2, result.output
    assert "trackers[0].inputs.raech" in result.output
    assert str(config) in result.output
    assert "did you mean 'reach'?" in result.output
    assert "Traceback" not in result.output
    assert demo_backlog.read_bytes() == before


def test_an_input_mapped_to_a_field_no_record_has_stops_before_any_write(write_config, demo_backlog: Path) -> None:
    # Measured: `reach = "Rech"` (no issue has such a field) did the same, silently.
    before = demo_backlog.read_bytes()
    config = _config(write_config, demo_backlog, replace=('reach = "Reach"', 'reach = "Rech"'))

    result = _run(config, "--json")

    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["errors"][0]
    assert error["kind"] == "config"
    assert "inputs.reach = 'Rech'" in error["message"] and "did you mean 'Reach'?" in error["message"]
    assert demo_backlog.read_bytes() == before


def test_a_partial_inputs_map_names_the_unmapped_input(write_config, demo_backlog: Path) -> None:
    config = _config(write_config, demo_backlog, replace=('effort = "Effort"\n', ""))
    result = _run(config)
    assert result.exit_code == 2, result.output
    assert "trackers[0].inputs: no field configured for effort" in result.output


def _strip_effort(backlog: Path, count: int) -> None:
    data = json.loads(backlog.read_text())
    for record in data["issues"][:count]:
        record["fields"].pop("Effort", None)
    backlog.write_text(json.dumps(data), encoding="utf-8")


def test_an_input_missing_on_most_issues_holds_every_write(write_config, demo_backlog: Path) -> None:
    # The field exists (so no check before the run can object) but most issues lack it: the picture of a
    # wrong mapping. The run writes nothing, exits 2 and names the input and the mapping to check.
    _strip_effort(demo_backlog, 150)
    before = demo_backlog.read_bytes()
    config = _config(write_config, demo_backlog)

    result = _run(config, "--json")

    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert (data["fields_written"], data["comments_written"]) == (0, 0)
    message = data["errors"][0]["message"]
    assert "effort is missing or invalid on 133 of 193 open issues" in message
    assert f'trackers[0].inputs.effort = "Effort" in {config}' in message
    assert "--allow-mass-needs-input" in message and "allow_mass_needs_input" in message
    assert demo_backlog.read_bytes() == before


def test_the_guard_holds_the_other_trackers_too(write_config, demo_backlog: Path, tmp_path: Path) -> None:
    healthy = tmp_path / "healthy.json"
    healthy.write_bytes(demo_backlog.read_bytes())
    _strip_effort(demo_backlog, 150)
    second = base_config(healthy).split("[[trackers]]", 1)[1].split("[wip]")[0].replace('name = "local"', 'name = "b"')
    config = write_config(base_config(demo_backlog).replace("[wip]", f"[[trackers]]{second}[wip]"))
    before = healthy.read_bytes()

    result = _run(config, "--json")

    assert result.exit_code == 2, result.output
    assert healthy.read_bytes() == before
    assert json.loads(result.stdout)["trackers"][1]["planned_comments"] == 193  # planned, shown, not written


def test_mass_needs_input_can_be_allowed_by_flag_or_config(write_config, demo_backlog: Path) -> None:
    _strip_effort(demo_backlog, 150)
    flagged = _run(_config(write_config, demo_backlog), "--allow-mass-needs-input", "--json")
    assert flagged.exit_code == 0, flagged.output
    assert json.loads(flagged.stdout)["comments_written"] == 193

    fresh = demo_backlog.with_name("fresh.json")
    fresh.write_bytes(DEMO_BACKLOG.read_bytes())
    _strip_effort(fresh, 150)
    keyed = _config(write_config, fresh, extra="\n[safety]\nallow_mass_needs_input = true\n")
    result = _run(keyed, "--json")
    assert result.exit_code == 0, result.output
    assert _comments(fresh) >= 193


def test_a_small_backlog_with_a_few_unestimated_issues_is_not_held(write_config, backlog_path: Path) -> None:
    # 4 of 8 issues without effort: half, not more than half, and fewer than the default 5.
    data = json.loads(backlog_path.read_text())
    for record in data["issues"][:4]:
        record["fields"]["Effort"] = None
    backlog_path.write_text(json.dumps(data), encoding="utf-8")
    result = _run(write_config(backlog=backlog_path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["needs_input"] == 4


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('\n"In Review" = 0\n', "wip.limits.In Review"),
        ('\n"In Review" = -2\n', "wip.limits.In Review"),
        ("\nper_assignee = 0\n", "wip.per_assignee"),
    ],
)
def test_wip_limits_of_zero_or_less_are_config_errors(write_config, backlog_path: Path, extra: str, key: str) -> None:
    # A limit of 0 puts every in-progress item in breach and alerts on all of them.
    text = base_config(backlog_path)
    if "per_assignee" in extra:
        text += extra
    else:
        text = text.replace('limits = { "In Progress" = 1 }', 'limits = { "In Progress" = 1, ' + extra.strip() + " }")
    result = _run(write_config(text))
    assert result.exit_code == 2, result.output
    assert key in result.output and "greater than 0" in result.output


def test_per_team_limit_below_one_is_a_config_error(write_config, backlog_path: Path) -> None:
    result = _run(write_config(base_config(backlog_path) + "per_team = { ENG = -1 }\n"))
    assert result.exit_code == 2, result.output
    assert "wip.per_team.ENG" in result.output


@pytest.mark.parametrize(
    ("words", "key", "said"),
    [
        ('[scoring.words.impact]\n"Very high" = nan\n', "scoring.words.impact", "finite"),
        ('[scoring.words.confidence]\n"certain" = 150\n', "scoring.words.confidence", "from 0 to 100%"),
        ('[scoring.words.effort]\n"tiny" = 0\n', "scoring.words.effort", "greater than 0"),
        ('[scoring.words.impcat]\n"big" = 3\n', "scoring.words.impcat", "did you mean 'impact'?"),
    ],
)
def test_word_map_values_every_issue_would_fail_on_are_config_errors(
    write_config, backlog_path: Path, words: str, key: str, said: str
) -> None:
    result = _run(write_config(base_config(backlog_path) + "\n" + words))
    assert result.exit_code == 2, result.output
    assert key in result.output and said in result.output
    assert "Traceback" not in result.output


def test_nan_in_a_weighted_criterion_scale_is_a_config_error(write_config, backlog_path: Path) -> None:
    text = base_config(backlog_path).replace(
        'reach = "Reach"\nimpact = "Impact"\nconfidence = "Confidence"\neffort = "Effort"', 'value = "Reach"'
    )
    text += '\n[scoring]\nmodel = "weighted"\n[[scoring.criteria]]\nname = "value"\nweight = 1\nmin = nan\nmax = 5\n'
    result = _run(write_config(text))
    assert result.exit_code == 2, result.output
    assert "scoring.criteria[0].min" in result.output


def test_a_bad_value_from_the_environment_names_the_variable_not_the_file(write_config, backlog_path: Path) -> None:
    config = write_config(backlog=backlog_path)
    result = _run(config, env={"SYNCER_WIP__PER_ASSIGNEE": "0"})
    assert result.exit_code == 2, result.output
    assert "environment variable SYNCER_WIP__PER_ASSIGNEE" in result.output
    assert str(config) not in result.output


def test_non_json_trackers_from_the_environment_is_one_line_naming_the_variable(
    write_config, backlog_path: Path
) -> None:
    # Measured: SYNCER_TRACKERS=notjson printed a pydantic-settings traceback.
    result = _run(write_config(backlog=backlog_path), env={"SYNCER_TRACKERS": "notjson"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "environment variable SYNCER_TRACKERS" in result.output and "not valid JSON" in result.output
    assert result.output.count("\n") == 1


def test_two_trackers_on_one_local_file_is_a_config_error(write_config, backlog_path: Path) -> None:
    second = (
        base_config(backlog_path).split("[[trackers]]", 1)[1].split("[wip]")[0].replace('name = "local"', 'name = "b"')
    )
    config = write_config(base_config(backlog_path).replace("[wip]", f"[[trackers]]{second}[wip]"))
    before = backlog_path.read_bytes()
    result = _run(config)
    assert result.exit_code == 2, result.output
    assert "trackers[1].path" in result.output and "also the file of tracker 'local'" in result.output
    assert backlog_path.read_bytes() == before


def test_a_scheduled_run_held_by_the_guard_says_why_and_writes_nothing(write_config, demo_backlog: Path) -> None:
    _strip_effort(demo_backlog, 150)
    before = demo_backlog.read_bytes()
    config = _config(write_config, demo_backlog, extra='\n[schedule]\ncron = "* * * * * *"\n')
    result = CliRunner().invoke(main, ["schedule", "--config", str(config), "--max-runs", "1"])
    assert result.exit_code == 0, result.output
    assert "syncer: local: effort is missing or invalid on 133 of 193 open issues" in result.output
    assert demo_backlog.read_bytes() == before


def test_a_misspelt_input_from_the_environment_names_the_variable(write_config, backlog_path: Path) -> None:
    trackers = [{"name": "env", "kind": "local", "path": str(backlog_path), "inputs": {"raech": "Reach"}}]
    config = write_config(backlog=backlog_path)
    result = _run(config, env={"SYNCER_TRACKERS": json.dumps(trackers)})
    assert result.exit_code == 2, result.output
    assert "configuration error in environment variable SYNCER_TRACKERS: trackers[0].inputs.raech" in result.output
    assert str(config) not in result.output
