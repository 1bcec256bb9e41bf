"""Normalise and hash contact data the way each ad platform matches it.

A match rate of zero usually means the hashing was wrong: an uppercase letter, a trailing space
or a phone number with its '+' gives a different SHA-256 than the platform computes on its side.
Each function here implements one platform's published rule (sources in docs/audiences.md) and
returns None when there is nothing valid to send, so an empty string is never hashed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import phonenumbers

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)  # punctuation, symbols and whitespace


def sha256_hex(value: str | None) -> str | None:
    return None if not value else hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def email_basic(email: object) -> str | None:
    """Trim and lower-case; None unless it looks like local@domain (Meta, LinkedIn)."""
    text = _clean(email)
    if text is None:
        return None
    text = text.lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain or " " in text:
        return None
    return text


def email_google(email: object) -> str | None:
    """Google: trim and lower-case; for gmail.com and googlemail.com also drop every '.' before
    the '@' and any '+suffix' (`cloudy.sanfrancisco+shopping@gmail.com` ->
    `cloudysanfrancisco@gmail.com`); other domains keep their dots and plus signs."""
    text = email_basic(email)
    if text is None:
        return None
    local, _, domain = text.rpartition("@")
    if domain in GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
    return f"{local}@{domain}"


def phone_e164(phone: object, country: object) -> str | None:
    """E.164 with the leading '+', parsed with `phonenumbers`; national numbers take the
    contact's country. None if the number is not a valid one."""
    text = _clean(phone)
    if text is None:
        return None
    region = str(country).upper() if country else None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_meta(phone: object, country: object) -> str | None:
    """Meta: digits only, with the country code, no '+' and no leading zeros."""
    e164 = phone_e164(phone, country)
    return None if e164 is None else e164.lstrip("+").lstrip("0")


def name_google(name: object) -> str | None:
    """Google: trim and lower-case (accents kept, as UTF-8)."""
    text = _clean(name)
    return None if text is None else text.lower()


def name_meta(name: object) -> str | None:
    """Meta FN/LN: lower-case, no punctuation (accented letters kept, as UTF-8)."""
    text = _clean(name)
    if text is None:
        return None
    letters = _NOT_WORD.sub("", text.lower())
    letters = re.sub(r"\d", "", letters)
    return letters or None


def city_meta(city: object) -> str | None:
    """Meta CT: lower-case, no spaces or punctuation."""
    text = _clean(city)
    if text is None:
        return None
    return _NOT_WORD.sub("", text.lower()) or None


def region_meta(region: object) -> str | None:
    """Meta ST: lower-case, no spaces or punctuation (US states as their 2-letter code)."""
    return city_meta(region)


def zip_meta(postal_code: object, country: object) -> str | None:
    """Meta ZIP: lower-case, no spaces or dashes; US: the first 5 digits."""
    text = _clean(postal_code)
    if text is None:
        return None
    text = re.sub(r"[\s\-]", "", text.lower())
    if country and str(country).upper() == "US":
        digits = re.sub(r"\D", "", text)[:5]
        return digits if len(digits) == 5 else None
    return text or None


def country_lower(country: object) -> str | None:
    """ISO 3166-1 alpha-2, lower-case (Meta COUNTRY)."""
    text = _clean(country)
    if text is None or len(text) != 2 or not text.isalpha():
        return None
    return text.lower()


def country_upper(country: object) -> str | None:
    """ISO 3166-1 alpha-2, upper-case (Google Ads Country, LinkedIn country), not hashed."""
    lower = country_lower(country)
    return None if lower is None else lower.upper()


def zip_google(postal_code: object) -> str | None:
    """Google Zip: sent unhashed, trimmed."""
    return _clean(postal_code)
