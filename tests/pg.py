"""The PostgreSQL test leg: a database created for this run and dropped after it."""

from __future__ import annotations

import uuid

import psycopg
from sqlalchemy.engine import make_url


class PostgresLeg:
    def __init__(self, admin_url: str):
        self.admin_url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
        self.name = f"esafe_test_{uuid.uuid4().hex[:12]}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin_connection(self):
        url = self.admin_url
        return psycopg.connect(
            host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username, password=url.password,
            dbname=url.database, autocommit=True,
        )

    def create(self) -> None:
        with self._admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self._admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
