"""Everything the plugin knows about Django's (and Celery's) names, in one place.

The signal table mirrors the ``Signal()``/``ModelSignal()`` instances Django defines;
``tests/test_django_names.py`` re-derives it from the installed Django and fails when
the two drift apart.
"""

from __future__ import annotations

# module -> names of the Signal instances importable from it
BUILTIN_SIGNALS: dict[str, frozenset[str]] = {
    "django.db.models.signals": frozenset(
        {
            "class_prepared",
            "pre_init",
            "post_init",
            "pre_save",
            "post_save",
            "pre_delete",
            "post_delete",
            "m2m_changed",
            "pre_migrate",
            "post_migrate",
        }
    ),
    "django.core.signals": frozenset(
        {"request_started", "request_finished", "got_request_exception", "setting_changed"}
    ),
    # django.test.signals re-exports setting_changed from django.core.signals
    "django.test.signals": frozenset({"template_rendered", "setting_changed"}),
    "django.db.backends.signals": frozenset({"connection_created"}),
    "django.contrib.auth.signals": frozenset(
        {"user_logged_in", "user_login_failed", "user_logged_out"}
    ),
    "django.utils.autoreload": frozenset({"autoreload_started", "file_changed"}),
    "django.tasks.signals": frozenset({"task_enqueued", "task_started", "task_finished"}),
}

# Modules of the table that newer Djangos added (the oldest supported is 4.2): code
# written for those versions uses them, so they stay in the table on every version.
SIGNAL_MODULES_ADDED_IN: dict[str, tuple] = {"django.tasks.signals": (6, 0)}

BUILTIN_SIGNAL_QUALNAMES: frozenset[str] = frozenset(
    f"{module}.{name}" for module, names in BUILTIN_SIGNALS.items() for name in names
)

# The ModelSignal instances: their sender is a model class (or "app_label.Model").
MODEL_SIGNAL_NAMES = frozenset(
    {"pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed"}
)
MODEL_SIGNALS = frozenset(f"django.db.models.signals.{name}" for name in MODEL_SIGNAL_NAMES)

# The model signals whose ``instance`` is an instance of the sender class itself
# (``m2m_changed``'s sender is the through model, ``pre_init`` has no instance).
SENDER_INSTANCE_SIGNALS = frozenset(
    f"django.db.models.signals.{name}" for name in ("post_init", "pre_save", "post_save", "pre_delete", "post_delete")
)

CLASS_PREPARED = "django.db.models.signals.class_prepared"

SEND_METHODS = frozenset({"send", "send_robust", "asend", "asend_robust"})

# SIG201 and signals that only ever fire in particular processes.
# setting_changed is sent by override_settings in tests; its receivers reset caches of
# the module that defines them, which do not exist before that module is imported.
TEST_ONLY_SIGNALS = frozenset({"django.core.signals.setting_changed", "django.test.signals.setting_changed"})
# Sent only while the web handler serves a request (login()/logout() run in views): a
# module imported by the URLconf, a view or the middleware is imported before the first
# send of its process, and workers and commands never send them. Such receivers are only
# missed when nothing imports their module at all.
REQUEST_BOUND_SIGNALS = frozenset(
    {
        "django.core.signals.request_started",
        "django.core.signals.request_finished",
        "django.core.signals.got_request_exception",
        "django.contrib.auth.signals.user_logged_in",
        "django.contrib.auth.signals.user_logged_out",
        "django.contrib.auth.signals.user_login_failed",
    }
)

SIGNAL_CLASSES = frozenset(
    {
        "django.dispatch.Signal",
        "django.dispatch.dispatcher.Signal",
        "django.db.models.signals.ModelSignal",
    }
)

RECEIVER_DECORATORS = frozenset({"django.dispatch.receiver", "django.dispatch.dispatcher.receiver"})

# Modules whose names end in "signals" but whose signals are not Django's.
FOREIGN_SIGNAL_PACKAGES = frozenset(
    {
        "billiard",
        "blinker",
        "celery",
        "dramatiq",
        "flask",
        "gevent",
        "gi",
        "huey",
        "kombu",
        "locust",
        "louie",
        "pydispatch",
        "PyQt4",
        "PyQt5",
        "PyQt6",
        "PySide",
        "PySide2",
        "PySide6",
        "qtpy",
        "rq",
        "scrapy",
        "sqlalchemy",
        "tornado",
        "twisted",
        "signal",
    }
)

