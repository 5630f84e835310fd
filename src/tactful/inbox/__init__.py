"""The inbox: what others write to the user's accounts, brought in through the connectors
(:mod:`tactful.inbox.sync`, one reader per network in :mod:`tactful.inbox.readers`), checked
by the one pipeline and sorted (:mod:`tactful.inbox.triage`), and, for threats and
harassment, exported as a tamper-evident record (:mod:`tactful.inbox.evidence`).

Answering (reply, hide, mute, block, report) builds on :mod:`tactful.inbox.store`'s items:
an action names an item by its id and goes through the account's connector."""
