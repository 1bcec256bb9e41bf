"""Each platform's normalisation and hashing on messy inputs, against published examples."""

from __future__ import annotations

import pytest

from audiences import normalize as n


def test_meta_published_examples() -> None:
    """developers.facebook.com, Custom Audiences: hashing and normalization examples."""
    assert n.sha256_hex(n.email_basic("  John_Smith@Gmail.com ")) == (
        "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f")
    assert n.sha256_hex(n.phone_meta("+1 (650) 555-1212", "US")) == (
        "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176")
    assert n.sha256_hex(n.name_meta(" Mary ")) == (
        "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec")


@pytest.mark.parametrize(("raw", "expected"), [
    ("cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"),
    ("  Cloudy.SanFrancisco+Shopping@GoogleMail.com ", "cloudysanfrancisco@googlemail.com"),
    ("jane.doe+news@example.com", "jane.doe+news@example.com"),  # other domains keep both
    ("JANE.DOE@Example.COM", "jane.doe@example.com"),
    ("not-an-email", None),
    ("   ", None),
    (None, None),
    ("+tag@gmail.com", None),  # nothing left before the '@'
])
def test_google_email_normalisation(raw: str | None, expected: str | None) -> None:
    assert n.email_google(raw) == expected


def test_meta_keeps_gmail_dots() -> None:
    assert n.email_basic("Jane.Doe+x@gmail.com") == "jane.doe+x@gmail.com"


@pytest.mark.parametrize(("phone", "country", "e164"), [
    ("(650) 555-1212", "US", "+16505551212"),
    ("+1 650-555-1212", "DE", "+16505551212"),  # international form wins over the country
    ("030 12345678", "DE", "+493012345678"),
    ("0049 30 12345678", "DE", "+493012345678"),
    ("07911 123456", "GB", "+447911123456"),
    ("06 12 34 56 78", "fr", "+33612345678"),
    ("12", "US", None),
    ("call me", "US", None),
    ("", "US", None),
])
def test_phones_become_e164_with_the_contacts_country(phone: str, country: str,
                                                      e164: str | None) -> None:
    assert n.phone_e164(phone, country) == e164
    assert n.phone_meta(phone, country) == (None if e164 is None else e164[1:])


@pytest.mark.parametrize(("raw", "google", "meta"), [
    ("  Zoë ", "zoë", "zoë"),
    ("O'Brien-Smith", "o'brien-smith", "obriensmith"),
    ("José María", "josé maría", "josémaría"),
    ("   ", None, None),
])
def test_names(raw: str, google: str | None, meta: str | None) -> None:
    assert n.name_google(raw) == google
    assert n.name_meta(raw) == meta


def test_meta_location_fields() -> None:
    assert n.city_meta(" San Francisco ") == "sanfrancisco"
    assert n.city_meta("Saint-Étienne") == "saintétienne"
    assert n.zip_meta(" 94105-1234 ", "US") == "94105"
    assert n.zip_meta("SW1A 1AA", "GB") == "sw1a1aa"
    assert n.zip_meta("941", "US") is None
    assert n.country_lower(" US ") == "us"
    assert n.country_upper("gb") == "GB"
    assert n.country_lower("USA") is None


def test_nothing_empty_is_ever_hashed() -> None:
    assert n.sha256_hex(None) is None
    assert n.sha256_hex("") is None
