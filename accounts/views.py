from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import WeChatAccount


@require_GET
@login_required
def home(request):
    accounts = WeChatAccount.objects.visible_to(request.user)
    return render(request, "accounts/home.html", {"accounts": accounts})
