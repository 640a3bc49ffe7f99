"""The cache is shared by every process of the site: servers, the task worker and management commands."""

import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.servers import ROOT


def in_another_process(code, env):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"from django.core.cache import cache; {code}"],
        cwd=ROOT,
        env={"PATH": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.mark.redis
def test_redis_cache_is_seen_by_another_process():
    key, value = f"shared-{uuid.uuid4()}", str(uuid.uuid4())
    cache.set(key, value, timeout=60)

    env = {"DJANGO_SETTINGS_MODULE": "conference.settings.test", "REDIS_URL": settings.REDIS_URL}

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert in_another_process(f"print(cache.get({key!r}))", env) == value


def test_without_redis_the_cache_is_on_disk_and_shared(tmp_path):
    key, value = f"shared-{uuid.uuid4()}", str(uuid.uuid4())
    env = {"DJANGO_SETTINGS_MODULE": "conference.settings.dev", "VAR_DIR": str(tmp_path)}

    in_another_process(f"cache.set({key!r}, {value!r}, 60)", env)

    assert in_another_process(f"print(cache.get({key!r}))", env) == value
