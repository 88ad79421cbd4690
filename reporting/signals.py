"""Signals other apps listen to. Sent after the transaction commits, never inside it."""
from django.dispatch import Signal

# Monthly data of a street changed in a way that may affect indicators (a save, an approval, a
# reopen). Sent with sender=MonthlyReport, street_id=<int>, period=<date: first day of the month>.
monthly_data_changed = Signal()
