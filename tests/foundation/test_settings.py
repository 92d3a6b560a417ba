"""Configuration errors name the key and the file; environment overrides win over the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from syncer.cli import main
from syncer.settings import ConfigError, load_settings
from tests.conftest import base_config


def test_valid_config_loads(write_config, backlog_path: Path) -> None:
    settings = load_settings(write_config(backlog=backlog_path))
    assert settings.trackers[0].name == "local"
    assert settings.wip.limits == {"In Progress": 1}


def test_missing_required_key_names_key_and_file(write_config, tmp_path: Path) -> None:
    path = write_config('[[trackers]]\nname = "x"\nkind = "local"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "trackers[0].path" in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_key_is_rejected_by_name(write_config, backlog_path: Path) -> None:
    text = base_config(backlog_path) + '\n[scoring]\nmodle = "ice"\n'
    with pytest.raises(ConfigError, match=r"scoring\.modle"):
        load_settings(write_config(text))


def test_bad_kind_names_the_key(write_config) -> None:
    with pytest.raises(ConfigError, match=r"trackers\[0\]\.kind"):
        load_settings(write_config('[[trackers]]\nname = "x"\nkind = "trello"\n'))


def test_toml_syntax_error_names_file_and_line(write_config) -> None:
    path = write_config("[[trackers]\nname = 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(path) in str(err.value)
    assert "line 1" in str(err.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")


def test_duplicate_tracker_names(write_config, backlog_path: Path) -> None:
    text = base_config(backlog_path).split("[wip]")[0]
    header, tracker = text.split("[[trackers]]", 1)
    with pytest.raises(ConfigError, match="unique"):
        load_settings(write_config(header + "[[trackers]]" + tracker + "[[trackers]]" + tracker))


def test_weighted_model_without_criteria(write_config, backlog_path: Path) -> None:
    text = base_config(backlog_path) + '\n[scoring]\nmodel = "weighted"\n'
    with pytest.raises(ConfigError, match="criteria"):
        load_settings(write_config(text))


def test_environment_overrides_file(write_config, backlog_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCER_SCORING__SCOPE", "all")
    settings = load_settings(write_config(backlog=backlog_path))
    assert settings.scoring.scope == "all"


def test_config_path_from_environment(write_config, backlog_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCER_CONFIG", str(write_config(backlog=backlog_path)))
    assert load_settings().trackers[0].name == "local"


def test_token_env_missing_names_variable(write_config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    path = write_config(
        '[[trackers]]\nname = "j"\nkind = "jira"\nurl = "https://x.test"\njql = "project = X"\n'
        'token_env = "NO_SUCH_TOKEN"\n'
    )
    tracker = load_settings(path).trackers[0]
    with pytest.raises(ConfigError) as err:
        tracker.resolve_token(0, str(path))
    assert "NO_SUCH_TOKEN" in str(err.value)
    assert "trackers[0].token_env" in str(err.value)


def test_token_is_secret_in_repr(write_config) -> None:
    path = write_config(
        '[[trackers]]\nname = "j"\nkind = "jira"\nurl = "https://x.test"\njql = "project = X"\ntoken = "s3cr3t-value"\n'
    )
    settings = load_settings(path)
    assert "s3cr3t-value" not in repr(settings)
    assert "s3cr3t-value" not in str(settings.model_dump())


def test_cli_config_error_exits_2_naming_key_and_file(write_config) -> None:
    path = write_config('[[trackers]]\nname = "x"\nkind = "local"\n')
    result = CliRunner().invoke(main, ["run", "--config", str(path)])
    assert result.exit_code == 2
    assert "trackers[0].path" in result.output
    assert str(path) in result.output


def test_cli_unknown_tracker_exits_2(write_config, backlog_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "--config", str(write_config(backlog=backlog_path)), "--tracker", "nope"])
    assert result.exit_code == 2
    assert "no tracker named 'nope'" in result.output


def test_alert_error_key_has_no_kind_segment(write_config, backlog_path: Path) -> None:
    text = base_config(backlog_path) + '\n[[alerts]]\nkind = "slack"\nbogus = 1\n'
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(text))
    assert "alerts[0].bogus" in str(err.value)
