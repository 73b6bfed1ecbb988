"""A list filter on a date, shown as the browser's date picker.

django-filter's DateFilter renders a plain text box by default: users typed dates in whatever form
came to mind and met "Enter a valid date". Every list's date filters use this one instead.
"""

from __future__ import annotations

import django_filters
from django import forms


class DatePickerInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The date input speaks ISO dates whatever the user's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateFilter(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DatePickerInput())
        super().__init__(*args, **kwargs)
