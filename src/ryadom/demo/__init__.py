"""Demo data: a repeatable country of institutions, NGOs, volunteers and veterans.

`generate` makes the bulk (small: four regions; national: all 89), `ensure_demo_accounts`
the nine accounts people sign in with. The management commands `demo_data` and
`demo_accounts` are thin wrappers around them.
"""

from __future__ import annotations

from ryadom.demo.accounts import DEMO_PASSWORD, DemoAccount, ensure_demo_accounts
from ryadom.demo.generate import generate, is_empty
from ryadom.demo.plan import DEFAULT_SEED, SCALES, Plan

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "SCALES",
    "DemoAccount",
    "Plan",
    "ensure_demo_accounts",
    "generate",
    "is_empty",
]
