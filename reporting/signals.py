"""Signals other apps listen to. Sent inside the transaction that changed the data, so what a
receiver writes commits or rolls back with the change itself."""
from django.dispatch import Signal

# Monthly data of a street changed in a way that may affect indicators (a save, an approval, a
# reopen). Sent with sender=MonthlyReport, street_id=<int>, period=<date: first day of the month>,
# compound_ids=<the compounds whose records changed, or None when the whole street's month did>.
monthly_data_changed = Signal()
