"""Pages about how cards fit together and leave the app: coverage, the cascade tree,
version history, and Excel export / import. (In progress.)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def cascade_tree(request):
    return HttpResponse("todo")


@login_required
def scorecard_import(request):
    return HttpResponse("todo")


@login_required
def import_template(request):
    return HttpResponse("todo")


@login_required
def scorecard_history(request, pk):
    return HttpResponse("todo")


@login_required
def scorecard_coverage(request, pk):
    return HttpResponse("todo")


@login_required
def version_export(request, pk):
    return HttpResponse("todo")
