"""Every list's date filter is the browser's date picker, never a plain text box."""

import django_filters

from branchtrack.web.discovery import app_modules


def filtersets():
    for module in app_modules("filters"):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_filters.FilterSet)
                and value.__module__ == module.__name__
            ):
                yield value


def test_every_date_filter_is_a_date_picker():
    date_filters = [
        (filterset.__name__, name)
        for filterset in filtersets()
        for name, declared in filterset.base_filters.items()
        if isinstance(declared, django_filters.DateFilter)
    ]
    assert len(date_filters) >= 10
    for filterset in filtersets():
        for name, declared in filterset.base_filters.items():
            if isinstance(declared, django_filters.DateFilter):
                html = declared.field.widget.render(name, None)
                assert 'type="date"' in html, (filterset.__name__, name, html)