APP_CONFIG_CLASSES = frozenset({"django.apps.AppConfig", "django.apps.config.AppConfig"})


def looks_like_app_config(base: str) -> bool:
    """A base class that is (or is named like) an AppConfig: AppConfig itself, and the
    project or library bases built on it (WagtailAppConfig, OscarConfig, ProjectConfig)."""
    return base in APP_CONFIG_CLASSES or base.endswith("Config")

PARTIAL = frozenset({"functools.partial", "functools.partialmethod"})
# Decorators that return a new function and keep no reference to it anywhere.
KEEPS_NOTHING_DECORATORS = frozenset({"functools.wraps"})

# When code runs while a server is serving (SIG106): views, and the task decorators of
# the queues Django projects use. A class whose base is named like a view (Django's
# View and its generic views, DRF's APIView, GenericAPIView and viewsets) handles
# requests with a new instance per request.
VIEW_BASE_SUFFIXES = ("View", "ViewSet")
# Decorators that make a function a task a worker process runs: Celery's
# (``shared_task``, ``app.task``), Huey's, RQ's ``job``, Dramatiq's ``actor`` and
# Django's own ``django.tasks.task``.
TASK_DECORATOR_NAMES = frozenset({"shared_task", "task", "periodic_task", "db_task", "db_periodic_task", "actor", "job"})
# ``@<object>.<name>`` on a queue's app object (``@app.task``, ``@huey.db_task``); ``job``
# is too common a method name to count without knowing the object.
TASK_DECORATOR_METHODS = frozenset({"task", "shared_task", "periodic_task", "db_task", "db_periodic_task", "actor"})
TASK_LIBRARIES = frozenset({"celery", "huey", "dramatiq", "django_dramatiq", "rq", "django_rq", "django"})
# Command-line task runners: their ``@task`` runs once, in a process of its own.
NOT_TASK_LIBRARIES = frozenset({"invoke", "fabric", "fabric2", "fabfile", "nox", "paver", "doit"})


def is_task_decorator(written: str, qualname: str, imported: bool) -> bool:
    """Whether a decorator (``written`` as in the source, ``qualname`` resolved through
    the module's imports) makes a task a worker runs: a task decorator imported from a
    queue library (``@shared_task``, ``@dramatiq.actor``), or a task method of an object
    other than a command-line runner's (``@app.task``)."""
    top = qualname.split(".")[0]
    last = qualname.rpartition(".")[2]
    if top in NOT_TASK_LIBRARIES:
        return False
    if imported and top in TASK_LIBRARIES:
        return last in TASK_DECORATOR_NAMES and (top != "django" or qualname == "django.tasks.task")
    return "." in written and last in TASK_DECORATOR_METHODS


def looks_like_view(base: str) -> bool:
    """A base class named like a view or a viewset (``View``, ``generic.UpdateView``,
    ``APIView``, ``viewsets.ModelViewSet``)."""
    return base.rsplit(".", 1)[-1].endswith(VIEW_BASE_SUFFIXES)


ON_COMMIT = frozenset({"django.db.transaction.on_commit"})

# Wrappers that move sync work off the event loop (SIG302 exemption).
SYNC_TO_ASYNC = frozenset(
    {
        "asgiref.sync.sync_to_async",
        "channels.db.database_sync_to_async",
        "django.utils.asyncio.async_unsafe",
    }
)

MAIL_FUNCTIONS = frozenset(
    {
        "django.core.mail.send_mail",
        "django.core.mail.send_mass_mail",
        "django.core.mail.mail_admins",
        "django.core.mail.mail_managers",
    }
)

EMAIL_MESSAGE_CLASSES = frozenset(
    {
        "django.core.mail.EmailMessage",
        "django.core.mail.EmailMultiAlternatives",
        "django.core.mail.message.EmailMessage",
        "django.core.mail.message.EmailMultiAlternatives",
    }
)

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")

BLOCKING_CALLS = frozenset(
    {
        "time.sleep",
        "urllib.request.urlopen",
        "socket.create_connection",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "smtplib.SMTP",
        "smtplib.SMTP_SSL",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "os.system",
        *(f"requests.{verb}" for verb in _HTTP_VERBS if verb != "stream"),
        *(f"requests.api.{verb}" for verb in _HTTP_VERBS if verb != "stream"),
        *(f"httpx.{verb}" for verb in _HTTP_VERBS),
        *MAIL_FUNCTIONS,
    }
)

