"""The authentication backend: Django's, loading the signed-in user with what every page shows.

The header names the user's unit, department and branch on every page; fetching them with the user
saves a query each on every request (bench/README.md, figure 3).
"""

from django.contrib.auth.backends import ModelBackend

from org.models import User


class UserWithOrgBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("unit", "department", "branch").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
