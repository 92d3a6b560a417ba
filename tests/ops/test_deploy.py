"""deploy/ and the Dockerfile, checked against the program: valid YAML, Kubernetes objects valid against the API
schemas (kubernetes-validate bundles them), and every command, flag, config key, Secret, ConfigMap, mounted
file and environment variable they use exists."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import click
import kubernetes_validate
import pytest
import yaml
from croniter import croniter

from syncer import shutdown
from syncer.cli import main
from syncer.settings import SyncSettings, load_settings
from syncer.settings.alerts import EmailAlert, SlackAlert, WebhookAlert

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
K8S_VERSION = "1.30.0"
"""The oldest Kubernetes the manifests promise to work on (CronJob timeZone is GA since 1.27)."""


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


def _objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in _documents(path)]


def _by_kind(kind: str) -> list[dict[str, Any]]:
    return [o for o in _objects() if o["kind"] == kind]


def _secrets() -> dict[str, dict[str, str]]:
    return {s["metadata"]["name"]: s["stringData"] for s in _by_kind("Secret")}


def _configmaps() -> dict[str, dict[str, str]]:
    return {c["metadata"]["name"]: c["data"] for c in _by_kind("ConfigMap")}


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return obj["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def _workloads() -> list[dict[str, Any]]:
    return _by_kind("CronJob") + _by_kind("Deployment")


def check_invocation(args: list[str]) -> click.Command:
    """`syncer ARGS` names a real command, and every --flag it passes is one of that command's (or main's)."""
    global_opts = {o for p in main.params for o in p.opts}
    rest = list(args)
    while rest and rest[0].startswith("-"):
        flag = rest.pop(0).split("=", 1)[0]
        assert flag in global_opts, f"syncer has no option {flag}"
    assert rest and rest[0] in main.commands, f"syncer has no command {rest[:1]}"
    command = main.commands[rest[0]]
    opts = {o for p in command.params for o in p.opts} | {"--help", "-h"}
    for arg in rest[1:]:
        if arg.startswith("-"):
            assert arg.split("=", 1)[0] in opts, f"`syncer {rest[0]}` has no option {arg}"
    return command


def _value_after(args: list[str], flag: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args[:-1]) if a == flag]


def known_syncer_env() -> set[str]:
    """SYNCER_* variables the program reads besides SYNCER_<SECTION>__<KEY> overrides."""
    names = {"SYNCER_CONFIG", shutdown.GRACE_ENV}
    for param in main.params:
        if isinstance(param, click.Option) and param.envvar:
            names.add(str(param.envvar))
    return names


def check_syncer_env(names: set[str]) -> None:
    fields = set(SyncSettings.model_fields)
    for name in names:
        if not name.startswith("SYNCER_") or name in known_syncer_env():
            continue
        section = name.removeprefix("SYNCER_").split("__", 1)[0].lower()
        assert section in fields, f"{name}: syncer reads no such variable (no setting {section!r})"


def env_needed(settings: SyncSettings) -> set[str]:
    """Environment variables the configuration names for its secrets and URLs."""
    names = {t.token_env for t in settings.trackers if t.token_env}
    if settings.state.url_env:
        names.add(settings.state.url_env)
    for alert in settings.alerts:
        if isinstance(alert, SlackAlert) and alert.webhook_url_env:
            names.add(alert.webhook_url_env)
        if isinstance(alert, WebhookAlert):
            names.update(n for n in (alert.url_env, alert.secret_env) if n)
        if isinstance(alert, EmailAlert):
            names.update(n for n in (alert.host_env, alert.password_env) if n)
    return names


def load_with_env(text: str, tmp_path: Path, env: Mapping[str, str], name: str = "syncer.toml") -> SyncSettings:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return load_settings(path)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -- Kubernetes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(K8S.glob("*.yaml")), ids=lambda p: p.name)
def test_every_kubernetes_object_is_valid_against_the_api_schema(path: Path) -> None:
    docs = _documents(path)
    assert docs
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name}: {doc['kind']} {doc['metadata']['name']}: {exc.message} at {list(exc.path)}")


def test_the_validator_would_catch_a_mistake() -> None:
    cronjob = _by_kind("CronJob")[0]
    broken = yaml.safe_load(yaml.safe_dump(cronjob))
    broken["spec"]["concurrencyPolicy"] = ["Forbid"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def _container(obj: dict[str, Any]) -> dict[str, Any]:
    [container] = _pod_spec(obj)["containers"]
    return container  # type: ignore[no-any-return]


def _env(container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> dict[str, str]:
    out = {}
    for entry in container.get("env", []):
        if "value" in entry:
            out[entry["name"]] = entry["value"]
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            assert ref["name"] in secrets, f"{entry['name']}: no Secret {ref['name']!r} in deploy/kubernetes"
            assert ref["key"] in secrets[ref["name"]], f"{entry['name']}: Secret {ref['name']} has no {ref['key']}"
            out[entry["name"]] = secrets[ref["name"]][ref["key"]]
    return out


def _mounted(obj: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The volume a file path lives in, and the file's name inside it."""
    container = _container(obj)
    volumes = {v["name"]: v for v in _pod_spec(obj)["volumes"]}
    for mount in container["volumeMounts"]:
        if PurePosixPath(path).parent == PurePosixPath(mount["mountPath"]):
            return volumes[mount["name"]], PurePosixPath(path).name
    raise AssertionError(f"{path} is not in any mounted volume of {obj['metadata']['name']}")


