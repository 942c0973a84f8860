"""Browsing pages: stories and outlets."""

from django.shortcuts import get_object_or_404, render

from sources.models import Outlet, Story


def story_detail(request, slug):
    story = get_object_or_404(Story, slug=slug)
    return render(request, "annotations/story_detail.html", {"story": story})


def outlet_detail(request, slug):
    outlet = get_object_or_404(Outlet, slug=slug)
    return render(request, "annotations/outlet_detail.html", {"outlet": outlet})
