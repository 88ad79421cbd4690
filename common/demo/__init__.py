"""Demo data for a realistic Quanzhou: areas, registry, committees, party organisations, monthly data.

Each module does one job; `runner.run` calls them in order. Rows are built in Python in chunks and
written with bulk_create, so simple-history records no history for them: that is fine for seed
data, the audit trail is for edits made by users.
"""