def _workload_settings(obj: dict[str, Any], tmp_path: Path) -> tuple[SyncSettings, dict[str, str]]:
    container = _container(obj)
    env = _env(container, _secrets())
    config_volume, config_file = _mounted(obj, env["SYNCER_CONFIG"])
    configmaps = _configmaps()
    name = config_volume["configMap"]["name"]
    assert name in configmaps and config_file in configmaps[name], f"no {config_file} in ConfigMap {name}"
    return load_with_env(configmaps[name][config_file], tmp_path, env), env


@pytest.mark.parametrize("obj", _workloads(), ids=lambda o: o["metadata"]["name"])
def test_each_workload_runs_a_real_command_with_a_config_and_secrets_that_exist(
    obj: dict[str, Any], tmp_path: Path
) -> None:
    container = _container(obj)
    settings, env = _workload_settings(obj, tmp_path)
    check_invocation(container["args"])
    check_syncer_env(set(env))
    missing = env_needed(settings) - set(env)
    assert not missing, f"the config reads {sorted(missing)} but the container does not set them"
    for index, tracker in enumerate(settings.trackers):
        if tracker.token_file is not None:
            volume, key = _mounted(obj, str(tracker.token_file))
            secret = volume["secret"]["secretName"]
            assert key in _secrets()[secret], f"trackers[{index}].token_file: Secret {secret} has no key {key}"
            assert volume["secret"]["defaultMode"] & 0o040, "the token file must be readable by the pod's group"
    for tracker_name in _value_after(container["args"], "--tracker"):
        settings.tracker(tracker_name)
    pod = _pod_spec(obj)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/tmp" in mounts, "a read-only root filesystem needs a writable /tmp"
    assert str(settings.workdir).startswith(tuple(m for m in mounts if m != "/tmp")), "workdir must be writable"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    grace = float(env.get(shutdown.GRACE_ENV, shutdown.GRACE_SECONDS))
    assert pod["terminationGracePeriodSeconds"] >= grace + 10, "Kubernetes must wait out syncer's shutdown grace"


