"""The engine every surface shares: a :class:`~tactful.core.post.Post` goes through text
normalisation (``text``), the detectors (``registry``) and the policy (``policy``,
``ruleset``) and comes out as a :class:`~tactful.core.findings.Report` (``checker``)."""
