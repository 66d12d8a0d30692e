"""SES: the sending identity (domain or address), its DKIM records, and whether the account is sandboxed."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from mysite.deploy.aws import client


@dataclass
class IdentityState:
    identity: str
    verification: str  # Pending, Success, Failed, TemporaryFailure, NotStarted, or "" when unknown to SES
    verification_token: str
    dkim_tokens: list[str]

    @property
    def is_domain(self) -> bool:
        return "@" not in self.identity


def identity_state(identity: str) -> IdentityState:
    ses = client("ses")
    attributes = ses.get_identity_verification_attributes(Identities=[identity])["VerificationAttributes"]
    found = attributes.get(identity, {})
    dkim = ses.get_identity_dkim_attributes(Identities=[identity])["DkimAttributes"].get(identity, {})
    return IdentityState(
        identity=identity,
        verification=found.get("VerificationStatus", ""),
        verification_token=found.get("VerificationToken", ""),
        dkim_tokens=list(dkim.get("DkimTokens", [])),
    )


def verify(identity: str) -> None:
    """Ask SES to verify the identity: a domain (TXT + DKIM) or one address (SES mails a link)."""
    ses = client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
        ses.verify_domain_dkim(Domain=identity)


def dns_records(state: IdentityState) -> list[tuple[str, str, str]]:
    """(name, type, value) records the domain's DNS needs: ownership and DKIM."""
    if not state.is_domain:
        return []
    records = []
    if state.verification_token:
        records.append((f"_amazonses.{state.identity}", "TXT", state.verification_token))
    for token in state.dkim_tokens:
        records.append((f"{token}._domainkey.{state.identity}", "CNAME", f"{token}.dkim.amazonses.com"))
    return records


def in_sandbox() -> bool | None:
    """True while SES only sends to verified addresses; None if the account could not be asked."""
    try:
        return not client("sesv2").get_account()["ProductionAccessEnabled"]
    except (ClientError, KeyError, NotImplementedError):
        pass
    try:
        # A sandboxed account has the sandbox quota: 200 messages a day.
        return client("ses").get_send_quota()["Max24HourSend"] <= 200
    except ClientError:
        return None


# --- Event publishing: bounces and complaints to SNS ----------------------------------------------

EVENT_DESTINATION = "bounces-and-complaints"
PUBLISHED_EVENTS = ("bounce", "complaint")


@dataclass
class EventsState:
    configuration_set: str
    configuration_set_exists: bool
    topic_arn: str  # "" when the topic does not exist
    destination: dict | None  # the SES event destination of that name, as SES describes it


def _topic_arn(name: str) -> str:
    for page in client("sns").get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return topic["TopicArn"]
    return ""


def events_state(configuration_set: str, topic_name: str) -> EventsState:
    ses = client("ses")
    names = {c["Name"] for c in ses.list_configuration_sets().get("ConfigurationSets", [])}
    destination = None
    if configuration_set in names:
        described = ses.describe_configuration_set(
            ConfigurationSetName=configuration_set, ConfigurationSetAttributeNames=["eventDestinations"]
        )
        destination = next(
            (d for d in described.get("EventDestinations", []) if d.get("Name") == EVENT_DESTINATION), None
        )
    return EventsState(configuration_set, configuration_set in names, _topic_arn(topic_name), destination)


def destination_current(state: EventsState) -> bool:
    """The destination exists, is on, publishes bounces and complaints, to this topic."""
    destination = state.destination
    if not destination or not state.topic_arn:
        return False
    return (
        destination.get("Enabled", False)
        and {t.lower() for t in destination.get("MatchingEventTypes", [])} >= set(PUBLISHED_EVENTS)
        and (destination.get("SNSDestination") or {}).get("TopicARN") == state.topic_arn
    )


def events_plan(configuration_set: str, topic_name: str) -> list[tuple[str, object]]:
    """(what, do) steps that make SES publish the set's bounces and complaints to the SNS topic; none if done."""
    state = events_state(configuration_set, topic_name)
    ses, sns = client("ses"), client("sns")
    steps: list[tuple[str, object]] = []
    if not state.configuration_set_exists:
        steps.append(
            (
                f"create configuration set {configuration_set}",
                lambda: ses.create_configuration_set(ConfigurationSet={"Name": configuration_set}),
            )
        )
    if not state.topic_arn:
        steps.append((f"create SNS topic {topic_name}", lambda: sns.create_topic(Name=topic_name)))
    if not destination_current(state):

        def put_destination() -> None:
            destination = {
                "Name": EVENT_DESTINATION,
                "Enabled": True,
                "MatchingEventTypes": list(PUBLISHED_EVENTS),
                "SNSDestination": {"TopicARN": _topic_arn(topic_name)},
            }
            if events_state(configuration_set, topic_name).destination is None:
                ses.create_configuration_set_event_destination(
                    ConfigurationSetName=configuration_set, EventDestination=destination
                )
            else:
                ses.update_configuration_set_event_destination(
                    ConfigurationSetName=configuration_set, EventDestination=destination
                )

        steps.append(
            (f"publish {' and '.join(PUBLISHED_EVENTS)} events of {configuration_set} to {topic_name}", put_destination)
        )
    return steps