def test_one_cronjob_per_tracker_that_never_overlaps(tmp_path: Path) -> None:
    cronjobs = _by_kind("CronJob")
    synced = []
    for job in cronjobs:
        spec = job["spec"]
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["startingDeadlineSeconds"] > 0
        assert spec["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
        assert croniter.is_valid(spec["schedule"])
        args = _container(job)["args"]
        assert args[0] == "run"
        [tracker] = _value_after(args, "--tracker")
        synced.append(tracker)
    settings, _ = _workload_settings(cronjobs[0], tmp_path)
    assert sorted(synced) == sorted(t.name for t in settings.trackers), "every tracker has its CronJob"


def test_the_schedule_deployment_probes_healthz_on_the_metrics_port(tmp_path: Path) -> None:
    [deployment] = _by_kind("Deployment")
    container = _container(deployment)
    settings, _ = _workload_settings(deployment, tmp_path)
    assert container["args"][0] == "schedule" and settings.schedule is not None
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["metrics"] == settings.metrics.port
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    [service] = _by_kind("Service")
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


# -- GitHub Actions and compose --------------------------------------------------------------------------------


def test_the_github_actions_workflow(tmp_path: Path) -> None:
    workflow = yaml.safe_load((DEPLOY / "github-actions" / "syncer.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert all(croniter.is_valid(s["cron"]) for s in triggers["schedule"])
    assert workflow["concurrency"]["cancel-in-progress"] is False
    steps = workflow["jobs"]["sync"]["steps"]
    runs = [s for s in steps if str(s.get("run", "")).startswith("syncer ")]
    assert runs
    text = (DEPLOY / "github-actions" / "syncer.toml").read_text(encoding="utf-8")
    for step in runs:
        args = shlex.split(step["run"])[1:]
        check_invocation(args)
        assert _value_after(args, "--config") == [".github/syncer.toml"]
        env = {k: "placeholder" for k in step["env"]}
        check_syncer_env(set(env))
        settings = load_with_env(text, tmp_path, env)
        missing = env_needed(settings) - set(env)
        assert not missing, f"the workflow does not set {sorted(missing)}"
        for name in env_needed(settings):
            assert step["env"][name] == f"${{{{ secrets.{name} }}}}", "secrets come from repository secrets"
        cached = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache/")]
        assert {s["with"]["path"] for s in cached} == {str(settings.workdir)}, "the state is kept between runs"


def test_the_compose_file(tmp_path: Path) -> None:
    compose_dir = DEPLOY / "compose"
    compose = yaml.safe_load((compose_dir / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "pushgateway", "syncer"} <= set(services)
    syncer = services["syncer"]
    check_invocation(syncer["command"])
    assert (compose_dir / syncer["build"]["context"] / "Dockerfile").exists()
    env = {k: re.sub(r"\$\{[^}]*\}", "x", str(v)) for k, v in syncer["environment"].items()}
    check_syncer_env(set(env))
    [config_mount] = [v for v in syncer["volumes"] if v.split(":")[1] == env["SYNCER_CONFIG"]]
    source = compose_dir / config_mount.split(":")[0]
    settings = load_with_env(source.read_text(encoding="utf-8"), tmp_path, env)
    assert not env_needed(settings) - set(env)
    assert settings.state.url_env and env[settings.state.url_env].startswith("postgresql+psycopg://")
    assert settings.metrics.pushgateway_url == "http://pushgateway:9091"
    assert syncer["read_only"] is True and "/tmp" in syncer["tmpfs"]
    assert (
        syncer["stop_signal"] == "SIGTERM"
        and int(syncer["stop_grace_period"].rstrip("s")) >= shutdown.GRACE_SECONDS + 10
    )
    assert settings.schedule is not None


# -- Dockerfile ------------------------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _stages() -> Iterator[list[tuple[str, str]]]:
    stage: list[tuple[str, str]] = []
    for instruction in dockerfile():
        if instruction[0] == "FROM" and stage:
            yield stage
            stage = []
        stage.append(instruction)
    yield stage


def test_the_dockerfile_matches_the_program() -> None:
    import json

    steps = dockerfile()
    args = {rest.split("=", 1)[0]: rest.split("=", 1)[1] for word, rest in steps if word == "ARG" and "=" in rest}
    base = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base), f"base not pinned: {base}"
    stages = [s for s in _stages() if s[0][0] == "FROM"]
    assert len(stages) == 2, "multi-stage: the build stage stays behind"
    final = stages[-1]
    final_text = " ".join(rest for _, rest in final)
    for tool in ("apt-get", "gcc", "build-essential", "pip install"):
        assert tool not in final_text, f"the final image must not install {tool}"
    for word, rest in stages[0]:
        if word == "COPY" and not rest.startswith("--"):
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such path"
    get = {word: rest for word, rest in final}
    assert get["STOPSIGNAL"] == "SIGTERM"
    entrypoint, cmd = json.loads(get["ENTRYPOINT"]), json.loads(get["CMD"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert entrypoint == ["syncer"] and "syncer" in scripts
    check_invocation(cmd)
    assert get["USER"].split(":")[0] != "0" and get["USER"] != "root"
    volumes = json.loads(get["VOLUME"])
    assert {"/config", "/state"} <= set(volumes)
    workdir = get["WORKDIR"]
    assert workdir in volumes, "the working folder (state, reports) must be a volume: the root fs is read-only"
    labels = dict(re.findall(r'(org\.opencontainers\.image\.[a-z.]+)="([^"]*)"', get["LABEL"]))
    assert {
        "org.opencontainers.image.title",
        "org.opencontainers.image.version",
        "org.opencontainers.image.licenses",
    } <= set(labels)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert args["VERSION"] == project["version"]
    env = dict(re.findall(r"(\w+)=(\S+)", get["ENV"]))
    check_syncer_env(set(env))
    assert PurePosixPath(env["SYNCER_CONFIG"]).parent == PurePosixPath("/config")
    exposed = int(get["EXPOSE"])
    assert exposed == SyncSettings.model_fields["metrics"].default.port


def _docker_daemon() -> str | None:
    """Why the Docker build test cannot run here, or None when it can."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker command on this machine, so the image cannot be built here (`make docker-test` where it can)"
    if subprocess.run([docker, "info"], capture_output=True, check=False).returncode != 0:
        return "docker is installed but no daemon answers (docker info failed)"
    if os.environ.get("SYNCER_TEST_DOCKER") != "1":
        return "opt-in: building pulls the base image; run `make docker-test` (SYNCER_TEST_DOCKER=1)"
    return None


@pytest.mark.docker
def test_the_image_builds_and_runs_help_and_the_demo_read_only() -> None:
    reason = _docker_daemon()
    if reason:
        pytest.skip(reason)
    tag = "syncer:test"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=1800)
    help_ = subprocess.run(
        ["docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp", tag, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert help_.returncode == 0 and "schedule" in help_.stdout
    demo = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--read-only",
            "--tmpfs",
            "/tmp",
            "-v",
            "syncer-test-state:/state",
            tag,
            "demo",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr
