"""One country from one user-given value, the same way everywhere (query parameters, options, configs).

A value is a COW state code (digits; read in ``year`` when its meaning changed, e.g. 255 is
Germany before 1945 and from 1990), an ISO3 code (any case, withdrawn codes included), or a
name the ETL's :class:`~customsnet.etl.countries.CountryResolver` knows (its names, aliases and
patterns, accents and case ignored). An unknown value is an error listing the closest known
names, so a typo never turns into an empty result.
"""

from __future__ import annotations

import difflib
import re

from customsnet.etl.countries import CountryResolver, cached_resolver, normalise_name


class UnknownCountryError(ValueError):
    """A value names no country the resolver knows (the message lists the closest matches)."""


def closest_countries(value: str, resolver: CountryResolver, limit: int = 5) -> list[str]:
    """Known countries whose names (or ISO3 codes) are closest to ``value``, as ``"Name (ISO3)"``."""
    text = normalise_name(value)
    # the resolver's own tables (same package): normalised name -> keys, and the known ISO3 keys
    names = resolver._names
    shown: list[str] = []
    candidates = difflib.get_close_matches(text, list(names), n=limit * 3, cutoff=0.5)
    if re.fullmatch(r"[A-Za-z]{2,3}", value.strip()):
        candidates = (
            difflib.get_close_matches(value.strip().upper(), list(resolver._records), n=limit, cutoff=0.3) + candidates
        )
    for candidate in candidates:
        for key in sorted(names.get(candidate, {candidate} if candidate in resolver._records else set())):
            record = resolver.record(key) or {"name": key}
            label = f"{record['name']} ({key})"
            if label not in shown:
                shown.append(label)
    return shown[:limit]


def resolve_country(
    value: object, year: int | None = None, resolver: CountryResolver | None = None, parameter: str = "country"
) -> str:
    """The ISO3 key of the country ``value`` names; :class:`UnknownCountryError` if none.

    ``parameter`` names the option or parameter in the error message.
    """
    resolver = resolver or cached_resolver()
    text = str(value).strip()
    if re.fullmatch(r"\d{1,4}", text):
        found = resolver.from_cow(text, year)
    else:
        found = resolver.from_code_or_name(text)
    if found.iso3 is not None:
        return found.iso3
    suggestions = closest_countries(text, resolver)
    hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
    raise UnknownCountryError(f"{parameter}={text!r}: {found.reason}{hint}")
