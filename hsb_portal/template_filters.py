"""Filters and tags every template may use (registered as builtins in settings.TEMPLATES)."""

from django import forms
from django.template import Context, Library
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hsb_portal.form_roles import FIELD
from hsb_portal.http import MembershipRequest

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


@register.simple_tag(takes_context=True)
def csrf_token(context: Context) -> SafeString:
    """Django's CSRF token, and the role the form is opened in (``hsb_portal.form_roles``).
    It replaces Django's own tag, being a builtin registered after it, so that every POST form,
    crispy-forms' and hand-written ones alike, carries both."""
    token = CsrfTokenNode().render(context)
    request: MembershipRequest | None = context.get("request")
    membership = (request.form_opened_as or request.membership) if request else None
    if membership is None:
        return format_html("{}", token)
    return format_html(
        '{}<input type="hidden" name="{}" value="{}">', token, FIELD, membership.public_id
    )
