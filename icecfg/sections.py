"""The model's sections, generated from the element table by scripts/generate.py.

Do not edit: change icecfg/spec.py and run ``python scripts/generate.py``.
"""

from __future__ import annotations

from icecfg.conversion import FallbackOverride, TlsMode
from icecfg.model import RootSection, Section, attr, block, items, leaf, texts

__all__ = [
    "Acl",
    "Alias",
    "Authentication",
    "Changeowner",
    "Directory",
    "DirectoryServer",
    "Event",
    "EventBindings",
    "Header",
    "HttpHeaders",
    "IcecastConfig",
    "KhFallback",
    "KhLog",
    "KhMaster",
    "KhRedirect",
    "Limits",
    "ListenSocket",
    "ListenSocketAuthentication",
    "Logging",
    "Mount",
    "MountAuthentication",
    "Option",
    "Paths",
    "Relay",
    "RelayHost",
    "Resource",
    "Role",
    "Security",
    "TlsContext",
    "Upstream",
    "YpDirectory",
]


class Limits(Section):
    """Server-wide resource limits.  Every 2.4.4 limit is read with atoi and crashes when empty. (2.4, 2.5,
    kh)
    """

    _spec_id = "limits"

    #: <clients> (2.4, 2.5, kh). Total concurrent clients: listeners, file and stats requests; 0 or
    #: blank refuses all.
    clients: int | None = leaf("clients", default=None)

    #: <sources> (2.4, 2.5, kh). Concurrent source clients, relays included; 2.5 wants clients >
    #: 2*sources.
    sources: int | None = leaf("sources", default=None)

    #: <queue-size> (2.4, 2.5, kh). Bytes a listener may lag behind before it is dropped.
    queue_size: int | None = leaf("queue-size", default=None)

    #: <threadpool> (2.4). Parsed but unused by 2.4.4; unknown to 2.5 and KH.
    threadpool: int | None = leaf("threadpool", default=None)

    #: <client-timeout> (2.4, 2.5, kh). Seconds; read, but no release uses it (2.4.4, 2.5.0 and KH
    #: alike).
    client_timeout: int | None = leaf("client-timeout", default=None)

    #: <header-timeout> (2.4, 2.5, kh). Seconds a client may take to send its request headers.
    header_timeout: int | None = leaf("header-timeout", default=None)

    #: <source-timeout> (2.4, 2.5, kh). Seconds of source silence before the source is dropped.
    source_timeout: int | None = leaf("source-timeout", default=None)

    #: <burst-on-connect> (2.4, 2.5). 0 sets burst-size to 0; order-dependent with <burst-size> (the
    #: later one wins). KH has no such switch and always bursts <burst-size>: 1 changes nothing there.
    burst_on_connect: bool | None = leaf("burst-on-connect", default=None)

    #: <burst-size> (2.4, 2.5, kh). Bytes sent at once to a new listener; keep it below queue-size.
    burst_size: int | None = leaf("burst-size", default=None)

    #: <bodysize> (2.5). Maximum request body size in bytes.
    bodysize: int | None = leaf("bodysize", default=None)

    #: <body-timeout> (2.5). Seconds a client may take to send a request body.
    body_timeout: int | None = leaf("body-timeout", default=None)

    #: <server-idle-timeout> (2.5). Seconds without activity before the server counts as idle.
    server_idle_timeout: int | None = leaf("server-idle-timeout", default=None)

    #: <max-bandwidth> (kh). Server-wide outgoing bitrate at which new listeners are refused, bits/s
    #: (k/K, m/M suffix).
    max_bandwidth: int | None = leaf("max-bandwidth", default=None)

    #: <max-listeners> (kh). Server-wide listener limit.
    max_listeners: int | None = leaf("max-listeners", default=None)

    #: <min-queue-size> (kh). Minimum listener queue; k/m/s suffixes accepted.
    min_queue_size: int | None = leaf("min-queue-size", default=None)

    #: <workers> (kh). Worker threads; values are clamped to 1..400.
    workers: int | None = leaf("workers", default=None)

    #: <inactivity-timeout> (kh). Seconds without activity before KH shuts down.
    inactivity_timeout: int | None = leaf("inactivity-timeout", default=None)


class Option(Section):
    """A name/value setting of an authenticator, YP directory or event. (2.4, 2.5, kh)"""

    _spec_id = "option"

    #: attribute name (2.4, 2.5, kh). Option name; options without it are skipped.
    name: str | None = attr("name", default=None)

    #: attribute value (2.4, 2.5, kh). Option value; options without it are skipped.
    value: str | None = attr("value", default=None)


class Header(Section):
    """One extra HTTP header. (2.4, 2.5, kh)"""

    _spec_id = "header"

    #: attribute name (2.4, 2.5, kh). Header name; KH checks RFC 7230 token characters.
    name: str | None = attr("name", default=None)

    #: attribute value (2.4, 2.5, kh). Header value; missing drops it and all later headers in 2.4.4;
    #: 2.5 CORS computes it.
    value: str | None = attr("value", default=None)

    #: attribute type (2.4, 2.5). 2.4.4 knows only `static`; `cors` logs a WARN and drops all later
    #: headers.
    type: str | None = attr("type", default=None)

    #: attribute status (2.4, 2.5, kh). Only send with this HTTP status; 0 means any.
    status: str | None = attr("status", default=None)


class HttpHeaders(Section):
    """Extra response headers.  2.4.4 stops at the first comment or bad <header>: later ones are lost.
    (2.4, 2.5, kh)
    """

    _spec_id = "http-headers"

    #: <header> (2.4, 2.5, kh). One header; KH replaces an earlier header of the same name.
    headers: list[Header] = items(Header, "header", default_factory=list)


class Acl(Section):
    """Access rules of a role; takes the same ACL attributes as <role>. (2.5)"""

    _spec_id = "acl"

    #: attribute allow-method (2.5). HTTP methods this role may use (`*` for all).
    allow_method: str | None = attr("allow-method", default=None)

    #: attribute deny-method (2.5). HTTP methods this role may not use.
    deny_method: str | None = attr("deny-method", default=None)

    #: attribute allow-admin (2.5). Admin commands this role may run (`*` for all).
    allow_admin: str | None = attr("allow-admin", default=None)

    #: attribute deny-admin (2.5). Admin commands this role may not run.
    deny_admin: str | None = attr("deny-admin", default=None)

    #: attribute allow-web (2.5). Web paths this role may fetch (`*` for all).
    allow_web: str | None = attr("allow-web", default=None)

    #: attribute deny-web (2.5). Web paths this role may not fetch.
    deny_web: str | None = attr("deny-web", default=None)

    #: attribute allow-all (2.5). Allow every method, admin command and web path.
    allow_all: bool | None = attr("allow-all", default=None)

    #: attribute deny-all (2.5). Deny every method, admin command and web path.
    deny_all: bool | None = attr("deny-all", default=None)

    #: attribute connections-per-user (2.5). Concurrent connections per user: a number, `*` or
    #: `unlimited`.
    connections_per_user: str | None = attr("connections-per-user", default=None)

    #: attribute connection-duration (2.5). Maximum connection time in seconds.
    connection_duration: str | None = attr("connection-duration", default=None)

    #: <http-headers> (2.5). Headers sent to clients granted by this ACL.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)


