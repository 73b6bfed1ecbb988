"""Run by scripts/deploy_check.sh through `manage.py shell`: after load_demo, prints what the check
needs to log a visit as `staff`: the running campaign, a branch without a visit, the checklist items."""

from django.utils import timezone

from org.models import User
from supervision.models import Campaign, ChecklistItem, Visit
from supervision.selectors import visitable_branches

today = timezone.localdate()
campaign = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
staff = User.objects.get(username="staff")
visited = Visit.objects.filter(campaign=campaign).values("branch_id")
branch = visitable_branches(user=staff, campaign=campaign).exclude(pk__in=visited).order_by("pk").first()
items = ChecklistItem.objects.filter(area__template=campaign.template).order_by("pk")
print("DEPLOY_CHECK", campaign.pk, branch.pk, today.isoformat(), *(item.pk for item in items))
