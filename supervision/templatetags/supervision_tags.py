from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """`{{ scores|lookup:item.pk }}`: a dict value in a template, or None."""
    if not mapping:
        return None
    return mapping.get(key)
