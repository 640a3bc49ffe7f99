"""The production profile: what `check --deploy` warns about, the processes in deploy/, and the backup script."""

import os
import shlex
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest

from tests.servers import PRODUCTION_GRANIAN_OPTIONS, ROOT, production_env

DEPLOY = ROOT / "deploy"


def deploy_check(**overrides):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT=None, **overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_redis_the_deploy_check_warns_that_the_cache_serves_one_machine_only(tmp_path):
    result = deploy_check(VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr  # a warning: one machine runs well on the disk cache
    assert "conference.W001" in result.stderr
    assert "more than one machine" in result.stderr


def test_with_redis_the_deploy_check_says_nothing_about_the_cache(tmp_path):
    result = deploy_check(VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:6379/9")

    assert result.returncode == 0, result.stderr
    assert "conference.W001" not in result.stdout + result.stderr


def test_a_pool_smaller_than_the_requests_a_process_works_on_is_warned_about(tmp_path):
    database = "postgres://nobody@127.0.0.1:1/never-connected"  # the check reads settings only

    small = deploy_check(VAR_DIR=str(tmp_path), DATABASE_URL=database, DATABASE_POOL_SIZE="9", ASGI_MAX_REQUESTS="8")
    enough = deploy_check(VAR_DIR=str(tmp_path), DATABASE_URL=database, DATABASE_POOL_SIZE="10", ASGI_MAX_REQUESTS="8")

    assert "conference.W002" in small.stderr
    assert "conference.W002" not in enough.stdout + enough.stderr


@pytest.mark.parametrize(
    ("path", "prefix"),
    [("Procfile", "web:"), ("systemd/trygg-web.service", "ExecStart=")],
)
def test_the_web_process_runs_granian_as_the_benchmarks_do(path, prefix):
    (line,) = [line for line in (DEPLOY / path).read_text().splitlines() if line.startswith(prefix)]
    command = shlex.split(line.split("&&")[-1].removeprefix(prefix))
    command = command[next(n for n, word in enumerate(command) if word.endswith("granian")) :]

    assert command[1:3] == ["--interface", "asginl"]
    assert command[-1] == "conference.asgi:application"
    after_workers = command[command.index("--workers") + 2 : -1]
    assert tuple(after_workers) == PRODUCTION_GRANIAN_OPTIONS


@pytest.mark.postgres
@pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="needs pg_dump")
def test_a_backup_restores_the_database_and_the_media_files(tmp_path):
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    names = [f"backup_test_{uuid.uuid4().hex[:8]}", f"restore_test_{uuid.uuid4().hex[:8]}"]
    media = tmp_path / "var" / "media"
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "lucia.jpg").write_bytes(b"not really a jpeg")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with psycopg.connect(f"{server}/{names[0]}", autocommit=True) as source:
                source.execute("CREATE TABLE nominee (name text)")
                source.execute("INSERT INTO nominee VALUES ('Trygghetsvärdarna i Exempelby')")
            env = {
                "PATH": os.environ["PATH"],
                "DATABASE_URL": f"{server}/{names[0]}",
                "VAR_DIR": str(tmp_path / "var"),
                "BACKUP_DIR": str(tmp_path / "backups"),
            }
            backup = subprocess.run(
                [DEPLOY / "backup.sh"], env=env, capture_output=True, text=True, timeout=120, check=False
            )
            assert backup.returncode == 0, backup.stderr
            (dump,) = (tmp_path / "backups").glob("db-*.dump")
            (tarball,) = (tmp_path / "backups").glob("media-*.tar.gz")

            restore = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={server}/{names[1]}", str(dump)]
            subprocess.run(restore, check=True, capture_output=True, timeout=120)
            subprocess.run(["tar", "-xzf", tarball, "-C", tmp_path], check=True, timeout=60)
            with psycopg.connect(f"{server}/{names[1]}") as restored:
                assert restored.execute("SELECT name FROM nominee").fetchall() == [("Trygghetsvärdarna i Exempelby",)]
            assert (tmp_path / "media" / "original_images" / "lucia.jpg").read_bytes() == b"not really a jpeg"
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