# Clients whose request methods do network I/O (SIG301): a session or connection
# object made from one of these, and what its methods block on.
HTTP_CLIENT_CLASSES = frozenset(
    {
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "httpx.Client",
        "urllib3.PoolManager",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
    }
)
HTTP_CLIENT_METHODS = frozenset({*_HTTP_VERBS, "send", "urlopen", "getresponse"})
# Library client classes a project class may derive from (``class Exchange(requests.Session)``):
# for each, the methods that do network I/O and wait for it (an object of the project
# class runs the library's own when the project does not override it), and every
# other method of the class they run through ``self`` on the way to the network. When a
# project class overrides one of either, what an inherited network method does is
# the project's code: not known from the catalog.
# - requests' ``Session``: each verb calls ``self.request``, which calls ``self.send``,
#   which sends through ``self.get_adapter(url)``.
# - httpx's ``Client``: each verb calls ``self.request`` -> ``self.send`` -> the
#   ``_send_*`` steps -> ``self._transport_for_url``. ``stream()`` only returns a context
#   manager: nothing is sent until it is entered.
# - urllib3's ``PoolManager``: ``request`` -> ``request_encode_url``/``request_encode_body``
#   -> ``urlopen`` -> ``connection_from_*`` (a pool per host).
# - http.client's ``HTTPConnection``: ``request`` -> ``_send_request`` -> ``putrequest``,
#   ``putheader``, ``endheaders`` -> ``_send_output`` -> ``send`` -> ``connect``;
#   ``getresponse`` reads the answer from the socket.
# - smtplib's ``SMTP``: every command is ``putcmd`` -> ``send`` then ``getreply`` (which
#   waits for the server's answer); ``connect`` opens the socket (``_get_socket``).
_REQUESTS_SESSION = (frozenset({*(v for v in _HTTP_VERBS if v != "stream"), "send"}), frozenset({"get_adapter"}))
_HTTP_CONNECTION = (
    frozenset({"request", "getresponse", "endheaders", "connect", "send"}),
    frozenset({"_send_request", "putrequest", "putheader", "_send_output"}),
)
_SMTP = (
    frozenset(
        {
            "connect",
            "helo",
            "ehlo",
            "ehlo_or_helo_if_needed",
            "starttls",
            "login",
            "auth",
            "sendmail",
            "send_message",
            "mail",
            "rcpt",
            "data",
            "docmd",
            "noop",
            "rset",
            "verify",
            "expn",
            "quit",
        }
    ),
    frozenset({"putcmd", "send", "getreply", "_get_socket", "has_extn"}),
)
DERIVED_CLIENTS = {
    "requests.Session": _REQUESTS_SESSION,
    "requests.sessions.Session": _REQUESTS_SESSION,
    "httpx.Client": (
        frozenset({*(v for v in _HTTP_VERBS if v != "stream"), "send"}),
        frozenset(
            {"_send_handling_auth", "_send_handling_redirects", "_send_single_request", "_transport_for_url", "build_request"}
        ),
    ),
    "urllib3.PoolManager": (
        frozenset({"request", "request_encode_url", "request_encode_body", "urlopen"}),
        frozenset({"connection_from_host", "connection_from_context", "connection_from_pool_key", "connection_from_url", "_new_pool"}),
    ),
    "http.client.HTTPConnection": _HTTP_CONNECTION,
    "http.client.HTTPSConnection": _HTTP_CONNECTION,
    "smtplib.SMTP": _SMTP,
    "smtplib.SMTP_SSL": _SMTP,
}
# A child process the code started, and the methods that wait for it to finish.
PROCESS_CLASSES = frozenset({"subprocess.Popen"})
PROCESS_WAITS = frozenset({"communicate", "wait"})
# API clients every operation of which is a request over the network (boto3's
# ``client("s3").put_object(...)``), and the few methods that are not: they sign a URL,
# read the client's metadata or build a helper object without sending anything.
API_CLIENT_FACTORIES = frozenset({"boto3.client"})
API_CLIENT_LOCAL_METHODS = frozenset(
    {"generate_presigned_url", "generate_presigned_post", "get_paginator", "get_waiter", "can_paginate", "close"}
)
# API clients that reach the service through objects hung on the client: every method
# of those objects sends a request and waits for the answer. Each entry: the client's
# class, the attributes that lead to the service objects (None: any public attribute,
# at any depth), the client's own methods that are requests, and the service methods
# that send nothing.
# - stripe's ``StripeClient``: ``client.v1.customers.retrieve(...)`` (and the older
#   ``client.customers.update(...)``); ``*_async`` methods only make a coroutine, and
#   ``client.oauth.authorize_url()`` builds a URL.
# - mailchimp's (API v2) ``Mailchimp``: ``mc.lists.subscribe(...)`` posts to the API.
SERVICE_CLIENTS = {
    "stripe.StripeClient": (None, frozenset({"raw_request"}), frozenset({"authorize_url"})),
    "mailchimp.Mailchimp": (
        frozenset(
            {
                "folders",
                "templates",
                "users",
                "helper",
                "mobile",
                "conversations",
                "ecomm",
                "neapolitan",
                "lists",
                "campaigns",
                "vip",
                "reports",
                "gallery",
                "goal",
            }
        ),
        frozenset({"call"}),
        frozenset(),
    ),
}
# python-ldap connections (``ldap.initialize(uri)`` connects on first use): the
# synchronous operations, named ``*_s``, send a request and wait for the server's
# answer. The unbind ones only send (the server does not answer).
LDAP_CONNECTIONS = frozenset(
    {"ldap.initialize", "ldap.ldapobject.LDAPObject", "ldap.ldapobject.SimpleLDAPObject", "ldap.ldapobject.ReconnectLDAPObject"}
)
LDAP_NOT_WAITING = frozenset({"unbind_s", "unbind_ext_s"})
MAIL_CONNECTIONS = frozenset({"django.core.mail.get_connection"})
MAIL_CONNECTION_METHODS = frozenset({"send_messages"})

