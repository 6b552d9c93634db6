"""@-mentions in a group message (groupAt, E-37): which members a text mentions, in text order."""

from django.utils.translation import gettext_lazy as _

from .models import Group, GroupMember

# WeChat's own convention for "@everyone" (the seed does not document it); owners only.
AT_ALL_WXID = "notify@all"
AT_ALL_NAME = "所有人"
AT_ALL_LABEL = _("Everyone")


def candidates(group):
    """Members one can mention, as (wxid, name) pairs, sorted by name; "@all" first for the owner."""
    members = GroupMember.objects.filter(group=group, removed_at__isnull=True).exclude(
        username__in=group.account.identifiers()
    )
    pairs = sorted(((m.username, m.mention_name, m) for m in members), key=lambda p: p[1])
    return pairs


def resolve(*, account, group_number, text, wxids):
    """[(wxid, name)] of the picked members whose "@name" is still in the text, ordered by where
    it appears. Unknown wxids (not current members of the account's group) are dropped; "@所有人"
    counts only when the account owns the group."""
    wanted = [w.strip() for w in wxids if w.strip()]
    if not wanted or not text:
        return []
    group = Group.objects.filter(account=account, number=group_number).first()
    if group is None:
        return []
    names = {
        m.username: m.mention_name
        for m in GroupMember.objects.filter(group=group, removed_at__isnull=True, username__in=wanted)
    }
    if AT_ALL_WXID in wanted and group.is_owned_by(account):
        names[AT_ALL_WXID] = AT_ALL_NAME
    found = []
    for wxid in dict.fromkeys(wanted):
        name = names.get(wxid)
        if not name:
            continue
        position = text.find(f"@{name}")
        if position >= 0:
            found.append((position, wxid, name))
    return [(wxid, name) for _, wxid, name in sorted(found)]
