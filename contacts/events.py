"""Handlers for friend, label and lookup callbacks (C3, C6, C7, C8, C9, C12, C17, C18).

Idempotent by the unique constraints on (account, username) and (account, label_id): a
repeated delivery finds its rows already there and reports a duplicate when nothing changed.
"""

import uuid
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.events import account_for
from contacts.models import ContactLookup, Friend, FriendInvite, FriendRequest, FriendSync, Label, LabelRename
from provider.callbacks.events import DUPLICATE, PROCESSED, EventError, LabelRecord, UnknownAccount

FRIEND_PAGE_FIELDS = [
    "wxid",
    "nickname",
    "remark",
    "avatar_url",
    "sex",
    "area",
    "description",
    "do_not_disturb",
    "v1",
    "last_sync_id",
    "removed_at",
    "updated_at",
]


def _friend_query(account, username):
    return Friend.objects.filter(account=account).filter(Q(username=username) | Q(wxid=username))


def _apply(instance, values):
    """Set changed attributes; return the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


# --- C12 friend list ----------------------------------------------------------------------------


def _sync_for(account, request_id):
    """The FriendSync a page belongs to, locked; created when the page arrives first."""
    locked = FriendSync.objects.select_for_update()
    if not request_id:
        running = locked.filter(account=account, status=FriendSync.Status.RUNNING).order_by("-started_at").first()
        if running is not None:
            return running
        request_id = uuid.uuid4().hex
    sync = locked.filter(request_id=request_id).first()
    if sync is None:
        try:
            with transaction.atomic():
                sync = FriendSync.objects.create(account=account, request_id=request_id)
        except IntegrityError:  # the twin page created it meanwhile
            sync = locked.get(request_id=request_id)
    if sync.account_id != account.pk:
        raise EventError(f"friend sync {request_id} belongs to another account")
    return sync


def handle_friend_page(event):
    """C12: upsert a page of friends; the sync is done when received >= total (E-42).

    Pages may come twice or out of order: each page is counted once, by its number. When the
    sync completes, friends not seen in it are marked removed (never deleted).
    """
    account = account_for(event.my_account)
    sync = _sync_for(account, event.request_id)
    page_key = str(event.page)
    if page_key in sync.pages:
        return DUPLICATE
    now = timezone.now()
    by_username = {}
    for record in event.friends:
        by_username[record.username] = record  # one row per username: ON CONFLICT can't hit a row twice
    friends = [
        Friend(
            account=account,
            username=record.username,
            wxid=record.wxid[:128],
            nickname=record.nickname[:255],
            remark=record.remark[:255],
            avatar_url=record.avatar_url[:1000],
            sex=record.sex if record.sex in (0, 1, 2) else 0,
            area=record.area[:255],
            description=record.description,
            do_not_disturb=record.do_not_disturb,
            v1=record.v1[:255],
            last_sync_id=sync.request_id,
            removed_at=None,
        )
        for record in by_username.values()
    ]
    if friends:
        Friend.objects.bulk_create(
            friends,
            update_conflicts=True,
            unique_fields=["account", "username"],
            update_fields=FRIEND_PAGE_FIELDS,
        )
        if any(record.label_ids for record in by_username.values()):
            _set_page_labels(account, friends, by_username)

    sync.pages = {**sync.pages, page_key: len(by_username)}
    sync.received = sum(sync.pages.values())
    if event.total is not None:
        sync.total = event.total
    fields = ["pages", "received", "total", "updated_at"]
    if sync.total is not None and sync.received >= sync.total and sync.status != FriendSync.Status.DONE:
        sync.status = FriendSync.Status.DONE
        sync.finished_at = now
        fields += ["status", "finished_at"]
        Friend.objects.filter(account=account, removed_at__isnull=True).exclude(last_sync_id=sync.request_id).update(
            removed_at=now, updated_at=now
        )
    sync.save(update_fields=fields)
    return PROCESSED


def _set_page_labels(account, friends, by_username):
    """The page's `tag` lists replace these friends' labels.

    A label id we do not know yet gets a placeholder row named by its id; the label list (C9,
    asked for before every sync) gives it its name.
    """
    wanted = {label_id for record in by_username.values() for label_id in record.label_ids}
    labels = dict(Label.objects.filter(account=account, label_id__in=wanted).values_list("label_id", "pk"))
    if wanted - set(labels):
        Label.objects.bulk_create(
            [Label(account=account, label_id=i, name=str(i)) for i in wanted - set(labels)], ignore_conflicts=True
        )
        labels = dict(Label.objects.filter(account=account, label_id__in=wanted).values_list("label_id", "pk"))
    if any(friend.pk is None for friend in friends):
        ids = dict(Friend.objects.filter(account=account, username__in=list(by_username)).values_list("username", "pk"))
        for friend in friends:
            friend.pk = ids.get(friend.username)
    through = Friend.labels.through
    through.objects.filter(friend_id__in=[friend.pk for friend in friends]).delete()
    through.objects.bulk_create(
        [
            through(friend_id=friend.pk, label_id=labels[label_id])
            for friend in friends
            for label_id in by_username[friend.username].label_ids
            if label_id in labels
        ],
        ignore_conflicts=True,
    )


# --- C3, C6, C7 ---------------------------------------------------------------------------------


def handle_friend_added(event):
    """C3 (E-43): the friendship exists; a removed friend comes back; a pending request is accepted."""
    account = account_for(event.my_account)
    if not event.username:
        raise EventError("friend_added without the friend's account")
    values = {"removed_at": None}
    for name, value in (
        ("nickname", event.nickname[:255]),
        ("avatar_url", event.avatar_url[:1000]),
        ("area", event.area[:255]),
        ("v1", event.v1[:255]),
    ):
        if value:
            values[name] = value
    if event.sex in (1, 2):
        values["sex"] = event.sex
    friend, created = Friend.objects.get_or_create(account=account, username=event.username, defaults=values)
    changed = [] if created else _apply(friend, values)
    if changed:
        friend.save(update_fields=[*changed, "updated_at"])
    accepted = FriendRequest.objects.filter(
        account=account, username=event.username, status=FriendRequest.Status.PENDING
    ).update(status=FriendRequest.Status.ACCEPTED)
    return PROCESSED if created or changed or accepted else DUPLICATE


def handle_friend_request(event):
    """C6 (E-15): an incoming request, one row per applicant; a repeat updates it."""
    account = account_for(event.my_account)
    if not event.username:
        raise EventError("friend_request without the applicant's account")
    values = {
        "wxid": event.wxid[:128],
        "nickname": event.nickname[:255],
        "avatar_url": event.avatar_url[:1000],
        "greeting": event.greeting,
        "source": event.source[:255],
        "referrer_nickname": event.referrer_nickname[:255],
        "referrer_account": event.referrer_account[:128],
        "source_group": event.source_group[:128],
        "ticket": event.ticket[:500],
        "sex": event.sex if event.sex in (0, 1, 2) else 0,
    }
    request, created = FriendRequest.objects.get_or_create(
        account=account, username=event.username, defaults={**values, "status": FriendRequest.Status.PENDING}
    )
    if created:
        return PROCESSED
    changed = _apply(request, values)
    if changed:
        # A changed request is a new request from the same person: it waits again.
        request.status = FriendRequest.Status.PENDING
        request.requested_at = timezone.now()
        request.save(update_fields=[*changed, "status", "requested_at", "updated_at"])
        return PROCESSED
    return DUPLICATE


def handle_friend_deleted(event):
    """C7 (E-16): the friend is marked removed; the conversation and its messages stay."""
    account = account_for(event.my_account)
    if not event.username:
        raise EventError("friend_deleted without the friend's account")
    now = timezone.now()
    updated = (
        _friend_query(account, event.username).filter(removed_at__isnull=True).update(removed_at=now, updated_at=now)
    )
    return PROCESSED if updated else DUPLICATE


# --- C8 lookup ----------------------------------------------------------------------------------


def handle_contact_info(event):
    """C8: the newGetWacatInfo answer, stored on the lookup with the same `extend`."""
    account = account_for(event.my_account)
    result = {
        "account": event.account,
        "account_alias": event.account_alias,
        "nickname": event.nickname,
        "sex": event.sex,
        "area": event.area,
        "avatar_url": event.avatar_url,
    }
    # Without an echoed extend, one lookup per (account, looked-up account) keeps it idempotent.
    extend = (event.extend or f"auto:{account.pk}:{event.account}")[:64]
    lookup, created = ContactLookup.objects.get_or_create(
        extend=extend, defaults={"account": account, "query": event.account[:128]}
    )
    if not created and lookup.result == result:
        return DUPLICATE
    lookup.result = result
    lookup.answered_at = timezone.now()
    lookup.save(update_fields=["result", "answered_at"])
    return PROCESSED


# --- labels (C9, C17, C18 delLable) -------------------------------------------------------------


def _upsert_labels(account, records):
    labels = {record.label_id: record for record in records}
    Label.objects.bulk_create(
        [
            Label(account=account, label_id=label_id, name=(r.name or str(label_id))[:255])
            for label_id, r in labels.items()
        ],
        update_conflicts=True,
        unique_fields=["account", "label_id"],
        update_fields=["name", "updated_at"],
    )


def handle_label_list(event):
    """C9 (E-6): the full label list replaces the stored one."""
    account = account_for(event.my_account)
    if not event.ok:
        return PROCESSED
    incoming = {record.label_id: record.name or str(record.label_id) for record in event.labels}
    existing = dict(Label.objects.filter(account=account).values_list("label_id", "name"))
    if incoming == existing:
        return DUPLICATE
    if event.labels:
        _upsert_labels(account, event.labels)
    Label.objects.filter(account=account).exclude(label_id__in=list(incoming)).delete()
    return PROCESSED


def _label_owner(event):
    try:
        return account_for(event.my_account)
    except UnknownAccount:
        if event.my_account:
            raise
    for record in event.labels:  # addLable: `account` is the owner (E-23)
        try:
            return account_for(record.account)
        except UnknownAccount:
            continue
    raise UnknownAccount(event.my_account)


def handle_label_result(event):
    """C17: created labels are stored; labels assigned to friends (updLable) replace theirs (E-22)."""
    if not event.ok:
        if event.request_id:
            LabelRename.objects.filter(request_id=event.request_id, status=LabelRename.Status.CREATING).update(
                status=LabelRename.Status.FAILED, error=event.msg[:2000], updated_at=timezone.now()
            )
        return PROCESSED
    account = _label_owner(event)
    if not event.labels:
        return PROCESSED
    _upsert_labels(account, [record for record in event.labels if record.name])
    own = account.identifiers() | {event.my_account}
    per_friend = defaultdict(set)
    for record in event.labels:
        if record.account and record.account not in own:
            per_friend[record.account].add(record.label_id)
    if per_friend:
        labels = {label.label_id: label for label in Label.objects.filter(account=account)}
        missing = {i for ids in per_friend.values() for i in ids} - set(labels)
        if missing:
            _upsert_labels(account, [LabelRecord(label_id=i) for i in missing])
            labels = {label.label_id: label for label in Label.objects.filter(account=account)}
        now = timezone.now()
        for username, ids in per_friend.items():
            friend = _friend_query(account, username).first()
            if friend is not None:
                friend.labels.set([labels[i] for i in ids])
                Friend.objects.filter(pk=friend.pk).update(updated_at=now)  # lists refresh on updated_at
    _continue_rename(account, event)
    return PROCESSED


def _continue_rename(account, event):
    """The addLable of a rename answered: move the friends and delete the old label (E-22)."""
    if not event.request_id:
        return
    rename = (
        LabelRename.objects.select_for_update()
        .filter(account=account, request_id=event.request_id, status=LabelRename.Status.CREATING)
        .first()
    )
    if rename is None:
        return
    record = next((r for r in event.labels if r.name == rename.new_name), event.labels[0])
    new_label = Label.objects.get(account=account, label_id=record.label_id)
    from contacts.actions import continue_rename  # actions import this module's models only

    continue_rename(rename, new_label)


def handle_labels_deleted(event):
    """C18 delLable result (provisional): on success, the named labels go."""
    account = account_for(event.my_account)
    if not event.ok:
        return PROCESSED
    ids = list(event.label_ids) or [
        int(part) for part in event.query.get("lable_id", "").split(",") if part.strip().isdigit()
    ]
    if not ids:
        return PROCESSED
    deleted, _ = Label.objects.filter(account=account, label_id__in=ids).delete()
    LabelRename.objects.filter(account=account, status=LabelRename.Status.MOVING, old_provider_id__in=ids).update(
        status=LabelRename.Status.DONE, updated_at=timezone.now()
    )
    return PROCESSED if deleted else DUPLICATE


def handle_zombie_result(event):
    """C18 checkZombie result (provisional): `is_zombie` on the friend."""
    account = account_for(event.my_account)
    username = event.username or event.query.get("account", "") or event.query.get("friend", "")
    if not event.ok or event.is_zombie is None or not username:
        return PROCESSED
    updated = _friend_query(account, username).update(is_zombie=event.is_zombie, zombie_checked_at=timezone.now())
    return PROCESSED if updated else DUPLICATE


def handle_friend_notice(event):
    """C18 friends/add and friends/del notices: the stored delivery is the record (E-17); an
    invitation's notice (extend "invite:<pk>") is shown with it (provisional shape)."""
    if event.extend.startswith("invite:") and event.extend[7:].isdigit():
        notice = (event.msg or ("ok" if event.ok else "failed"))[:500]
        FriendInvite.objects.filter(pk=int(event.extend[7:])).update(notice=notice, updated_at=timezone.now())
    return PROCESSED
