"""The pages' FilterSets, bound the way the pages bind them: with the user, so unit choices are scoped.

A junk filter value is a 400 in the API's error shape (the pages answer 400 too).
"""

from __future__ import annotations

import inspect
from functools import cache

from django_filters.rest_framework import DjangoFilterBackend


@cache
def _takes_user(filterset_class) -> bool:
    return "user" in inspect.signature(filterset_class.__init__).parameters


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs.pop("request", None)
        if _takes_user(self.get_filterset_class(view, queryset)):
            kwargs["user"] = request.user
        kwargs.update(getattr(view, "filterset_extra_kwargs", lambda: {})())
        return kwargs
