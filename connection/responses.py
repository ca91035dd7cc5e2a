"""Answers every app's views share."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, form: forms.Form, *, back: str = "") -> HttpResponse:
    """Answer input a view cannot use: 400, the form's own messages, nothing written.

    For query strings and buttons whose page has no form to show the errors on;
    `back` is where "Go back" leads (the page itself when it answers GET).
    """
    problems = [
        message if name == NON_FIELD_ERRORS else f"{form[name].label}: {message}"
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    return render(
        request,
        "bad_request.html",
        {"problems": problems, "back": back or request.path},
        status=400,
    )
