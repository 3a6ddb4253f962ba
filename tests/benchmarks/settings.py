"""The production settings, as a deployment sets them, for the benchmark.

One person stands for many here (every request of a page is the same person), so the rate
limits are raised as a deployment may (``RATE_LIMIT_REQUESTS``): the counters still count in the
database cache, with every statement that costs, but never answer 429.
"""

from hsb_portal.settings import *  # noqa: F403

RATE_LIMIT_REQUESTS = {"exports": 1_000_000, "searches": 1_000_000}
