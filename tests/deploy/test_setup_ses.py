"""`setup_ses` against moto: the domain is verified with DKIM, its records printed, the sandbox reported."""

from __future__ import annotations

import boto3
import pytest
from django.core.management.base import CommandError

from tests.deploy.conftest import run


@pytest.fixture
def ses(aws_account):
    aws_account.DEFAULT_FROM_EMAIL = "MySite <no-reply@mail.example.org>"
    return boto3.client("ses", region_name="us-east-1")


def test_the_sending_domain_is_verified_with_its_dns_records_printed(ses):
    output = run("setup_ses")
    assert "applying verify mail.example.org with DKIM" in output
    attributes = ses.get_identity_verification_attributes(Identities=["mail.example.org"])["VerificationAttributes"]
    token = attributes["mail.example.org"]["VerificationToken"]
    assert f"_amazonses.mail.example.org  TXT  {token}" in output
    dkim = ses.get_identity_dkim_attributes(Identities=["mail.example.org"])["DkimAttributes"]["mail.example.org"]
    assert len(dkim["DkimTokens"]) == 3
    for value in dkim["DkimTokens"]:
        assert f"{value}._domainkey.mail.example.org  CNAME  {value}.dkim.amazonses.com" in output


def test_the_sandbox_is_reported(ses):
    assert "sandbox  yes" in run("setup_ses")


def test_a_second_run_changes_nothing(ses):
    run("setup_ses")
    output = run("setup_ses")
    assert "No changes: the identity is already verified or pending." in output
    assert "applying" not in output
    assert "_amazonses.mail.example.org" in output  # the records are printed again


def test_an_address_can_be_verified_instead(ses):
    output = run("setup_ses", "--identity", "Owner@Example.org")
    assert "applying verify owner@example.org" in output
    assert "owner@example.org" in ses.list_identities(IdentityType="EmailAddress")["Identities"]


def test_dry_run_verifies_nothing(ses):
    assert "would    verify mail.example.org with DKIM" in run("setup_ses", "--dry-run")
    assert ses.list_identities()["Identities"] == []


def test_a_malformed_identity_is_refused(ses):
    with pytest.raises(CommandError, match="Not a domain or address"):
        run("setup_ses", "--identity", "not a domain")


def test_the_newsletter_configuration_set_publishes_bounces_and_complaints_to_sns(ses):
    output = run("setup_ses", "--configuration-set", "newsletter")
    assert "applying create configuration set newsletter" in output
    assert "applying create SNS topic newsletter-events" in output
    sns = boto3.client("sns", region_name="us-east-1")
    [topic] = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":newsletter-events")]
    described = ses.describe_configuration_set(
        ConfigurationSetName="newsletter", ConfigurationSetAttributeNames=["eventDestinations"]
    )
    [destination] = described["EventDestinations"]
    assert destination["Enabled"] is True
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SNSDestination"]["TopicARN"] == topic
    again = run("setup_ses", "--configuration-set", "newsletter")
    assert "ok       newsletter: bounces and complaints go to SNS topic newsletter-events" in again
    assert "No changes" in again


def test_dry_run_creates_no_configuration_set(ses):
    output = run("setup_ses", "--configuration-set", "newsletter", "--dry-run")
    assert "would    create configuration set newsletter" in output
    assert ses.list_configuration_sets().get("ConfigurationSets", []) == []
