"""Download and unpack a triage corpus of real Django apps and projects (sdists).

    python benchmarks/corpus.py DEST            # download + unpack into DEST (use a scratch venv)
    python benchmarks/corpus.py DEST --list     # print the package list

Every default-on finding the plugin reports over this corpus is opened and judged by
hand before a rule change lands (see the README's "Accuracy" section). The downloads
are not committed; this script is how to get them back. Django itself is added from
the installed package (``pip download django`` gives its sdist too).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile

# Third-party Django apps with receivers, custom signals, AppConfig.ready() wiring,
# migrations and tests: the shapes the rules are about, written by many authors.
PACKAGES = [
    "django",
    "wagtail",
    "django-oscar",
    "django-allauth",
    "django-cms",
    "django-simple-history",
    "django-guardian",
    "django-celery-beat",
    "django-celery-results",
    "django-reversion",
    "django-taggit",
    "django-mptt",
    "django-treebeard",
    "django-import-export",
    "django-filer",
    "django-auditlog",
    "django-axes",
    "django-easy-audit",
    "django-activity-stream",
    "django-notifications-hq",
    "django-model-utils",
    "django-polymorphic",
    "django-haystack",
    "django-cacheops",
    "django-cachalot",
    "django-elasticsearch-dsl",
    "django-watson",
    "django-otp",
    "django-two-factor-auth",
    "django-user-sessions",
    "django-constance",
    "django-dirtyfields",
    "django-lifecycle",
    "django-cleanup",
    "django-imagekit",
    "easy-thumbnails",
    "sorl-thumbnail",
    "django-versatileimagefield",
    "django-comments-xtd",
    "django-contrib-comments",
    "django-organizations",
    "django-invitations",
    "djangorestframework-simplejwt",
    "django-oauth-toolkit",
    "django-health-check",
    "django-post-office",
    "django-anymail",
    "django-waffle",
    "django-hijack",
    "django-sesame",
    "django-pghistory",
    "django-field-history",
    "django-reversion-compare",
    "django-countries",
    "django-silk",
    "django-debug-toolbar",
    "django-extensions",
    "django-modeltranslation",
    "django-parler",
    "django-money",
    "django-softdelete",
    "django-safedelete",
    "django-tenants",
    "django-eventstream",
    "channels",
    "django-q2",
    "django-rq",
    "huey",
    "django-dramatiq",
    "django-push-notifications",
    "django-ledger",
    "django-helpdesk",
    "django-wiki",
    "django-machina",
    "mezzanine",
    "django-shop",
    "django-payments",
    "django-newsletter",
    "django-blog-zinnia",
    "django-photologue",
    "django-categories",
    "django-tagging",
    "django-follow",
    "django-role-permissions",
    "django-rules",
    "django-pgtrigger",
    "django-algoliasearch",
    "django-scim2",
    # Django projects (applications, not libraries): receivers written for one site
    "pretix",
    "pretalx",
    "weblate",
    "mayan-edms",
    "nautobot",
    "label-studio",
    "openwisp-controller",
    "openwisp-users",
    "openwisp-notifications",
    "openwisp-radius",
    "openwisp-monitoring",
    "misago",
    "askbot",
    "shuup",
    "kolibri",
    "wagtail",
    "django-fsm",
    "django-viewflow",
    "django-river",
    "cartridge",
    "pinax-notifications",
    "pinax-badges",
    "pinax-stripe",
    "django-machina",
    "django-wiki",
    "django-postman",
    "django-newsletter",
    "django-registration-redux",
    "django-userena-ce",
    "django-seo2",
    "django-cities-light",
    "django-address",
    "django-banking",
    "ralph",
    "tendenci",
    "django-simple-forum",
    "django-oscar-api",
    "django-notifications-views",
    "bookwyrm",
    "django-spirit",
]


# pip prepares an sdist's metadata before it saves it; without build isolation (which
# would build setuptools itself from source under --no-binary) the backends must be here.
BUILD_BACKENDS = ["setuptools", "wheel", "setuptools_scm", "hatchling", "hatch-vcs", "flit_core",
                  "poetry-core", "pdm-backend", "hatch-fancy-pypi-readme", "maturin",
                  "tomli", "flit_scm", "flit-gettext", "uv_build", "poetry", "babel", "setuptools-rust", "jupyter-packaging", "cython", "pbr"]


def download(dest: str) -> None:
    sdists = os.path.join(dest, "sdists")
    os.makedirs(sdists, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", *BUILD_BACKENDS], check=False)
    for name in PACKAGES:
        if any(f.lower().replace("_", "-").startswith(name.lower() + "-") for f in os.listdir(sdists)):
            continue
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
             "--no-build-isolation", "-d", sdists, name],
            capture_output=True,
            text=True,
        )
        status = "ok   " if result.returncode == 0 else "FAIL "
        reason = "" if result.returncode == 0 else " " + (result.stderr.strip().splitlines() or [""])[-1]
        print(status + name + reason, flush=True)
    unpack(sdists, os.path.join(dest, "src"))


def unpack(sdists: str, target: str) -> None:
    os.makedirs(target, exist_ok=True)
    for archive in sorted(os.listdir(sdists)):
        path = os.path.join(sdists, archive)
        stem = archive
        for suffix in (".tar.gz", ".tgz", ".zip", ".tar.bz2"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        out = os.path.join(target, stem)
        if os.path.isdir(out):
            continue
        if archive.endswith(".zip"):
            with zipfile.ZipFile(path) as zipped:
                zipped.extractall(target)
        else:
            with tarfile.open(path) as tarred:
                tarred.extractall(target)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if "--list" in sys.argv:
        print("\n".join(PACKAGES))
    else:
        download(sys.argv[1])
