"""Form layout objects that keep what people typed as text.

crispy-forms renders a button's value and an ``HTML`` block as Django templates, so a child's
or an agency's name placed in one would run as template code, and come out unescaped. Use
these wherever a stored value goes into a button or a paragraph of a form.
"""

from typing import Any

from crispy_forms.utils import TEMPLATE_PACK
from crispy_forms_gds import layout
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString


class Submit(layout.Submit):  # type: ignore[misc]
    """A GOV.UK button whose words are text, escaped like any value, never a template."""

    def render(
        self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        context.update({"input": self})
        return render_to_string(self.get_template_name(template_pack), context.flatten())


class Paragraph:
    """A GOV.UK paragraph of text in a form's layout."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(
        self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        return format_html('<p class="govuk-body">{}</p>', self.text)


class Heading:
    """A GOV.UK medium heading in a form's layout (a group of fields about one child)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(
        self, form: Any, context: Any, template_pack: str = TEMPLATE_PACK, **kwargs: Any
    ) -> SafeString:
        return format_html('<h2 class="govuk-heading-m">{}</h2>', self.text)
