import pytest
from tests import factories as f
from tests.browser.conftest import with_browser_password

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_scratch(care_cast, open_visit):
    dep = f.DepartmentFactory(institution=care_cast.institution_a, name="Неврология")
    with_browser_password(care_cast.relative)
    v = open_visit("en")
    v.login(care_cast.relative)
    v.go(f"/ward/{dep.institution_id}/{dep.pk}/")
    print(v.page.url)
    print(v.page.inner_html("main"))
    v.shot("ask1")
