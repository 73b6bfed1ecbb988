from django import template

from branchtrack.web.rounding import percent

register = template.Library()


@register.filter
def rated_percent(row) -> object:
    """rated / assigned of a progress row, in percent, rounded half up to one decimal ("" when nothing is assigned)."""
    value = percent(row.rated, row.assigned)
    return "" if value is None else value
