"""Cursor pagination: a page costs the same at row 10 and at row 500,000 (no OFFSET, no COUNT)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"

    def get_ordering(self, request, queryset, view):
        # Each view names its order; the cursor needs it unique and stable, so it ends on the key.
        return getattr(view, "cursor_ordering", self.ordering)
