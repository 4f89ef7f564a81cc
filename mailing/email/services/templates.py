"""E-mail templates and their versions: every change of content is a new version; a mailing
keeps the version it was set up with."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from api.core.errors import Conflict, FieldErrors
from api.masters.models import CustomField
from mailing.email.compose import html_links, template_fields, template_parse
from mailing.email.models import EmailMailing, EmailTemplate, EmailTemplateVersion

CONTENT_FIELDS = ("subject", "body_text", "body_html")


def template_content_check(*, subject: str, body_text: str, body_html: str) -> None:
    """Refuse unknown merge fields and unclosed ``{{``, naming the field they are in."""
    custom = set(
        CustomField.objects.filter(entity=CustomField.Entity.PERSON).values_list("key", flat=True)
    )
    errors: dict[str, list[str]] = {}
    for name, text in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        _, problems = template_parse(text, custom_keys=custom)
        if problems:
            errors[name] = problems
    if "\n" in subject or "\r" in subject:
        errors.setdefault("subject", []).append("a subject is one line")
    if not subject.strip():
        errors.setdefault("subject", []).append("a subject is required")
    if not body_text.strip():
        errors.setdefault("body_text", []).append(
            "a plain-text body is required (mail readers without HTML show it)"
        )
    if errors:
        raise FieldErrors(errors)


def _version_add(*, template: EmailTemplate, content: dict[str, str], user: Any) -> None:
    template_content_check(**content)
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    EmailTemplateVersion.objects.create(
        template=template,
        number=number,
        fields=template_fields(*content.values()),
        links=html_links(content["body_html"]),
        created_by=user if getattr(user, "pk", None) else None,
        **content,
    )


def email_template_create(
    *,
    name: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    description: str = "",
    user: Any = None,
) -> EmailTemplate:
    if EmailTemplate.objects.filter(name=name).exists():
        raise FieldErrors({"name": [f"a template named '{name}' exists already"]})
    with transaction.atomic(durable=True):
        template = EmailTemplate.objects.create(
            name=name,
            description=description,
            created_by=user if getattr(user, "pk", None) else None,
        )
        _version_add(
            template=template,
            content={"subject": subject, "body_text": body_text, "body_html": body_html},
            user=user,
        )
    return template


def email_template_update(
    *, template: EmailTemplate, data: dict[str, Any], user: Any
) -> EmailTemplate:
    """Rename or describe the template; changed content becomes a new version (mailings
    keep theirs)."""
    name = data.get("name", template.name)
    if name != template.name and EmailTemplate.objects.filter(name=name).exists():
        raise FieldErrors({"name": [f"a template named '{name}' exists already"]})
    with transaction.atomic(durable=True):
        template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
        template.name = name
        template.description = data.get("description", template.description)
        template.save(update_fields=["name", "description", "updated_at"])
        current = template.versions.order_by("-number").first()
        content = {f: data.get(f, getattr(current, f)) for f in CONTENT_FIELDS}
        if any(content[f] != getattr(current, f) for f in CONTENT_FIELDS):
            _version_add(template=template, content=content, user=user)
    return template


def email_template_delete(*, template: EmailTemplate) -> None:
    used = EmailMailing.objects.filter(template_version__template=template).count()
    if used:
        raise Conflict(
            f"template '{template.name}' was used by {used} mailing(s) and is kept as their "
            "record; rename it instead"
        )
    with transaction.atomic(durable=True):
        template.delete()
