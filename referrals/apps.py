from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        # A child's referrals on the child's page, and a concern's referrals on the concern's
        # page: triage shows them without importing referrals (triage/pages.py).
        from referrals import selectors
        from triage import pages

        pages.CHILD_PAGE.append(
            lambda child, membership: {
                "referral_histories": selectors.referral_history([child], membership=membership)
            }
        )
        pages.CONCERN_PAGE.append(
            lambda concern, membership: {
                "referrals": selectors.referrals_from_concern(concern, membership)
            }
        )
