"""What each network is: its names (``platforms``), how long a post may be and how it is
counted (``length``, ``limits.yml``), how a long post becomes a thread (``threads``), and
which images it takes (``media``, ``media.yml``, ``media_fit``)."""
