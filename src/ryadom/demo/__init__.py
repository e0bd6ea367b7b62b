"""Demo data: a repeatable country of institutions, NGOs, volunteers and veterans.

`generate.generate` makes the bulk (small: four regions; national: all 89),
`accounts.ensure_demo_accounts` the accounts people sign in with. The management
commands `demo_data` and `demo_accounts` are thin wrappers around them. (This package is an
installed app, so nothing is imported here: models are not ready when it loads.)
"""
