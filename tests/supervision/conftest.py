import pytest

from tests.factories import BranchFactory
from tests.supervision.factories import CampaignFactory


@pytest.fixture
def campaign(org):
    """The 2020 campaign over the whole test company, with a 3 x 3 checklist (scores 0-10, weight 1)."""
    return CampaignFactory(scope=[org.company])


@pytest.fixture
def inactive_branch(org):
    return BranchFactory(unit=org.city, code="B-OLD", name="已撤销党支部", active=False)
