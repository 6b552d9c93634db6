from django import forms
from django.utils.translation import gettext_lazy as _

MAX_NOTICE = 2000


class GroupFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.BooleanField(label=_("I am owner"), required=False)
    saved = forms.BooleanField(label=_("Saved to contacts"), required=False)
    left = forms.BooleanField(label=_("Show groups left"), required=False)

    def cleaned(self):
        if not self.is_valid():
            return {"q": "", "owner": False, "saved": False, "left": False}
        return {**self.cleaned_data, "q": self.cleaned_data["q"].strip()}


class MemberFilterForm(forms.Form):
    mq = forms.CharField(label=_("Search members"), required=False, max_length=100)


class FriendPickForm(forms.Form):
    """Friends picked by their primary keys; the view limits them to the account's friends."""

    members = forms.TypedMultipleChoiceField(label=_("Friends"), coerce=int, required=False)

    def __init__(self, *args, friends, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(f.pk, str(f)) for f in friends]


class CreateGroupForm(FriendPickForm):
    name = forms.CharField(label=_("Group name"), max_length=100)

    def clean_members(self):
        members = self.cleaned_data["members"]
        if len(members) < 2:
            raise forms.ValidationError(_("Pick at least two friends: WeChat needs three people for a group."))
        return members


class AddMembersForm(FriendPickForm):
    def clean_members(self):
        members = self.cleaned_data["members"]
        if not members:
            raise forms.ValidationError(_("Pick at least one friend."))
        return members


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=100)


class NoticeForm(forms.Form):
    notice = forms.CharField(
        label=_("Announcement"), max_length=MAX_NOTICE, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


class AutoJoinForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=(("1", _("On")), ("0", _("Off"))), coerce=lambda v: v == "1", label=_("Join groups automatically")
    )
    next = forms.CharField(required=False, max_length=500)
