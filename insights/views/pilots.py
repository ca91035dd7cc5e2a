"""Pilots: HR starts one, reads its report as a page or a PDF to forward, extends it or
rolls it out to more teams (insights/pilots.py)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from xhtml2pdf import pisa

from connection.calendar import monday
from connection.responses import bad_request
from connection.roles import hr_admin_required
from insights import pilots
from insights.dashboards.common import min_group_size
from insights.forms import ExtendPilotForm, PilotForm, RollOutForm
from insights.models import Pilot


@hr_admin_required
@require_http_methods(["GET", "POST"])
def pilot_list(request):
    today = timezone.now().date()
    form = PilotForm(
        request.POST or None,
        initial={"starts_on": monday(today) + dt.timedelta(weeks=1)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pilot = pilots.start_pilot(
                name=data["name"],
                teams=data["teams"],
                templates=data["templates"],
                starts_on=data["starts_on"],
                by=request.user,
            )
        except pilots.PilotError as refusal:
            form.add_error(None, str(refusal))
        else:
            planned = _(
                "Pilot “%(name)s” planned from %(start)s to %(end)s, with its rituals and "
                "their reminders."
            ) % {
                "name": pilot.name,
                "start": _day(pilot.starts_on),
                "end": _day(pilot.ends_on),
            }
            if pilot.first_round:
                planned += " " + _("Round %(number)s of the pulse opened as its baseline.") % {
                    "number": pilot.first_round.number
                }
            messages.success(request, planned)
            return redirect("insights_pilot", pk=pilot.pk)
    listed = Pilot.objects.prefetch_related("teams", "templates").order_by("-starts_on", "-pk")
    return render(
        request,
        "insights/pilots.html",
        {
            "form": form,
            "pilots": [(p, p.state(today)) for p in listed[:50]],
        },
    )


def _report_context(pilot: Pilot) -> dict:
    return {
        "report": pilots.pilot_report(pilot),
        "today": timezone.now().date(),
        "k": min_group_size(),
    }


@hr_admin_required
@require_GET
def pilot_report(request, pk: int):
    pilot = get_object_or_404(Pilot, pk=pk)
    context = {
        **_report_context(pilot),
        "extend": ExtendPilotForm(),
        "roll_out": RollOutForm(pilot=pilot),
    }
    return render(request, "insights/pilot.html", context)


@hr_admin_required
@require_GET
def pilot_pdf(request, pk: int):
    """The report as a PDF HR can forward: the page's figures, laid out for paper."""
    pilot = get_object_or_404(Pilot, pk=pk)
    html = render_to_string("insights/pilot_pdf.html", _report_context(pilot), request=request)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        return HttpResponse(
            _("The PDF could not be made; the page has the same report."), status=500
        )
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    name = f"pilot-{pilot.pk}-report.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@hr_admin_required
@require_POST
def pilot_extend(request, pk: int):
    pilot = get_object_or_404(Pilot, pk=pk)
    form = ExtendPilotForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=pilot_url(pilot))
    pilot = pilots.extend_pilot(pilot=pilot, weeks=form.cleaned_data["weeks"], by=request.user)
    until = dateformat.format(pilot.ends_on, pgettext("date format", "j F Y"))
    messages.success(request, _("The pilot now runs until %(day)s.") % {"day": until})
    return redirect(pilot_url(pilot))


@hr_admin_required
@require_POST
def pilot_roll_out(request, pk: int):
    pilot = get_object_or_404(Pilot, pk=pk)
    form = RollOutForm(request.POST)
    if not form.is_valid():
        return bad_request(request, form, back=pilot_url(pilot))
    try:
        count = pilots.roll_out(
            pilot=pilot, teams=list(form.cleaned_data["teams"]), by=request.user
        )
    except pilots.PilotError as refusal:
        form.add_error(None, str(refusal))
        return bad_request(request, form, back=pilot_url(pilot))
    messages.success(
        request, ngettext("%(n)s ritual adopted.", "%(n)s rituals adopted.", count) % {"n": count}
    )
    return redirect(pilot_url(pilot))


def _day(day: dt.date) -> str:
    """ "7 December" ("7. Dezember")."""
    return dateformat.format(day, pgettext("date format", "j F"))


def pilot_url(pilot: Pilot) -> str:
    return reverse("insights_pilot", args=[pilot.pk])
