"""One TLS context per process for every connection to Slack.

slack_sdk, given no `ssl` argument, lets urllib build a default `ssl.SSLContext` for each
HTTPS request, and building one reads and parses the whole CA bundle again: tens of
milliseconds of CPU per Slack call on OpenSSL 3.0 (see docs/decisions.md and
`python -m bench.tls`). So the process builds one context, from SLACK_CA_BUNDLE when set,
else from the system's CA bundle (or certifi's, when the system has none), and
`bot.app.build_client` hands it to every WebClient. Bolt copies the app client's `ssl` into
its per-request clients and into `respond()`, and the Socket Mode client takes it from the
app client too, so no Slack call builds another one.

Verification is never switched off: SLACK_CA_BUNDLE only changes which CAs are trusted.
"""

from __future__ import annotations

import re
import ssl
import threading
from pathlib import Path

_contexts: dict[str | None, ssl.SSLContext] = {}
_lock = threading.Lock()
_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----"
)


class CaBundleError(ValueError):
    """SLACK_CA_BUNDLE names no readable PEM bundle; the message says what is wrong."""


def slack_ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """The process's context for Slack (one per CA bundle, built on first use).

    Raises CaBundleError when `ca_bundle` is not a readable PEM bundle of certificates.
    """
    with _lock:
        context = _contexts.get(ca_bundle)
        if context is None:
            context = _build(ca_bundle)
            _contexts[ca_bundle] = context
        return context


def _build(ca_bundle: str | None) -> ssl.SSLContext:
    if ca_bundle is not None:
        check_ca_bundle(ca_bundle)
        try:
            return ssl.create_default_context(cafile=ca_bundle)
        except (ssl.SSLError, OSError) as error:
            raise CaBundleError(
                f"SLACK_CA_BUNDLE {ca_bundle!r} has no certificate OpenSSL can read ({error})"
            ) from None
    paths = ssl.get_default_verify_paths()
    if paths.cafile is None and paths.capath is None:
        # No system bundle (a slim container image): certifi's, if it is installed.
        try:
            import certifi  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            pass
        else:
            return ssl.create_default_context(cafile=certifi.where())
    return ssl.create_default_context()


def check_ca_bundle(path: str) -> None:
    """Raise CaBundleError unless `path` is a readable file of PEM certificates."""
    file = Path(path)
    if not file.is_file():
        raise CaBundleError(f"SLACK_CA_BUNDLE {path!r} is not a file")
    try:
        text = file.read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise CaBundleError(f"SLACK_CA_BUNDLE {path!r} cannot be read ({error.strerror})") from None
    blocks = _PEM_CERTIFICATE.findall(text)
    if not blocks:
        raise CaBundleError(
            f"SLACK_CA_BUNDLE {path!r} holds no PEM certificate "
            "(-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)"
        )
    for block in blocks:
        try:
            ssl.PEM_cert_to_DER_cert(block)
        except ValueError:
            raise CaBundleError(f"SLACK_CA_BUNDLE {path!r} holds a damaged certificate") from None
