"""CSV exports as they come out of real tools: `mfs validate` and `mfs build` read them with one
reader (mfs/contract/reader.py), so they give the same verdict, and a file that cannot be read
is one line naming the file, the line and the fix, never a traceback, with nothing exported."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from mfs.build.build import build
from mfs.contract.files import discover
from mfs.contract.reader import CsvDialect, CsvReadError, load_dialects, reader_sql
from mfs.contract.validate import validate_directory
from mfs.synthetic.generate import GenerateOptions, generate
from tests.builds import Built, run_build
from tests.conftest import END

pytestmark = pytest.mark.slow
MFS = str(Path(sys.executable).with_name("mfs"))
CONTACTS = "crm_contacts.csv"


@pytest.fixture(scope="module")
def csv_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small world exported as CSV (RFC 4180, UTF-8, LF), as the generator writes it."""
    root = tmp_path_factory.mktemp("csv_world")
    generate(GenerateOptions(out=root / "raw", truth_out=root / "truth", customers=300, days=60,
                             seed=5, end=END, format="csv"))
    return root / "raw"


def _records(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _write(path: Path, records: list[list[str]], *, delimiter: str = ",",
           encoding: str = "utf-8", line_end: str = "\n") -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(records)
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))


def _semicolons(path: Path) -> None:
    _write(path, _records(path), delimiter=";")


def _latin1(path: Path) -> None:
    records = _records(path)
    records[1][records[0].index("first_name")] = "Renée"
    _write(path, records, encoding="latin-1")


def _ragged(path: Path) -> None:
    records = _records(path)
    records[9] = records[9][:-1]  # line 10 of the file: one field short
    _write(path, records)