# Functions that remove files from disk (SIG304).
# os.rmdir removes only an empty directory: no file goes with it.
FILE_REMOVERS = frozenset({"os.remove", "os.unlink", "shutil.rmtree"})

# Method names that enqueue background work (SIG303); callables named like this too.
TASK_METHODS = frozenset({"delay", "apply_async", "send_task", "enqueue"})
TASK_FUNCTIONS = frozenset({"async_task", "send_task"})

# QuerySet methods that run a query when called (SIG302); lazy ones are left out.
SYNC_QUERYSET_METHODS = frozenset(
    {
        "get",
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "count",
        "exists",
        "first",
        "last",
        "earliest",
        "latest",
        "aggregate",
        "in_bulk",
        "iterator",
        "contains",
        "explain",
        "update",
        "delete",
    }
)

INSTANCE_SYNC_METHODS = frozenset({"save", "delete", "refresh_from_db"})


def signal_module_of(qualname: str) -> str:
    return qualname.rpartition(".")[0]


def is_builtin_signal(qualname: str) -> bool:
    """A signal Django itself defines, or any name imported from a ``django.*.signals`` module."""
    if qualname in BUILTIN_SIGNAL_QUALNAMES:
        return True
    if qualname in SIGNAL_CLASSES:
        return False
    module = signal_module_of(qualname)
    return module.startswith("django.") and module.endswith(".signals")


def is_project_signal_import(qualname: str) -> bool:
    """A name imported from a (project) module whose dotted name ends in ``signals``."""
    module = signal_module_of(qualname)
    if not module.rstrip(".").endswith("signals"):
        return False
    top = module.lstrip(".").split(".")[0]
    if module.startswith("."):
        return True
    return top not in FOREIGN_SIGNAL_PACKAGES and not module.startswith("django.")

# QuerySet methods whose result is a queryset of the same model, iterated as instances
# of that model (``values()``, ``values_list()``, ``dates()``, ``raw()`` and ``union()``
# are not among them); ``iterator()`` yields the same instances.
MODEL_KEEPING_QUERYSET_METHODS = frozenset(
    {
        "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "annotate", "alias",
        "distinct", "only", "defer", "using", "select_for_update", "reverse", "iterator",
    }
)
MANY_TO_MANY_FIELDS = frozenset({"django.db.models.ManyToManyField", "django.db.models.fields.related.ManyToManyField"})

F_EXPRESSIONS = frozenset({"django.db.models.F", "django.db.models.expressions.F"})