class Role(Section):
    """One authenticator of a 2.5 authentication stack and what it grants. (2.5)"""

    _spec_id = "role"

    #: attribute type (2.5). Authenticator backend.
    type: str | None = attr("type", default=None)

    #: attribute name (2.5). Role name; 2.5 counts a user's connections by it.
    name: str | None = attr("name", default=None)

    #: attribute management-url (2.5). URL of the backend's management interface.
    management_url: str | None = attr("management-url", default=None)

    #: attribute method (2.5). HTTP methods this role handles (`*` for all).
    method: str | None = attr("method", default=None)

    #: attribute match-method (2.5). Only consider requests with these methods.
    match_method: str | None = attr("match-method", default=None)

    #: attribute nomatch-method (2.5). Skip requests with these methods.
    nomatch_method: str | None = attr("nomatch-method", default=None)

    #: attribute match-web (2.5). Only consider these web paths.
    match_web: str | None = attr("match-web", default=None)

    #: attribute nomatch-web (2.5). Skip these web paths.
    nomatch_web: str | None = attr("nomatch-web", default=None)

    #: attribute match-admin (2.5). Only consider these admin commands.
    match_admin: str | None = attr("match-admin", default=None)

    #: attribute nomatch-admin (2.5). Skip these admin commands.
    nomatch_admin: str | None = attr("nomatch-admin", default=None)

    #: attribute match-origin (2.5). Only consider requests from these origins.
    match_origin: str | None = attr("match-origin", default=None)

    #: attribute nomatch-origin (2.5). Skip requests from these origins.
    nomatch_origin: str | None = attr("nomatch-origin", default=None)

    #: attribute may-alter (2.5). Request properties the backend may change.
    may_alter: str | None = attr("may-alter", default=None)

    #: attribute may-not-alter (2.5). Request properties the backend may not change.
    may_not_alter: str | None = attr("may-not-alter", default=None)

    #: attribute allow-method (2.5). HTTP methods this role may use (`*` for all).
    allow_method: str | None = attr("allow-method", default=None)

    #: attribute deny-method (2.5). HTTP methods this role may not use.
    deny_method: str | None = attr("deny-method", default=None)

    #: attribute allow-admin (2.5). Admin commands this role may run (`*` for all).
    allow_admin: str | None = attr("allow-admin", default=None)

    #: attribute deny-admin (2.5). Admin commands this role may not run.
    deny_admin: str | None = attr("deny-admin", default=None)

    #: attribute allow-web (2.5). Web paths this role may fetch (`*` for all).
    allow_web: str | None = attr("allow-web", default=None)

    #: attribute deny-web (2.5). Web paths this role may not fetch.
    deny_web: str | None = attr("deny-web", default=None)

    #: attribute allow-all (2.5). Allow every method, admin command and web path.
    allow_all: bool | None = attr("allow-all", default=None)

    #: attribute deny-all (2.5). Deny every method, admin command and web path.
    deny_all: bool | None = attr("deny-all", default=None)

    #: attribute connections-per-user (2.5). Concurrent connections per user: a number, `*` or
    #: `unlimited`.
    connections_per_user: str | None = attr("connections-per-user", default=None)

    #: attribute connection-duration (2.5). Maximum connection time in seconds.
    connection_duration: str | None = attr("connection-duration", default=None)

    #: <option> (2.5). Backend setting, e.g. `filename` for htpasswd.
    options: list[Option] = items(Option, "option", default_factory=list)

    #: <http-headers> (2.5). Headers sent to clients matched by this role.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <acl> (2.5). Access rules of the role; only one is allowed.
    acl: Acl = block(Acl, "acl", default=None)

    #: <on-failed-action> (2.5). Action when authentication fails.
    on_failed_action: str | None = leaf("on-failed-action", default=None)

    #: <on-failed-argument> (2.5). Argument of on-failed-action.
    on_failed_argument: str | None = leaf("on-failed-argument", default=None)

    #: <on-deny-action> (2.5). Action when the ACL denies.
    on_deny_action: str | None = leaf("on-deny-action", default=None)

    #: <on-deny-argument> (2.5). Argument of on-deny-action.
    on_deny_argument: str | None = leaf("on-deny-argument", default=None)


class Authentication(Section):
    """Global credentials (root child); 2.5 turns them into static roles. (2.4, 2.5, kh)"""

    _spec_id = "authentication"

    #: <source-password> (2.4, 2.5, kh). Global source password for user `source`; without any, every
    #: source is refused.
    source_password: str | None = leaf("source-password", default=None)

    #: <relay-user> (2.4, 2.5, kh). User slaves use to fetch /admin/streamlist.txt.
    relay_user: str | None = leaf("relay-user", default=None)

    #: <relay-password> (2.4, 2.5, kh). Password for slaves; if unset no slave can authenticate.
    relay_password: str | None = leaf("relay-password", default=None)

    #: <admin-user> (2.4, 2.5, kh). Admin login; /admin needs both user and password.
    admin_user: str | None = leaf("admin-user", default=None)

    #: <admin-password> (2.4, 2.5, kh). Admin password; without it /admin cannot be reached.
    admin_password: str | None = leaf("admin-password", default=None)

    #: <shoutcast-user> (2.5). User name assumed for Shoutcast source logins.
    shoutcast_user: str | None = leaf("shoutcast-user", default=None)

    #: <role> (2.5). A role of the global authentication stack; an anonymous role is always appended.
    roles: list[Role] = items(Role, "role", default_factory=list)


class DirectoryServer(Section):
    """Legacy <directory><server> block; parsed by _add_server and never used. (2.4)"""

    _spec_id = "directory-server"

    #: <host> (2.4). Unused.
    host: str | None = leaf("host", default=None)

    #: <touch-interval> (2.4). Unused.
    touch_interval: int | None = leaf("touch-interval", default=None)


class Directory(Section):
    """A YP directory (2.4/KH form; obsolete in 2.5).  Without <yp-url> it is discarded. (2.4, 2.5, kh)"""

    _spec_id = "directory"

    #: <yp-url-timeout> (2.4, 2.5, kh). Seconds to wait for the directory; 2.4.4 and 2.5.0 turn values
    #: outside 1..10 into 6 (2.5.0 also logs values outside 2..600 as out of range); KH uses any value.
    yp_url_timeout: int | None = leaf("yp-url-timeout", default=None)

    #: <yp-url> (2.4, 2.5, kh). The directory's CGI URL; required.
    yp_url: str | None = leaf("yp-url", default=None)

    #: <touch-interval> (2.4, 2.5, kh). Seconds between YP updates; 2.4.4 raises values below 30 to 30.
    touch_interval: int | None = leaf("touch-interval", default=None)

    #: <server> (2.4). Legacy block that 2.4.4 parses into a list nothing uses.
    servers: list[DirectoryServer] = items(DirectoryServer, "server", default_factory=list)


class YpDirectory(Section):
    """A YP directory (2.5).  Options: timeout, touch-interval, listen-socket (`#id`). (2.5)"""

    _spec_id = "yp-directory"

    #: attribute url (2.5). The directory's URL; required.
    url: str | None = attr("url", default=None)

    #: <option> (2.5). `timeout`, `touch-interval` or `listen-socket`; other names are invalid.
    options: list[Option] = items(Option, "option", default_factory=list)


class ListenSocketAuthentication(Section):
    """The authentication stack of a 2.5 listen socket. (2.5)"""

    _spec_id = "listen-socket-authentication"

    #: <role> (2.5). A role of the socket's authentication stack.
    roles: list[Role] = items(Role, "role", default_factory=list)


