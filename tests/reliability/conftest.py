"""The fixtures of the reliability tests: the records each use-case starts from, borrowed from
the apps' own test fixtures so that a use-case runs here exactly as it does there."""

from tests.referrals.conftest import (  # noqa: F401  (fixtures)
    brook,
    concern_to_refer,
    dsl,
    dsl_client,
    practitioner,
    profiled,
    referrals,
    screener,
    screener_client,
    social_workers,
)
from tests.strategy.conftest import child_who_harmed, lead, lead_client  # noqa: F401
from tests.strategy.meetings.conftest import (  # noqa: F401  (fixtures)
    agencies,
    camden,
    incident,
    manager,
    manager_client,
)
