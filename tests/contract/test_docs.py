"""docs/data-contract.md shows exactly the contract that the code enforces."""

from __future__ import annotations

from mfs.contract import docs


def test_contract_doc_is_rendered_from_the_contract() -> None:
    text = docs.SECTION.doc.read_text()
    assert docs.SECTION.begin in text
    assert docs.SECTION.end in text
    assert docs.SECTION.updated(text) == text, "run `python -m mfs.contract.docs` and commit"
