"""Account pages under /accounts/: Django's auth views, plus sign up and log-out page.

Names are not namespaced so that ``LOGIN_URL = "login"`` and Django's own templates find them.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views


def _auth_page(route, view, name):
    """``route`` served by one of Django's auth views as it comes (templates, settings)."""
    return path(route, view.as_view(), name=name)


urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("activate/<str:uidb64>/<str:token>/", views.activate, name="activate"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    _auth_page("password/change/", auth_views.PasswordChangeView, "password_change"),
    _auth_page("password/change/done/", auth_views.PasswordChangeDoneView, "password_change_done"),
    path("password/reset/", views.password_reset, name="password_reset"),
    _auth_page("password/reset/sent/", auth_views.PasswordResetDoneView, "password_reset_done"),
    _auth_page(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView,
        "password_reset_confirm",
    ),
    _auth_page(
        "password/reset/complete/", auth_views.PasswordResetCompleteView, "password_reset_complete"
    ),
]
