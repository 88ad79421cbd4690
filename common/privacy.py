"""Masking of personal information (PIPL): show only what the reader's work needs."""


def mask_phone(phone: str) -> str:
    """138****5678 style: keep the first three and last four digits."""
    digits = (phone or "").strip()
    if not digits:
        return ""
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
