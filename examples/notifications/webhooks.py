import json
import urllib.request

from .models import Subscription


def notify_subscribers(event, payload):
    for subscription in Subscription.objects.filter(event=event):
        _post(subscription.url, payload)


def _post(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    urllib.request.urlopen(request, timeout=5)
