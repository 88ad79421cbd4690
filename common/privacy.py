"""Personal information (PIPL): show only what the reader's work needs, and never let it be searched for.

A model names its personal fields in `personal_fields`. They are masked where the reader does not
own them, and no filter, lookup, search or ordering may use them: each would give away a masked
value a character at a time (`?phone__startswith=1380`).
"""
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model


def mask_phone(phone: str) -> str:
    """138****5678 style: keep the first three and last four digits."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    """张* style: the first character (a surname, usually), the rest starred."""
    text = (name or "").strip()
    return f"{text[0]}{'*' * (len(text) - 1)}" if len(text) > 1 else "*" * len(text)


def mask_personal(field_name: str, value) -> str:
    """A personal field's value as someone outside the owning street may see it."""
    return mask_phone(value) if field_name == "phone" else mask_name(str(value or ""))


def reaches_personal_field(model: type[Model], path: str) -> bool:
    """Whether the ORM path (`committee__members__phone__startswith`) passes a personal field."""
    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup or transform after a plain field
        if field.name in getattr(current, "personal_fields", ()):
            return True
        if not field.is_relation or field.related_model is None:
            return False
        current = field.related_model
    return False
