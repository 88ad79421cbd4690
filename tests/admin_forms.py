"""What a browser posts back for an admin form page as it was shown (for tests that replay forms)."""
from __future__ import annotations

from django.forms import MultiWidget


def form_data(form, **changes) -> dict:
    """The fields of `form` under their HTML names, with `changes` (by field name) typed in."""
    data = {}
    for name, field in form.fields.items():
        value = changes.pop(name) if name in changes else form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, MultiWidget) and not isinstance(value, (list, tuple)):
            parts = field.widget.decompress(value)
            data |= {f"{key}{suffix}": part for suffix, part in zip(field.widget.widgets_names, parts)
                     if part is not None}
        elif value is not None and value is not False:
            data[key] = "on" if value is True else value
    return {**data, **changes}


def change_page_data(context, *, inlines: bool = True) -> dict:
    """The change (or add, or revert) form of an admin page's context, with its inlines' rows as shown.

    Without `inlines`, every inline is posted with no rows: the object alone.
    """
    data = form_data(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", ()):
        formset = inline.formset
        rows = formset.initial_forms if inlines else []
        management = form_data(formset.management_form)
        management[formset.management_form.add_prefix("TOTAL_FORMS")] = len(rows)
        management[formset.management_form.add_prefix("INITIAL_FORMS")] = len(rows)
        data |= management
        for row in rows:
            data |= form_data(row)
    return data
