import subprocess
import sys

from tests.servers import ROOT, production_env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_deploy_checks_are_clean_under_production_settings():
    # Production as the README configures it: with Redis (the check does not connect to it).
    env = production_env(SECURE_SSL_REDIRECT=None, REDIS_URL="redis://127.0.0.1:6379/9")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    env = production_env(ALLOWED_HOSTS="")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