class ListenSocket(Section):
    """A listening socket.  KH also takes the children as attributes (`port="8000"`). (2.4, 2.5, kh)"""

    _spec_id = "listen-socket"

    #: attribute id (2.5). Name referenced as `#id` by on-behalf-of, resources and YP.
    id: str | None = attr("id", default=None)

    #: attribute type (2.5). Other values log `Unknown listener type` and mean normal.
    type: str | None = attr("type", default=None)

    #: attribute on-behalf-of (2.5). `#id` of the socket this one acts for; must start with #.
    on_behalf_of: str | None = attr("on-behalf-of", default=None)

    #: <port> (2.4, 2.5, kh). Empty keeps 8000; `abc` binds a random port and 99999 wraps in 2.4.4.
    port: int | None = leaf("port", default=None)

    #: <bind-address> (2.4, 2.5, kh). Numeric address to bind; `localhost` fails to bind.
    bind_address: str | None = leaf("bind-address", default=None)

    #: <shoutcast-mount> (2.4, 2.5, kh). Also opens a Shoutcast source port on port+1 (2.4.4 even with
    #: shoutcast-compat).
    shoutcast_mount: str | None = leaf("shoutcast-mount", default=None)

    #: <shoutcast-compat> (2.4, 2.5, kh). Only Shoutcast sources may use this port; port-1 must be a
    #: normal port.
    shoutcast_compat: bool | None = leaf("shoutcast-compat", default=None)

    #: <ssl> (2.4, 2.5). 2.4: TLS on this port (plain HTTP if the cert fails); 2.5 reads it as <tls>, 0
    #: = auto.
    ssl: bool | None = leaf("ssl", default=None)

    #: <tls> (2.5). TLS mode; absent is disabled but `0`, `false` and empty mean auto.
    tls: TlsMode | None = leaf("tls", default=None)

    #: <so-sndbuf> (2.4, 2.5, kh). Socket send buffer in bytes; 0 keeps the OS default.
    so_sndbuf: int | None = leaf("so-sndbuf", default=None)

    #: <listen-backlog> (2.5). Queue length of pending connections.
    listen_backlog: int | None = leaf("listen-backlog", default=None)

    #: <authentication> (2.5). Per-socket authentication stack.
    authentication: ListenSocketAuthentication = block(ListenSocketAuthentication, "authentication", default=None)

    #: <http-headers> (2.5). Headers sent on responses from this socket.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <queue-len> (kh). Queue length of pending connections.
    queue_len: int | None = leaf("queue-len", default=None)

    #: <so-mss> (kh). TCP maximum segment size.
    so_mss: int | None = leaf("so-mss", default=None)


class KhMaster(Section):
    """KH block form of the root master-* settings. (kh)"""

    _spec_id = "kh-master"

    #: <server> (kh). Master host.
    server: str | None = leaf("server", default=None)

    #: <port> (kh). Master port.
    port: int | None = leaf("port", default=None)

    #: <ssl-port> (kh). Master TLS port.
    ssl_port: int | None = leaf("ssl-port", default=None)

    #: <username> (kh). Master user.
    username: str | None = leaf("username", default=None)

    #: <password> (kh). Master password.
    password: str | None = leaf("password", default=None)

    #: <bind> (kh). Local address for connections to the master.
    bind: str | None = leaf("bind", default=None)

    #: <interval> (kh). Seconds between stream list fetches; below 2 becomes 60.
    interval: int | None = leaf("interval", default=None)

    #: <relay-auth> (kh). Let the master authenticate listeners.
    relay_auth: bool | None = leaf("relay-auth", default=None)

    #: <retry-delay> (kh). Seconds between reconnection attempts.
    retry_delay: int | None = leaf("retry-delay", default=None)

    #: <redirect> (kh). Let the master redirect listeners here.
    redirect: bool | None = leaf("redirect", default=None)

    #: <run-on> (kh). Seconds on-demand relays keep running.
    run_on: int | None = leaf("run-on", default=None)

    #: <on-demand> (kh). Relay the master's streams on demand.
    on_demand: bool | None = leaf("on-demand", default=None)


class KhRedirect(Section):
    """A KH redirect target; without a host it is dropped. (kh)"""

    _spec_id = "kh-redirect"

    #: <host> (kh). Host to redirect listeners to.
    host: str | None = leaf("host", default=None)

    #: <port> (kh). Port on that host.
    port: int | None = leaf("port", default=None)


class Upstream(Section):
    """An upstream server of a 2.5 relay. (2.5)"""

    _spec_id = "upstream"

    #: attribute type (2.5). `default` supplies defaults for the normal upstreams; other values drop
    #: the upstream.
    type: str | None = attr("type", default=None)

    #: <server> (2.5). Upstream host.
    server: str | None = leaf("server", default=None)

    #: <port> (2.5). Upstream port.
    port: int | None = leaf("port", default=None)

    #: <mount> (2.5). Path of the stream upstream.
    mount: str | None = leaf("mount", default=None)

    #: <relay-shoutcast-metadata> (2.5). Ask the upstream for ICY metadata.
    relay_shoutcast_metadata: bool | None = leaf("relay-shoutcast-metadata", default=None)

    #: <username> (2.5). User for the upstream server.
    username: str | None = leaf("username", default=None)

    #: <password> (2.5). Password for the upstream server.
    password: str | None = leaf("password", default=None)

    #: <bind> (2.5). Local address for the outgoing connection.
    bind: str | None = leaf("bind", default=None)

    #: <uri> (2.5). `http://user:pass@host:port/path`; only the http scheme is accepted.
    uri: str | None = leaf("uri", default=None)


class RelayHost(Section):
    """A KH relay upstream (<master> or <host> inside <relay>); unset fields come from the relay. (kh)"""

    _spec_id = "relay-host"

    #: <ip> (kh). Upstream host.
    ip: str | None = leaf("ip", default=None)

    #: <port> (kh). Upstream port.
    port: int | None = leaf("port", default=None)

    #: <mount> (kh). Path of the stream upstream.
    mount: str | None = leaf("mount", default=None)

    #: <ssl> (kh). Connect with TLS.
    ssl: bool | None = leaf("ssl", default=None)

    #: <bind> (kh). Local address for the outgoing connection.
    bind: str | None = leaf("bind", default=None)

    #: <timeout> (kh). Connect timeout in seconds; out of range becomes 4.
    timeout: int | None = leaf("timeout", default=None)

    #: <http-headers> (kh). Headers sent to this upstream.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <priority> (kh). Order in which hosts are tried.
    priority: int | None = leaf("priority", default=None)


