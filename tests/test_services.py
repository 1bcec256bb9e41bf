"""The real servers the production configuration uses answer on loopback."""

from __future__ import annotations

import psycopg2
import pytest
import redis


@pytest.mark.services
def test_postgresql_answers() -> None:
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("select 1")
            assert cur.fetchone() == (1,)
    finally:
        conn.close()


@pytest.mark.services
def test_redis_answers() -> None:
    assert redis.Redis(host="127.0.0.1", port=6379).ping()
