"""schemathesis hooks for tests/test_schemathesis.py: CSV answers are read as text (the schema's `string`),
and an answer that is not UTF-8 with a BOM is a failure."""
import schemathesis

BOM = "\ufeff"


@schemathesis.deserializer("text/csv")
def csv_text(ctx, response):
    text = response.content.decode("utf-8")
    if not text.startswith(BOM):
        raise ValueError("CSV without a UTF-8 byte-order mark: Excel would show its Chinese garbled")
    return text