class Relay(Section):
    """A relayed stream.  2.5 wants the upstream settings in <upstream> blocks. (2.4, 2.5, kh)"""

    _spec_id = "relay"

    #: <server> (2.4, 2.5, kh). Upstream host.
    server: str | None = leaf("server", default=None)

    #: <ip> (kh). KH spelling of <server>.
    ip: str | None = leaf("ip", default=None)

    #: <port> (2.4, 2.5, kh). Upstream port; 2.4.4 has no default (0), KH defaults to the server's own
    #: port.
    port: int | None = leaf("port", default=None)

    #: <mount> (2.4, 2.5, kh). Path of the stream on the upstream server.
    mount: str | None = leaf("mount", default=None)

    #: <local-mount> (2.4, 2.5, kh). Local mount name (default: <mount>); KH skips it unless it starts
    #: with /.
    local_mount: str | None = leaf("local-mount", default=None)

    #: <on-demand> (2.4, 2.5, kh). Only relay while listeners are connected; defaults to <relays-on-
    #: demand> read so far.
    on_demand: bool | None = leaf("on-demand", default=None)

    #: <relay-shoutcast-metadata> (2.4, 2.5, kh). Ask the upstream for ICY metadata.
    relay_shoutcast_metadata: bool | None = leaf("relay-shoutcast-metadata", default=None)

    #: <relay-icy-metadata> (kh). KH spelling of <relay-shoutcast-metadata>.
    relay_icy_metadata: bool | None = leaf("relay-icy-metadata", default=None)

    #: <username> (2.4, 2.5, kh). User for the upstream server.
    username: str | None = leaf("username", default=None)

    #: <password> (2.4, 2.5, kh). Password for the upstream server.
    password: str | None = leaf("password", default=None)

    #: <bind> (2.4, 2.5, kh). Local address for the outgoing connection.
    bind: str | None = leaf("bind", default=None)

    #: <uri> (2.5). 2.5 flat form of an upstream URI; only read inside <upstream>.
    uri: str | None = leaf("uri", default=None)

    #: <timeout> (kh). Connect timeout in seconds; out of range becomes 4.
    timeout: int | None = leaf("timeout", default=None)

    #: <upstream> (2.5). An upstream; several normal ones are tried in order.
    upstreams: list[Upstream] = items(Upstream, "upstream", default_factory=list)

    #: <master> (kh). An upstream host (same as <host>).
    masters: list[RelayHost] = items(RelayHost, "master", default_factory=list)

    #: <host> (kh). An upstream host; several are tried in order.
    hosts: list[RelayHost] = items(RelayHost, "host", default_factory=list)

    #: <run-on> (kh). Seconds an on-demand relay keeps running.
    run_on: int | None = leaf("run-on", default=None)

    #: <retry-delay> (kh). Seconds between reconnection attempts.
    retry_delay: int | None = leaf("retry-delay", default=None)

    #: <enable> (kh). 0 keeps the relay configured but stopped.
    enable: bool | None = leaf("enable", default=None)

    #: <http-headers> (kh). Headers sent to listeners of this relay.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)


class KhFallback(Section):
    """KH fallback; its children may also be written as attributes. (kh)"""

    _spec_id = "kh-fallback"

    #: <mount> (kh). Fallback mount; values not starting with / are dropped.
    mount: str | None = leaf("mount", default=None)

    #: <rate> (kh). Bits per second the fallback file is sent at (k/K, m/M suffix).
    rate: int | None = leaf("rate", default=None)


class MountAuthentication(Section):
    """Listener authentication of a mount: legacy type+options, or (2.5, no type) a role stack; 2.5 reads a
    type="htpasswd" block as a role (its attributes and children too). (2.4, 2.5, kh)
    """

    _spec_id = "mount-authentication"

    #: attribute type (2.4, 2.5, kh). Case-sensitive; bad or missing leaves 2.4.4 public, 2.5 denies;
    #: 2.5 without it: roles.
    type: str | None = attr("type", default=None)

    #: attribute name (2.5). Role name; 2.5 counts a user's connections by it.
    name: str | None = attr("name", default=None)

    #: attribute management-url (2.5). URL of the backend's management interface.
    management_url: str | None = attr("management-url", default=None)

    #: attribute method (2.5). HTTP methods this role handles (`*` for all).
    method: str | None = attr("method", default=None)

    #: attribute match-method (2.5). Only consider requests with these methods.
    match_method: str | None = attr("match-method", default=None)

    #: attribute nomatch-method (2.5). Skip requests with these methods.
    nomatch_method: str | None = attr("nomatch-method", default=None)

    #: attribute match-web (2.5). Only consider these web paths.
    match_web: str | None = attr("match-web", default=None)

    #: attribute nomatch-web (2.5). Skip these web paths.
    nomatch_web: str | None = attr("nomatch-web", default=None)

    #: attribute match-admin (2.5). Only consider these admin commands.
    match_admin: str | None = attr("match-admin", default=None)

    #: attribute nomatch-admin (2.5). Skip these admin commands.
    nomatch_admin: str | None = attr("nomatch-admin", default=None)

    #: attribute match-origin (2.5). Only consider requests from these origins.
    match_origin: str | None = attr("match-origin", default=None)

    #: attribute nomatch-origin (2.5). Skip requests from these origins.
    nomatch_origin: str | None = attr("nomatch-origin", default=None)

    #: attribute may-alter (2.5). Request properties the backend may change.
    may_alter: str | None = attr("may-alter", default=None)

    #: attribute may-not-alter (2.5). Request properties the backend may not change.
    may_not_alter: str | None = attr("may-not-alter", default=None)

    #: attribute allow-method (2.5). HTTP methods this role may use (`*` for all).
    allow_method: str | None = attr("allow-method", default=None)

    #: attribute deny-method (2.5). HTTP methods this role may not use.
    deny_method: str | None = attr("deny-method", default=None)

    #: attribute allow-admin (2.5). Admin commands this role may run (`*` for all).
    allow_admin: str | None = attr("allow-admin", default=None)

    #: attribute deny-admin (2.5). Admin commands this role may not run.
    deny_admin: str | None = attr("deny-admin", default=None)

    #: attribute allow-web (2.5). Web paths this role may fetch (`*` for all).
    allow_web: str | None = attr("allow-web", default=None)

    #: attribute deny-web (2.5). Web paths this role may not fetch.
    deny_web: str | None = attr("deny-web", default=None)

    #: attribute allow-all (2.5). Allow every method, admin command and web path.
    allow_all: bool | None = attr("allow-all", default=None)

    #: attribute deny-all (2.5). Deny every method, admin command and web path.
    deny_all: bool | None = attr("deny-all", default=None)

    #: attribute connections-per-user (2.5). Concurrent connections per user: a number, `*` or
    #: `unlimited`.
    connections_per_user: str | None = attr("connections-per-user", default=None)

    #: attribute connection-duration (2.5). Maximum connection time in seconds.
    connection_duration: str | None = attr("connection-duration", default=None)

    #: <option> (2.4, 2.5, kh). Backend setting (filename, listener_add, ...); other children warn.
    options: list[Option] = items(Option, "option", default_factory=list)

    #: <role> (2.5). A role of the mount's authentication stack.
    roles: list[Role] = items(Role, "role", default_factory=list)

    #: <http-headers> (2.5). Headers sent to clients matched by this role.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <acl> (2.5). Access rules of the role; only one is allowed.
    acl: Acl = block(Acl, "acl", default=None)

    #: <on-failed-action> (2.5). Action when authentication fails.
    on_failed_action: str | None = leaf("on-failed-action", default=None)

    #: <on-failed-argument> (2.5). Argument of on-failed-action.
    on_failed_argument: str | None = leaf("on-failed-argument", default=None)

    #: <on-deny-action> (2.5). Action when the ACL denies.
    on_deny_action: str | None = leaf("on-deny-action", default=None)

    #: <on-deny-argument> (2.5). Argument of on-deny-action.
    on_deny_argument: str | None = leaf("on-deny-argument", default=None)


class Event(Section):
    """An event handler. (2.5)"""

    _spec_id = "event"

    #: attribute type (2.5). Handler kind; `url` needs curl support.
    type: str | None = attr("type", default=None)

    #: attribute trigger (2.5). Event name; Icecast accepts any text but only these are ever emitted.
    trigger: str | None = attr("trigger", default=None)

    #: <option> (2.5). exec: executable; url: url, action, username, password.
    options: list[Option] = items(Option, "option", default_factory=list)


class EventBindings(Section):
    """Event handlers (2.5); other children are ignored silently. (2.5)"""

    _spec_id = "event-bindings"

    #: <event> (2.5). One handler; without type or trigger it is dropped.
    events: list[Event] = items(Event, "event", default_factory=list)


