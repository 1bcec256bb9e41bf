"""The erasure register: one row per `mfs forget` request, kept as parquet under
`data/privacy/` (MFS_PRIVACY_DIR) and read by every dbt build (base_privacy__erased_subjects).

The register names nobody in the clear: a subject is the SHA-256 of a customer id or of an
email trimmed and lower-cased (the same normalisation as dbt's `email_key`). It is the one
record an erasure must keep, so that the person stays excluded when the next CRM export still
carries them.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mfs import paths

REGISTER_FILE = "erasure_requests.parquet"
SUBJECT_TYPES = ("customer_id", "email")
SCHEMA = pa.schema([
    pa.field("request_id", pa.string(), nullable=False),
    pa.field("subject_type", pa.string(), nullable=False),
    pa.field("subject_sha256", pa.string(), nullable=False),
    pa.field("requested_at", pa.timestamp("us", tz="UTC"), nullable=False),
])


class ErasureRequestError(ValueError):
    """A request that cannot be recorded as given (says what was expected)."""


def register_path() -> Path:
    return paths.privacy_dir() / REGISTER_FILE


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalized_email(email: str) -> str:
    """dbt's `normalize_email`: trim spaces, lower-case."""
    return email.strip(" ").lower()


def subject_digest(subject_type: str, value: str) -> str:
    if subject_type not in SUBJECT_TYPES:
        raise ErasureRequestError(f"subject type {subject_type!r}: expected one of "
                                  f"{', '.join(SUBJECT_TYPES)}")
    text = normalized_email(value) if subject_type == "email" else value.strip()
    if not text:
        raise ErasureRequestError(f"--{subject_type.replace('_', '-')}: empty value")
    if subject_type == "email" and (text.count("@") != 1 or text.startswith("@")
                                    or "." not in text.rpartition("@")[2]):
        raise ErasureRequestError(f"--email {value!r}: expected an address like name@example.com")
    return _sha256(text)


@dataclass(frozen=True)
class ErasureRequest:
    request_id: str
    subject_type: str
    subject_sha256: str
    requested_at: datetime


def read_requests(path: Path | None = None) -> list[ErasureRequest]:
    path = path or register_path()
    if not path.exists():
        return []
    return [ErasureRequest(**row) for row in pq.read_table(path).to_pylist()]


def record_request(subject_type: str, value: str, now: datetime | None = None,
                   path: Path | None = None) -> tuple[ErasureRequest, bool]:
    """Append a request (atomically: the register is replaced, never half-written). Returns the
    request and whether it is new; asking twice for the same subject keeps the first request."""
    path = path or register_path()
    digest = subject_digest(subject_type, value)
    existing = read_requests(path)
    for request in existing:
        if (request.subject_type, request.subject_sha256) == (subject_type, digest):
            return request, False
    request = ErasureRequest(str(uuid.uuid4()), subject_type, digest, now or datetime.now(UTC))
    rows = [*existing, request]
    table = pa.Table.from_pylist([r.__dict__ for r in rows], schema=SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, staged)
    os.replace(staged, path)
    return request, True


@dataclass(frozen=True)
class Erasures:
    """The register as a test, for the last line of defence at export time."""

    id_digests: frozenset[str]
    email_digests: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None) -> Erasures:
        requests = read_requests(path)
        return cls(frozenset(r.subject_sha256 for r in requests if r.subject_type == "customer_id"),
                   frozenset(r.subject_sha256 for r in requests if r.subject_type == "email"))

    def matches(self, entity_id: str, email: object) -> bool:
        if _sha256(str(entity_id)) in self.id_digests:
            return True
        return isinstance(email, str) and _sha256(normalized_email(email)) in self.email_digests
