"""Reference data carries names in both languages; show the one the user reads."""

from __future__ import annotations

from django.db.models import F, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language


def _reads_english() -> bool:
    return (get_language() or "ru").startswith("en")


def in_language(ru: str, en: str) -> str:
    """The English text for an English reader where there is one, else the Russian."""
    return (en if _reads_english() else "") or ru


def by_name() -> OrderBy:
    """Order by the name the user reads (the Russian one where no English name is known)."""
    if _reads_english():
        return Coalesce(NullIf(F("name_en"), Value("")), F("name_ru")).asc()
    return F("name_ru").asc()


class BilingualName:
    """Mixin for models with `name_ru` and `name_en`: `.name` follows the active language."""

    name_ru: str
    name_en: str

    @property
    def name(self) -> str:
        if _reads_english() and self.name_en:
            return self.name_en
        return self.name_ru

    def __str__(self) -> str:
        return self.name
