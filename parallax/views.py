"""Project-wide pages that draw on both apps."""

from django.shortcuts import render

from annotations.models import Claim
from sources.models import Outlet, Story


def home(request):
    claims = Claim.objects.filter(status=Claim.Status.PUBLISHED).select_related("story")
    return render(
        request,
        "home.html",
        {
            "stories": Story.objects.all()[:50],
            "outlets": Outlet.objects.all()[:100],
            "claims": claims.order_by("-updated")[:20],
        },
    )
