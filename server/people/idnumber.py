"""公民身份号码 (GB 11643-1999): 6-digit area code, 8-digit birth date, 3-digit
sequence (odd for men), and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import operator
import re
from datetime import date

_SHAPE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(first17: str) -> str:
    return _CHECK[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


def problem(value: str) -> str | None:
    """Why ``value`` is not a well-formed ID number, or None when it is."""
    if not _SHAPE.match(value):
        return "must be 17 digits followed by a digit or X"
    if birth_date(value) is None:
        return "holds no valid birth date"
    if check_char(value[:17]) != value[17]:
        return "check character does not match"
    return None


def birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def sex(value: str) -> str:
    return "M" if int(value[16]) % 2 else "F"


def make(area: str, born: date, seq: int, sex_code: str) -> str:
    """Build a well-formed number (demo data and tests)."""
    seq = seq % 500 * 2 + (1 if sex_code == "M" else 0)
    if seq == 0:
        seq = 2
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(value: str) -> str:
    """Area code and last four kept; the birth date and sequence hidden."""
    return value[:6] + "*" * 8 + value[-4:]
