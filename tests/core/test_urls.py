from __future__ import annotations

from collections import Counter

from ryadom.config import urls


def test_no_app_is_included_twice_in_the_site_urls() -> None:
    included = Counter(
        getattr(p, "urlconf_name", None).__name__
        for p in urls.urlpatterns
        if hasattr(getattr(p, "urlconf_name", None), "__name__")
    )
    assert [name for name, n in included.items() if n > 1] == []
    assert included["ryadom.telegram.urls"] == 1
