from django.db import models


class Subscription(models.Model):
    url = models.URLField()
    event = models.CharField(max_length=50)
