"""Filters every template may use (registered as builtins in settings.TEMPLATES)."""

from django import forms
from django.template import Library

register = Library()


@register.filter
def error_link(field: forms.BoundField) -> str:
    """The element an error summary links to for ``field``: its input, or for radios and
    checkboxes the first option, which crispy-forms-gds renders as ``id_<name>_1`` (the
    GOV.UK Design System asks for the first option; no element carries the field's own id)."""
    if not isinstance(field, forms.BoundField):
        return ""  # a form with no visible field: the summary's link stays on the page
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{field.html_name}_1"
    return field.id_for_label or field.auto_id
