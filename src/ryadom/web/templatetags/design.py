"""The design system's pieces that templates share (docs/design.md): status tags, form
controls with the system's classes, the page header's menu, pagination."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.forms.boundfield import BoundWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Status codes of every model, whatever their app, by the tag colour a reader expects:
# waiting (yellow), moving (blue), done (green), stopped (red), over (grey).
TAG_COLOURS = {
    "yellow": {"new", "pending", "requested", "asked", "queued", "triaged", "proposed", "stale"},
    "blue": {"assigned", "scheduled", "in_progress", "running", "sending", "open", "dry_run"},
    "green": {"completed", "confirmed", "approved", "accepted", "passed", "done", "sent"},
    "red": {"failed", "rejected", "refused", "declined"},
    "purple": {"partly_accepted"},
}
COLOUR_OF = {code: colour for colour, codes in TAG_COLOURS.items() for code in codes}

# Form controls by Django's widget type: the design system's class for each.
CONTROL_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "nullbooleanselect": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "radio": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "file": "govuk-file-upload",
}


@register.simple_tag
def status_tag(obj: Any) -> SafeString:
    """The object's status as a coloured tag, its words from the model's choices."""
    colour = COLOUR_OF.get(str(obj.status), "grey")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, obj.get_status_display()
    )


@register.simple_tag
def control(field: BoundField) -> SafeString:
    """A field's widget with the design system's class, marked when it has an error."""
    css = CONTROL_CLASS.get(field.widget_type, "govuk-input")
    if field.errors and css in ("govuk-input", "govuk-textarea", "govuk-select"):
        css += f" {css}--error"
    existing = field.field.widget.attrs.get("class")
    return field.as_widget(attrs={"class": f"{existing} {css}" if existing else css})


@register.simple_tag
def option(sub: BoundWidget, css: str) -> SafeString:
    """One radio button or checkbox of a field's choices, with the given class."""
    attrs = sub.data["attrs"]
    sub.data["attrs"] = {**attrs, "class": css}
    try:
        return sub.tag(wrap_label=False)
    finally:
        sub.data["attrs"] = attrs


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist, self.name = nodelist, name

    def render(self, context: template.Context) -> str:
        context[self.name] = SafeString(self.nodelist.render(context))
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: render once, show where needed (the
    header's links appear in the phone menu and in the wide bar)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":  # noqa: PLR2004 - the tag's own syntax
        raise template.TemplateSyntaxError("usage: {% capture as name %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.inclusion_tag("web/_pagination.html", takes_context=True)
def pagination(
    context: template.Context, page: Any, label: str, param: str = "page", query: str = ""
) -> dict[str, Any]:
    """Previous and next links, page n of m, keeping the list's other parameters."""
    prefix = f"?{query}&{param}=" if query else f"?{param}="
    return {"page": page, "label": label, "prefix": prefix}


@register.filter
def labelled(row: Any, headers: Any) -> list[tuple[Any, Any]]:
    """A table row's cells with their column's header, for the card a phone shows."""
    return list(zip(headers, row, strict=False))


@register.inclusion_tag("web/_steps.html")
def steps(current: int, *names: Any) -> dict[str, Any]:
    """The step indicator of a flow: ``{% steps 2 "One" "Two" "Three" %}`` or a list."""
    if len(names) == 1 and isinstance(names[0], list | tuple):
        names = tuple(names[0])
    return {"steps": names, "step": current}
