import os

import httpx
import pytest

from tests.servers import asgi_server, free_port, production_env


def test_health_is_ok_when_the_database_answers(client, db):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_get_only(client, db):
    assert client.post("/health").status_code == 405


def test_health_fails_when_the_database_is_down():
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nothing"
    with asgi_server(production_env(DATABASE_URL=unreachable)) as url:
        response = httpx.get(f"{url}/health", timeout=10)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}


def test_health_fails_when_redis_is_down(tmp_path):
    database = f"sqlite:///{tmp_path / 'health.sqlite3'}"
    unreachable = f"redis://127.0.0.1:{free_port()}/0"
    with asgi_server(production_env(DATABASE_URL=database, REDIS_URL=unreachable)) as url:
        response = httpx.get(f"{url}/health", timeout=10)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


@pytest.mark.postgres
@pytest.mark.redis
def test_health_is_ok_on_postgresql_and_redis(settings):
    env = production_env(DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=settings.REDIS_URL)
    with asgi_server(env) as url:
        response = httpx.get(f"{url}/health", timeout=10)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
