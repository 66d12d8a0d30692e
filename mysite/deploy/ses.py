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