class KhLog(Section):
    """KH block form of accesslog/errorlog/playlistlog/preroll-log. (kh)"""

    _spec_id = "kh-log"

    #: <name> (kh). File name in logdir.
    name: str | None = leaf("name", default=None)

    #: <archive> (kh). Rotate to timestamped names.
    archive: bool | None = leaf("archive", default=None)

    #: <display> (kh). Lines kept in memory.
    display: int | None = leaf("display", default=None)

    #: <size> (kh). Rotate at this size.
    size: int | None = leaf("size", default=None)

    #: <duration> (kh). Rotate after this many seconds.
    duration: int | None = leaf("duration", default=None)

    #: <ip> (kh). Log client IPs (access log).
    ip: bool | None = leaf("ip", default=None)

    #: <type> (kh). Access log format; anything but CLF-ESC means CLF.
    type: str | None = leaf("type", default=None)

    #: <exclude_ext> (kh). File extensions not logged.
    exclude_ext: str | None = leaf("exclude_ext", default=None)

    #: <querystr> (kh). Log query strings (access log).
    querystr: bool | None = leaf("querystr", default=None)

    #: <level> (kh). Log level (error log).
    level: int | None = leaf("level", default=None)


class Mount(Section):
    """Settings of one mount point, or (type=default, KH wildcards) defaults for many. (2.4, 2.5, kh)"""

    _spec_id = "mount"

    #: attribute type (2.4, 2.5). Mount kind, modelled as `mount_type`; case-sensitive, other values
    #: drop the mount.
    mount_type: str | None = attr("type", default=None)

    #: <mount-name> (2.4, 2.5, kh). Mount path, not trimmed; a normal mount without it is dropped,
    #: 2.4.4 glob-matches it.
    mount_name: str | None = leaf("mount-name", default=None)

    #: <username> (2.4, 2.5, kh). Source user for this mount.
    username: str | None = leaf("username", default=None)

    #: <password> (2.4, 2.5, kh). Source password for this mount (default: the global source-password).
    password: str | None = leaf("password", default=None)

    #: <max-listeners> (2.4, 2.5, kh). Listener limit; -1 is unlimited but out of range for 2.5.
    max_listeners: int | None = leaf("max-listeners", default=None)

    #: <max-listener-duration> (2.4, 2.5, kh). Seconds a listener may stay; 0 is unlimited.
    max_listener_duration: int | None = leaf("max-listener-duration", default=None)

    #: <dump-file> (2.4, 2.5, kh). Append the stream to this file (strftime-expanded); relative to the
    #: cwd, not logdir.
    dump_file: str | None = leaf("dump-file", default=None)

    #: <dump-file-size-limit> (2.5). Start a new dump file after this many bytes.
    dump_file_size_limit: int | None = leaf("dump-file-size-limit", default=None)

    #: <dump-file-time-limit> (2.5). Start a new dump file after this many seconds.
    dump_file_time_limit: int | None = leaf("dump-file-time-limit", default=None)

    #: <burst-size> (2.4, 2.5, kh). Burst for this mount in bytes; unset inherits <limits><burst-size>.
    burst_size: int | None = leaf("burst-size", default=None)

    #: <queue-size> (2.4, 2.5, kh). Queue for this mount in bytes; unset inherits <limits><queue-size>.
    queue_size: int | None = leaf("queue-size", default=None)

    #: <source-timeout> (2.4, 2.5, kh). Source timeout for this mount; unset inherits <limits><source-
    #: timeout>.
    source_timeout: int | None = leaf("source-timeout", default=None)

    #: <fallback-mount> (2.4, 2.5, kh). Where listeners go without a source; a file is webroot+value,
    #: so it must start with /.
    fallback_mount: str | None = leaf("fallback-mount", default=None)

    #: <fallback> (kh). KH fallback with an optional rate limit.
    fallback: KhFallback = block(KhFallback, "fallback", default=None)

    #: <fallback-override> (2.4, 2.5, kh). Move listeners back from the fallback; 2.4.4 moves all of
    #: the fallback's listeners.
    fallback_override: FallbackOverride | None = leaf("fallback-override", default=None)

    #: <fallback-when-full> (2.4, 2.5, kh). Send listeners beyond max-listeners to the fallback; warns
    #: without fallback-mount.
    fallback_when_full: bool | None = leaf("fallback-when-full", default=None)

    #: <intro> (2.4, 2.5, kh). File played to new listeners, relative to webroot; must match the stream
    #: format.
    intro: str | None = leaf("intro", default=None)

    #: <hidden> (2.4, 2.5, kh). Hide the mount from the public status pages.
    hidden: bool | None = leaf("hidden", default=None)

    #: <public> (2.4, 2.5, kh). List on YP: 1 yes, 0 no, -1 the source decides; `true` reads as 0 in
    #: 2.4.4, as 1 in 2.5 and KH (KH also reads `no`/`false` as 0; words only as written, unpadded).
    #: 2.5 also reads `client` as -1 and any other number but 0 as 1; `client` and `-1` only unpadded
    #: (` client ` is 0, ` -1` is 1).
    public: int | None = leaf("public", default=None)

    #: <no-yp> (2.4, 2.5). Deprecated: non-zero means public 0.
    no_yp: bool | None = leaf("no-yp", default=None)

    #: <no-mount> (2.4, 2.5, kh). 1 means the mount is only reachable through a fallback.
    no_mount: bool | None = leaf("no-mount", default=None)

    #: <allow-direct-access> (2.5). 0 means the mount is only reachable through a fallback.
    allow_direct_access: bool | None = leaf("allow-direct-access", default=None)

    #: <authentication> (2.4, 2.5, kh). Listener authentication; a bad or missing type leaves the mount
    #: public in 2.4.4.
    authentication: MountAuthentication = block(MountAuthentication, "authentication", default=None)

    #: <http-headers> (2.4, 2.5, kh). Headers sent with this mount's 200 responses.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <on-connect> (2.4, 2.5, kh). Executable run with the mount name when a source connects; no
    #: shell, no arguments.
    on_connect: str | None = leaf("on-connect", default=None)

    #: <on-disconnect> (2.4, 2.5, kh). Executable run with the mount name when the source leaves; no
    #: shell, no arguments.
    on_disconnect: str | None = leaf("on-disconnect", default=None)

    #: <cluster-password> (2.4, 2.5, kh). Password shared by the servers of a YP cluster.
    cluster_password: str | None = leaf("cluster-password", default=None)

    #: <stream-name> (2.4, 2.5, kh). Overrides the stream name the source sends.
    stream_name: str | None = leaf("stream-name", default=None)

    #: <stream-description> (2.4, 2.5, kh). Overrides the stream description the source sends.
    stream_description: str | None = leaf("stream-description", default=None)

    #: <stream-url> (2.4, 2.5, kh). Overrides the stream URL the source sends.
    stream_url: str | None = leaf("stream-url", default=None)

    #: <genre> (2.4, 2.5, kh). Overrides the genre the source sends.
    genre: str | None = leaf("genre", default=None)

    #: <bitrate> (2.4, 2.5, kh). Overrides the bitrate (free text, kbps).
    bitrate: str | None = leaf("bitrate", default=None)

    #: <type> (2.4, 2.5, kh). Overrides the MIME type; KH does not take it as an attribute.
    type: str | None = leaf("type", default=None)

    #: <subtype> (2.4, 2.5, kh). Overrides the codec subtype; KH does not take it as an attribute.
    subtype: str | None = leaf("subtype", default=None)

    #: <charset> (2.4, 2.5, kh). Charset of non-Ogg metadata (default Latin-1).
    charset: str | None = leaf("charset", default=None)

    #: <mp3-metadata-interval> (2.4, 2.5, kh). ICY metadata interval in bytes; -1 means 16000.
    mp3_metadata_interval: int | None = leaf("mp3-metadata-interval", default=None)

    #: <metadata-interval> (kh). KH spelling of <mp3-metadata-interval>.
    metadata_interval: int | None = leaf("metadata-interval", default=None)

    #: <icy-metadata-interval> (2.5). ICY metadata interval in bytes; -1 means the default.
    icy_metadata_interval: int | None = leaf("icy-metadata-interval", default=None)

    #: <max-history> (2.5). Metadata history length; out of range becomes 256.
    max_history: int | None = leaf("max-history", default=None)

    #: <event-bindings> (2.5). Event handlers for this mount.
    event_bindings: EventBindings = block(EventBindings, "event-bindings", default=None)

    #: <relay> (2.5). Mount-scoped relay; only in a normal mount named /...; <local-mount> is ignored.
    relays: list[Relay] = items(Relay, "relay", default_factory=list)

    #: <priority> (kh). Order of wildcard mount templates.
    priority: int | None = leaf("priority", default=None)

    #: <min-queue-size> (kh). Minimum listener queue; k/m/s suffixes accepted.
    min_queue_size: int | None = leaf("min-queue-size", default=None)

    #: <file-seekable> (kh). Allow range requests on file fallbacks.
    file_seekable: bool | None = leaf("file-seekable", default=None)

    #: <hijack> (kh). A new source takes over the mount from the old one.
    hijack: bool | None = leaf("hijack", default=None)

    #: <allow-chunked> (kh). Accept chunked source uploads.
    allow_chunked: bool | None = leaf("allow-chunked", default=None)

    #: <max-bandwidth> (kh). Bitrate limit of all listeners of the mount, bits per second (k/K, m/M
    #: suffix); -1: none.
    max_bandwidth: int | None = leaf("max-bandwidth", default=None)

    #: <wait-time> (kh). Seconds to wait for a source before failing.
    wait_time: int | None = leaf("wait-time", default=None)

    #: <filter-theora> (kh). Strip Theora video from the stream.
    filter_theora: bool | None = leaf("filter-theora", default=None)

    #: <limit-rate> (kh). Rate the source is read at and a fallback file sent at, bits per second (k/K,
    #: m/M suffix).
    limit_rate: int | None = leaf("limit-rate", default=None)

    #: <skip-accesslog> (kh). Do not log this mount's listeners.
    skip_accesslog: bool | None = leaf("skip-accesslog", default=None)

    #: <max-send-size> (kh). Largest block written per send.
    max_send_size: int | None = leaf("max-send-size", default=None)

    #: <linger-for> (kh). Seconds the mount stays after the source leaves.
    linger_for: int | None = leaf("linger-for", default=None)

    #: <redirect> (kh). Redirect listeners to this server (the mount path is appended).
    redirect: str | None = leaf("redirect", default=None)

    #: <redirect-to> (kh). Redirect listeners to this exact URL.
    redirect_to: str | None = leaf("redirect-to", default=None)

    #: <ogg-passthrough> (kh). Pass Ogg through without rewriting.
    ogg_passthrough: bool | None = leaf("ogg-passthrough", default=None)

    #: <admin_comments_only> (kh). Only take metadata from admin updates.
    admin_comments_only: bool | None = leaf("admin_comments_only", default=None)

    #: <allow-url-ogg-metadata> (kh). Accept metadata updates by URL for Ogg streams.
    allow_url_ogg_metadata: bool | None = leaf("allow-url-ogg-metadata", default=None)

    #: <ban-client> (kh). Seconds a kicked client stays banned.
    ban_client: int | None = leaf("ban-client", default=None)

    #: <intro-skip-replay> (kh). Seconds within which a reconnecting listener skips the intro.
    intro_skip_replay: int | None = leaf("intro-skip-replay", default=None)

    #: <so-sndbuf> (kh). Socket send buffer for listeners.
    so_sndbuf: int | None = leaf("so-sndbuf", default=None)

    #: <max-stream-duration> (kh). Seconds a source may stay connected.
    max_stream_duration: int | None = leaf("max-stream-duration", default=None)

    #: <preroll-log> (kh). Per-mount preroll log (file name or block).
    preroll_log: str | None = leaf("preroll-log", default=None)

    #: <accesslog> (kh). Per-mount access log (file name or block).
    accesslog: str | None = leaf("accesslog", default=None)

    #: <listenurl> (kh). Listen URL published for this mount.
    listenurl: str | None = leaf("listenurl", default=None)


