"""docs/data-contract.md shows exactly the contract that the code enforces."""

from __future__ import annotations

from mfs.contract import docs


def test_contract_doc_is_rendered_from_the_contract() -> None:
    text = docs.DOC.read_text()
    assert docs.BEGIN in text
    assert docs.END in text
    assert docs.updated(text) == text, "run `python -m mfs.contract.docs` and commit the result"
