"""gunicorn settings: gunicorn reads ./gunicorn.conf.py when started from this folder.

gunicorn takes the scheme from `X-Forwarded-Proto` and its kin when they come from
127.0.0.1, whatever the app was told: a request sent straight to gunicorn could then pass
for HTTPS. Here forwarded headers are trusted only as the app trusts them, following
`TRUSTED_PROXIES` (the number of reverse proxies in front; 0 or unset: none) and, when
there are proxies, `FORWARDED_ALLOW_IPS` (their addresses, loopback unless set).

Logs keep no one (forum/logs.py): the access log has no client address, browser or
referring page, and every record of the error log is scrubbed of addresses.
"""

import os

_value = (os.environ.get("TRUSTED_PROXIES") or "0").strip()
if not _value.isdigit():
    # An exception here stops gunicorn before it binds a socket.
    raise ValueError(f"TRUSTED_PROXIES must be a number of proxies (0, 1, 2...), not {_value!r}")

if int(_value):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    # The header the app's ProxyFix reads, and only it: a client's own X-Forwarded-Ssl,
    # passed on by a proxy that does not know it, must not turn plain HTTP into HTTPS.
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
else:
    forwarded_allow_ips = ""
    # gunicorn trusts every peer on a UNIX socket: emptying these lists holds there too.
    secure_scheme_headers = {}
    forwarder_headers = ""

# Every record gunicorn makes, in the master and in its workers, is scrubbed of addresses and
# of the client's headers (forum/logs.py); a custom access_log_format cannot bring them back.
# (With its own logger, gunicorn does not switch to its statsd logger when statsd_host is set.)
logger_class = "forum.logs.GunicornLogger"
# When, the request line, the status, the bytes sent and the duration in milliseconds: no
# client address (%(h)s), User-Agent (%(a)s), Referer (%(f)s) or forwarding header.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
