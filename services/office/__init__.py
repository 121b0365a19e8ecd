"""The HR officer's month (issue 20), wired: importing staff files, filling the printable
reports from the read models, reminders before deadlines. Shared by the HTTP routes
(services/http/office_routes.py) and the CLI (services/cli/office.py); the pure parts live in
services/imports/ and services/reports/, the writes in services/app/.
"""
