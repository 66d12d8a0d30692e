"""What every HTML form shares: showing a domain error on the form it came from."""

from __future__ import annotations

from django import forms

from mysite.errors import ApplicationError, Throttled


def form_error_apply(form: forms.Form, error: ApplicationError) -> None:
    """Show a domain error on the form: on its field when it names one, else as a form message.

    Throttling becomes a form message saying when to try again, and `form.throttled_status` (429).
    """
    if isinstance(error, Throttled):
        form.add_error(None, f"{error.message} You can try again in {error.retry_after} seconds.")
        form.throttled_status = 429
        return
    if error.fields:
        for field, problems in error.fields.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        form.add_error(None, error.message)
