"""The web console (`pbx-bridge web`): a separate process reading the call log.

One folder per resource (today, reports, calls, tickets, export, api, auth): routes parse,
authorize, call the resource's service or queries, and render; templates only display.
"""
