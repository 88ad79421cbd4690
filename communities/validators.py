"""The unified social credit code (统一社会信用代码) check defined by GB 32100-2015."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters allowed (I, O, S, V and Z are excluded), in the order that gives their values.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first_17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first_17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位。"), params={"n": len(code)}, code="length")
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s。"), params={"chars": "、".join(bad)}, code="charset"
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位错误，请核对。"), code="checksum")