class Alias(Section):
    """A request path rewrite; 2.5 treats it exactly like <resource>. (2.4, 2.5, kh)"""

    _spec_id = "alias"

    #: attribute source (2.4, 2.5, kh). Request path to rewrite, compared with strcmp; 2.5 uses
    #: destination when only that is set.
    source: str | None = attr("source", default=None)

    #: attribute destination (2.4, 2.5, kh). Path the request is rewritten to; without it the alias is
    #: silently dropped (2.4).
    destination: str | None = attr("destination", default=None)

    #: attribute port (2.4, 2.5, kh). Only apply on this server port; -1 means any port.
    port: int | None = attr("port", default=None)

    #: attribute bind-address (2.4, 2.5, kh). Only apply to connections accepted on this bind address.
    bind_address: str | None = attr("bind-address", default=None)

    #: attribute listen-socket (2.5). `#id` of the listen socket the resource applies to.
    listen_socket: str | None = attr("listen-socket", default=None)

    #: attribute vhost (2.5). Only apply to requests for this virtual host.
    vhost: str | None = attr("vhost", default=None)

    #: attribute module (2.5). Module that serves the resource.
    module: str | None = attr("module", default=None)

    #: attribute handler (2.5). Handler of the module that serves the resource.
    handler: str | None = attr("handler", default=None)

    #: attribute omode (2.5). Operation mode for requests matched by this resource.
    omode: str | None = attr("omode", default=None)

    #: attribute prefixmatch (2.5). Match `source` as a prefix instead of the whole path.
    prefixmatch: bool | None = attr("prefixmatch", default=None)


class Resource(Section):
    """A request path rewrite or handler (2.5). (2.5)"""

    _spec_id = "resource"

    #: attribute source (2.5). Request path to rewrite, compared with strcmp; 2.5 uses destination when
    #: only that is set.
    source: str | None = attr("source", default=None)

    #: attribute destination (2.5). Path the request is rewritten to; without it the alias is silently
    #: dropped (2.4).
    destination: str | None = attr("destination", default=None)

    #: attribute port (2.5). Only apply on this server port; -1 means any port.
    port: int | None = attr("port", default=None)

    #: attribute bind-address (2.5). Only apply to connections accepted on this bind address.
    bind_address: str | None = attr("bind-address", default=None)

    #: attribute listen-socket (2.5). `#id` of the listen socket the resource applies to.
    listen_socket: str | None = attr("listen-socket", default=None)

    #: attribute vhost (2.5). Only apply to requests for this virtual host.
    vhost: str | None = attr("vhost", default=None)

    #: attribute module (2.5). Module that serves the resource.
    module: str | None = attr("module", default=None)

    #: attribute handler (2.5). Handler of the module that serves the resource.
    handler: str | None = attr("handler", default=None)

    #: attribute omode (2.5). Operation mode for requests matched by this resource.
    omode: str | None = attr("omode", default=None)

    #: attribute prefixmatch (2.5). Match `source` as a prefix instead of the whole path.
    prefixmatch: bool | None = attr("prefixmatch", default=None)


