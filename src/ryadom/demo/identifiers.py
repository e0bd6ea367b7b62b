"""Taxpayer and registration numbers with correct check digits, never repeated."""

from __future__ import annotations

import random

from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn


def company_inn(rng: random.Random, region_code: str, taken: set[str]) -> str:
    """A 10-digit INN of a legal entity registered in the region, unused so far.

    Layout: 2 digits of the subject, 2 of the tax office, 5 of the serial, 1 check digit.
    """
    while True:
        body = f"{region_code}{rng.randint(1, 51):02d}{rng.randint(0, 99999):05d}"
        inn = body + stdnum_inn.calc_company_check_digit(body)
        if inn not in taken:
            taken.add(inn)
            return inn


def company_ogrn(rng: random.Random, region_code: str, year: int, taken: set[str]) -> str:
    """A 13-digit OGRN of a legal entity registered in the region in `year`, unused so far.

    Layout: 1 (a legal entity), 2 digits of the year, 2 of the subject, 2 of the tax office,
    5 of the record, 1 check digit.
    """
    while True:
        body = f"1{year % 100:02d}{region_code}{rng.randint(1, 51):02d}{rng.randint(0, 99999):05d}"
        ogrn = body + stdnum_ogrn.calc_check_digit(body + "0")
        if ogrn not in taken:
            taken.add(ogrn)
            return ogrn
