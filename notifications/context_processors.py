from . import selectors


def unread_notifications(request):
    """The bell's count in the layout: one COUNT for a signed-in user, nothing otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_count(user=user)}