class Paths(Section):
    """Directories and files.  With <chroot> every path resolves inside basedir. (2.4, 2.5, kh)"""

    _spec_id = "paths"

    #: <basedir> (2.4, 2.5, kh). Only used as the chroot target.
    basedir: str | None = leaf("basedir", default=None)

    #: <logdir> (2.4, 2.5, kh). Must exist and be writable by the changeowner user.
    logdir: str | None = leaf("logdir", default=None)

    #: <webroot> (2.4, 2.5, kh). Static files and file fallbacks; one trailing / is stripped.
    webroot: str | None = leaf("webroot", default=None)

    #: <adminroot> (2.4, 2.5, kh). XSLT files for /admin and playlists.
    adminroot: str | None = leaf("adminroot", default=None)

    #: <pidfile> (2.4, 2.5, kh). 2.4 and 2.5 write it as root before the chroot and setuid (a host
    #: path), so it may not be removed at exit; KH writes it after the chroot, inside <basedir>.
    pidfile: str | None = leaf("pidfile", default=None)

    #: <allow-ip> (2.4, 2.5, kh). File of IPs; when set only they may connect; a missing file means no
    #: filtering.
    allow_ip: str | None = leaf("allow-ip", default=None)

    #: <deny-ip> (2.4, 2.5, kh). File of IPs refused before allow-ip is checked.
    deny_ip: str | None = leaf("deny-ip", default=None)

    #: <banfile> (kh). KH spelling of <deny-ip>.
    banfile: str | None = leaf("banfile", default=None)

    #: <alias> (2.4, 2.5, kh). Rewrites a request path; first match wins.
    aliases: list[Alias] = items(Alias, "alias", default_factory=list)

    #: <resource> (2.5). 2.5 name of <alias> with more matching options.
    resources: list[Resource] = items(Resource, "resource", default_factory=list)

    #: <ssl-certificate> (2.4, 2.5, kh). PEM with certificate chain and key; if unusable, 2.4.4 ssl
    #: ports serve plain HTTP.
    ssl_certificate: str | None = leaf("ssl-certificate", default=None)

    #: <ssl_certificate> (kh). KH spelling of <ssl-certificate>.
    kh_ssl_certificate: str | None = leaf("ssl_certificate", default=None)

    #: <tls-certificate> (2.5). 2.5 name of <ssl-certificate>.
    tls_certificate: str | None = leaf("tls-certificate", default=None)

    #: <ssl-private-key> (kh). Private key file; defaults to the certificate file.
    ssl_private_key: str | None = leaf("ssl-private-key", default=None)

    #: <ssl-cafile> (kh). CA certificates file.
    ssl_cafile: str | None = leaf("ssl-cafile", default=None)

    #: <ssl-allowed-ciphers> (2.4, 2.5, kh). OpenSSL cipher list; an invalid list only warns and keeps
    #: the default.
    ssl_allowed_ciphers: str | None = leaf("ssl-allowed-ciphers", default=None)

    #: <tls-allowed-ciphers> (2.5). 2.5 name of <ssl-allowed-ciphers>.
    tls_allowed_ciphers: str | None = leaf("tls-allowed-ciphers", default=None)

    #: <mime-types> (2.5, kh). File mapping extensions to MIME types, read at start after the chroot; a
    #: missing one is logged and the extensions only it names are served as application/octet-stream
    #: (ICE702).
    mime_types: str | None = leaf("mime-types", default=None)

    #: <nulldevice> (2.5). Null device used for detached processes.
    nulldevice: str | None = leaf("nulldevice", default=None)

    #: <reportxmldb> (2.5). XML database of diagnostic reports; read while the configuration is parsed,
    #: before the chroot (a host path); each one written is loaded.
    reportxmldbs: list[str] = texts("reportxmldb", default_factory=list)

    #: <geoipdb> (2.5). GeoIP database file; a build with libmaxminddb opens it at start, after the
    #: chroot (one without ignores it).
    geoipdb: str | None = leaf("geoipdb", default=None)

    #: <x-forwarded-for> (kh). fnmatch pattern of a trusted proxy's IP.
    x_forwarded_for: list[str] = texts("x-forwarded-for", default_factory=list)

    #: <deny-agents> (kh). File of user agents to refuse.
    deny_agents: str | None = leaf("deny-agents", default=None)


class Logging(Section):
    """Log files.  Names are always appended to logdir, so absolute names fail. (2.4, 2.5, kh)"""

    _spec_id = "logging"

    #: <accesslog> (2.4, 2.5, kh). Access log name in logdir; `-` is stderr.
    accesslog: str | None = leaf("accesslog", default=None)

    #: <errorlog> (2.4, 2.5, kh). Error log name in logdir; `-` is stderr.
    errorlog: str | None = leaf("errorlog", default=None)

    #: <playlistlog> (2.4, 2.5, kh). Playlist log name; `-` is a file named -, not stderr.
    playlistlog: str | None = leaf("playlistlog", default=None)

    #: <preroll-log> (kh). Preroll log (file name or block).
    preroll_log: str | None = leaf("preroll-log", default=None)

    #: <loglevel> (2.4, 2.5, kh). 1 error .. 4 debug; 2.4.4 reads words as 0 and then logs nothing;
    #: empty, 2.4.4 and 2.5.0 segfault.
    loglevel: int | None = leaf("loglevel", default=None)

    #: <logsize> (2.4, 2.5, kh). Rotate at this many KiB; 0 means about 1 GB.
    logsize: int | None = leaf("logsize", default=None)

    #: <logarchive> (2.4, 2.5, kh). Rotate to timestamped names instead of NAME.old.
    logarchive: bool | None = leaf("logarchive", default=None)

    #: <memorybacklog> (2.5). Lines kept in memory for the admin interface.
    memorybacklogs: list[str] = texts("memorybacklog", default_factory=list)

    #: <accesslog_ip> (kh). Log client IPs.
    accesslog_ip: bool | None = leaf("accesslog_ip", default=None)

    #: <accesslog_exclude_ext> (kh). File extensions not written to the access log.
    accesslog_exclude_ext: str | None = leaf("accesslog_exclude_ext", default=None)

    #: <accesslog_lines> (kh). Access log lines kept in memory.
    accesslog_lines: int | None = leaf("accesslog_lines", default=None)

    #: <errorlog_lines> (kh). Error log lines kept in memory.
    errorlog_lines: int | None = leaf("errorlog_lines", default=None)

    #: <playlistlog_lines> (kh). Playlist log lines kept in memory.
    playlistlog_lines: int | None = leaf("playlistlog_lines", default=None)


class Changeowner(Section):
    """User and group to switch to; both must resolve or neither is applied. (2.4, 2.5, kh)"""

    _spec_id = "changeowner"

    #: <user> (2.4, 2.5, kh). User name to run as.
    user: str | None = leaf("user", default=None)

    #: <group> (2.4, 2.5, kh). Group name to run as.
    group: str | None = leaf("group", default=None)


class TlsContext(Section):
    """The 2.5 TLS context. (2.5)"""

    _spec_id = "tls-context"

    #: <tls-certificate> (2.5). PEM certificate chain (and key when tls-key is unset); keep it non-
    #: world-readable.
    tls_certificate: str | None = leaf("tls-certificate", default=None)

    #: <tls-key> (2.5). Private key; defaults to the certificate file.
    tls_key: str | None = leaf("tls-key", default=None)

    #: <tls-allowed-ciphers> (2.5). OpenSSL cipher list.
    tls_allowed_ciphers: str | None = leaf("tls-allowed-ciphers", default=None)


