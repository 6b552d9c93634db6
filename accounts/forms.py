from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import WeChatAccount
from .selectors import FILTERS


class AccountFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("all", _("All")), ("online", _("Online")), ("offline", _("Offline"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def cleaned(self):
        """(status, query) with defaults for anything invalid: a bad filter shows everything."""
        if not self.is_valid():
            return "all", ""
        status = self.cleaned_data.get("status") or "all"
        return (status if status in FILTERS else "all"), self.cleaned_data.get("q") or ""


class StartLoginForm(forms.Form):
    """Which account to log in again; empty for a new account. The view checks access."""

    account = forms.IntegerField(required=False, min_value=1)


class AssignmentForm(forms.Form):
    accounts = forms.ModelMultipleChoiceField(
        label=_("WeChat accounts"),
        queryset=WeChatAccount.objects.order_by("nickname", "account"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def operator_queryset():
    return get_user_model().objects.filter(is_active=True).order_by("username")
