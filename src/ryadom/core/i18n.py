"""Reference data carries names in both languages; show the one the user reads."""

from __future__ import annotations

from django.utils.translation import get_language


class BilingualName:
    """Mixin for models with `name_ru` and `name_en`: `.name` follows the active language."""

    name_ru: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "ru").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ru

    def __str__(self) -> str:
        return self.name