class Security(Section):
    """Process security: chroot, user change, TLS context and PRNG seeding. (2.4, 2.5, kh)"""

    _spec_id = "security"

    #: <chroot> (2.4, 2.5, kh). chroot to basedir (root only); a failure also skips changeowner.
    chroot: bool | None = leaf("chroot", default=None)

    #: <changeowner> (2.4, 2.5, kh). Its presence alone enables the user change, even when empty.
    changeowner: Changeowner = block(Changeowner, "changeowner", default=None)

    #: <tls-context> (2.5). Certificate, key and ciphers for TLS sockets.
    tls_context: TlsContext = block(TlsContext, "tls-context", default=None)

    #: <prng-seed> (2.5). Seeds the PRNG; without any 2.5 warns `no PRNG seed configured`.
    prng_seeds: list[str] = texts("prng-seed", default_factory=list)


class IcecastConfig(RootSection):
    """The root element.  Icecast compares only the local name, case-sensitively. (2.4, 2.5, kh)"""

    _spec_id = "icecast"

    #: <location> (2.4, 2.5, kh). Free text shown on the server info page and sent to YP directories.
    location: str | None = leaf("location", default=None)

    #: <admin> (2.4, 2.5, kh). Contact address of the server's administrator.
    admin: str | None = leaf("admin", default=None)

    #: <hostname> (2.4, 2.5, kh). Public host name used in YP listings and generated URLs; `localhost`
    #: breaks both.
    hostname: str | None = leaf("hostname", default=None)

    #: <server-id> (2.4, 2.5, kh). Overrides the Server header (default: the build's version string);
    #: always warns.
    server_id: str | None = leaf("server-id", default=None)

    #: <server_id> (kh). KH spelling of <server-id>.
    kh_server_id: str | None = leaf("server_id", default=None)

    #: <limits> (2.4, 2.5, kh). Server-wide resource limits.
    limits: Limits = block(Limits, "limits", default=None)

    #: <authentication> (2.4, 2.5, kh). Global source, admin and relay credentials.
    authentication: Authentication = block(Authentication, "authentication", default=None)

    #: <source-password> (2.4, 2.5, kh). Legacy place of the global source password; 2.4 warns it is
    #: deprecated.
    source_password: str | None = leaf("source-password", default=None)

    #: <icelogin> (2.4). Allows the old `ice-` source login; an ERROR in 2.5.
    icelogin: bool | None = leaf("icelogin", default=None)

    #: <shoutcast-mount> (2.4, 2.5, kh). Mount for shoutcast-compat sockets that do not set their own.
    shoutcast_mount: str | None = leaf("shoutcast-mount", default=None)

    #: <directory> (2.4, 2.5, kh). A YP directory to list public mounts in (at most 25).
    directories: list[Directory] = items(Directory, "directory", default_factory=list)

    #: <yp-directory> (2.5). A YP directory to list public mounts in (2.5 form).
    yp_directories: list[YpDirectory] = items(YpDirectory, "yp-directory", default_factory=list)

    #: <listen-socket> (2.4, 2.5, kh). A port to listen on; any listen-socket disables the root
    #: <port>/<bind-address> socket.
    listen_sockets: list[ListenSocket] = items(ListenSocket, "listen-socket", default_factory=list)

    #: <port> (2.4, 2.5, kh). Implicit listener port and the port written into URLs, even when listen-
    #: sockets exist.
    port: int | None = leaf("port", default=None)

    #: <bind-address> (2.4, 2.5, kh). Numeric address of the implicit listener; ignored when any
    #: listen-socket exists.
    bind_address: str | None = leaf("bind-address", default=None)

    #: <http-headers> (2.4, 2.5, kh). Extra HTTP headers sent on every response.
    http_headers: HttpHeaders = block(HttpHeaders, "http-headers", default=None)

    #: <master-server> (2.4, 2.5, kh). Master to relay all mounts from; needs master-server-port and
    #: master-password too.
    master_server: str | None = leaf("master-server", default=None)

    #: <master-server-port> (2.4, 2.5, kh). Port of the master server; 0 (the default) silently
    #: disables master relaying.
    master_server_port: int | None = leaf("master-server-port", default=None)

    #: <master-update-interval> (2.4, 2.5, kh). Seconds between fetches of the master's stream list.
    master_update_interval: int | None = leaf("master-update-interval", default=None)

    #: <master-username> (2.4, 2.5, kh). User name for the master's stream list.
    master_username: str | None = leaf("master-username", default=None)

    #: <master-password> (2.4, 2.5, kh). Password for the master's stream list; without it master
    #: relaying is off.
    master_password: str | None = leaf("master-password", default=None)

    #: <master-bind> (kh). Local address for connections to the master.
    master_bind: str | None = leaf("master-bind", default=None)

    #: <master-relay-auth> (kh). Let listener authentication of relayed mounts be done by the master.
    master_relay_auth: bool | None = leaf("master-relay-auth", default=None)

    #: <master-ssl-port> (kh). TLS port of the master server.
    master_ssl_port: int | None = leaf("master-ssl-port", default=None)

    #: <master-redirect> (kh). Let the master redirect listeners to this slave.
    master_redirect: bool | None = leaf("master-redirect", default=None)

    #: <max-redirect-slaves> (kh). How many slaves may register for redirects.
    max_redirect_slaves: int | None = leaf("max-redirect-slaves", default=None)

    #: <master> (kh). KH block form of the master-* settings.
    master: KhMaster = block(KhMaster, "master", default=None)

    #: <redirect> (kh). A host listeners may be redirected to.
    redirects: list[KhRedirect] = items(KhRedirect, "redirect", default_factory=list)

    #: <relays-on-demand> (2.4, 2.5, kh). Default for <relay><on-demand>; only relays parsed after it
    #: see it, so put it first.
    relays_on_demand: bool | None = leaf("relays-on-demand", default=None)

    #: <relay> (2.4, 2.5, kh). A stream pulled from another server.
    relays: list[Relay] = items(Relay, "relay", default_factory=list)

    #: <mount> (2.4, 2.5, kh). Settings for one mount point; the first matching <mount> wins.
    mounts: list[Mount] = items(Mount, "mount", default_factory=list)

    #: <fileserve> (2.4, 2.5, kh). Serve static files from webroot; `true` reads as 0 in 2.4.4: use 1.
    fileserve: bool | None = leaf("fileserve", default=None)

    #: <mime-types> (2.4, 2.5). File mapping extensions to MIME types, read at start after the chroot;
    #: KH only reads it in <paths>.
    mime_types: str | None = leaf("mime-types", default=None)

    #: <paths> (2.4, 2.5, kh). Directories and files the server uses.
    paths: Paths = block(Paths, "paths", default=None)

    #: <logging> (2.4, 2.5, kh). Log file names, level and rotation.
    logging: Logging = block(Logging, "logging", default=None)

    #: <security> (2.4, 2.5, kh). chroot, user change and (2.5) TLS context.
    security: Security = block(Security, "security", default=None)

    #: <event-bindings> (2.5). Server-wide event handlers.
    event_bindings: EventBindings = block(EventBindings, "event-bindings", default=None)

    #: <include> (kh). Glob of XML files whose root elements are spliced in as siblings.
    includes: list[str] = texts("include", default_factory=list)
