from django.conf import settings
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    tags = models.ManyToManyField(Tag, blank=True)
    search_text = models.TextField(blank=True)
    image = models.FileField(upload_to="products", blank=True)


class Coupon(models.Model):
    code = models.CharField(max_length=20)
    times_used = models.PositiveIntegerField(default=0)


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    number = models.CharField(max_length=20, blank=True)
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.SET_NULL)
    total = models.DecimalField(max_digits=10, decimal_places=2, default=0)