REFUSED: dict[str, tuple[Callable[[Path], None], str]] = {
    "semicolon": (_semicolons, r"crm_contacts.csv: line 1 \(the header\) has 1 field\(s\) "
                               r"separated by ',', but 14 separated by ';'.*"
                               r"`crm_contacts: \{delimiter: \";\"\}`"),
    "latin1": (_latin1, r"crm_contacts.csv: line 2 is not valid utf-8.*"
                        r"`crm_contacts: \{encoding: latin-1\}`"),
    "ragged": (_ragged, r"crm_contacts.csv: line 10 has 13 field\(s\), expected 14"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_validate_and_build_refuse_alike_with_the_line_and_the_fix(
    csv_raw: Path, tmp_path: Path, case: str
) -> None:
    spoil, expected = REFUSED[case]
    raw = shutil.copytree(csv_raw, tmp_path / "raw")
    spoil(raw / CONTACTS)

    report = validate_directory(raw)
    (violation,) = report.violations
    assert (violation.table, violation.kind) == ("crm_contacts", "unreadable_file")
    assert re.search(expected, violation.message), violation.message

    features = tmp_path / "features"
    summary = build(raw, tmp_path / "warehouse.duckdb", features, freshness="skip",
                    target_dir=tmp_path / "target")
    assert not summary.success
    assert summary.stage_failed == "schema"
    assert [f["message"] for f in summary.failing] == [violation.message]
    assert sorted(p.name for p in features.iterdir()) == ["_build.json"], "nothing exported"
    assert not (tmp_path / "warehouse.duckdb").exists(), "dbt never ran"


def test_the_cli_says_it_in_one_line_with_exit_1(csv_raw: Path, tmp_path: Path) -> None:
    raw = shutil.copytree(csv_raw, tmp_path / "raw")
    _semicolons(raw / CONTACTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFS_") or k == "MFS_NOW"}
    env["MFS_DATA_DIR"] = str(tmp_path / "data")
    for command in (["validate", str(raw)], ["build", "--raw", str(raw)]):
        proc = subprocess.run([MFS, *command], capture_output=True, text=True, timeout=600,
                              env=env)
        assert proc.returncode == 1, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert "looks ';'-delimited" in " ".join(proc.stderr.split()), proc.stderr
    assert not (tmp_path / "data" / "features" / "customer_features").exists()


@pytest.fixture(scope="module")
def dialect_build(csv_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Contacts from Excel in a European locale (semicolons, Latin-1, a name with a line break
    in quotes) declared in _csv.yml; orders as UTF-8 with a byte order mark and CRLF ends."""
    root = tmp_path_factory.mktemp("dialects")
    raw = shutil.copytree(csv_raw, root / "raw")
    contacts = _records(raw / CONTACTS)
    contacts[1][contacts[0].index("first_name")] = "Renée"
    contacts[2][contacts[0].index("job_title")] = "Head of\nGrowth; EMEA"
    _write(raw / CONTACTS, contacts, delimiter=";", encoding="latin-1")
    orders = _records(raw / "crm_orders.csv")
    _write(raw / "crm_orders.csv", orders, encoding="utf-8-sig", line_end="\r\n")
    (raw / "_csv.yml").write_text("# How our CRM's exports are written.\n"
                                  "crm_contacts:\n  delimiter: \";\"\n  encoding: latin-1\n")
    report = validate_directory(raw)
    assert report.ok, [v.message for v in report.violations]
    built = run_build(root, raw)
    assert built.summary.success, (built.summary.stage_failed, built.summary.failing,
                                   built.summary.errors)
    return built


def test_declared_dialects_read_every_row_and_value(dialect_build: Built, csv_raw: Path) -> None:
    contacts = dialect_build.frame("select * from raw.crm_contacts")
    assert len(contacts) == len(_records(csv_raw / CONTACTS)) - 1
    assert "Renée" in set(contacts["first_name"])
    assert "Head of\nGrowth; EMEA" in set(contacts["job_title"])
    orders = dialect_build.frame("select * from raw.crm_orders")
    assert list(orders.columns) == _records(csv_raw / "crm_orders.csv")[0]  # no BOM in a name
    assert len(orders) == len(_records(csv_raw / "crm_orders.csv")) - 1
    assert not orders["channel"].str.endswith("\r").any()
    staged = dialect_build.frame("select count(*) as n from stg_crm__orders")["n"][0]
    rejected = dialect_build.frame("select count(*) as n from stg_quality__rejected_rows "
                                   "where source_table = 'crm_orders'")["n"][0]
    assert staged + rejected == len(orders)


def test_the_build_reads_each_csv_exactly_as_the_validator_does(dialect_build: Built) -> None:
    """The same read_csv call, option for option: the dbt macro's (raw._files) and Python's."""
    layout = discover(dialect_build.raw)
    with duckdb.connect(str(dialect_build.warehouse), read_only=True) as con:
        readers = dict(con.execute("select table_name, reader from raw._files "
                                   "where format = 'csv'").fetchall())
        assert set(readers) == {n for n, f in layout.files.items() if f.format == "csv"}
        for table, used in readers.items():
            raw = layout.files[table]
            names = list(con.execute(f"select * from raw.{table} limit 0").df().columns)
            assert used == reader_sql(raw.path, raw.dialect, names), table
    assert layout.files["crm_contacts"].dialect == CsvDialect(delimiter=";", encoding="latin-1")


@pytest.mark.parametrize(("text", "message"), [
    ("crm_contact:\n  delimiter: ';'\n", "'crm_contact' is not a raw table"),
    ("crm_contacts:\n  delimiter: ';;'\n", "crm_contacts: delimiter: String should have at most"),
    ("crm_contacts:\n  encoding: cp1252\n", "crm_contacts: encoding: Input should be 'utf-8'"),
    ("crm_contacts:\n  separator: ';'\n", "crm_contacts: separator: Extra inputs"),
    ("- crm_contacts\n", "expected a mapping of table name to CSV settings"),
])
def test_a_wrong_dialect_file_is_named_with_what_is_allowed(tmp_path: Path, text: str,
                                                            message: str) -> None:
    (tmp_path / "_csv.yml").write_text(text)
    with pytest.raises(CsvReadError, match=r"_csv\.yml") as caught:
        load_dialects(tmp_path, ["crm_contacts", "crm_orders"])
    assert message in str(caught.value)
